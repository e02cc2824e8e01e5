from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "loancrm.products"
    label = "products"
    verbose_name = _("Products")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "products.product_created": _("Product created"),
                "products.version_published": _("Product version published"),
            }
        )
