from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition


class ProductVersionFrozen(InvalidTransition):
    code = "product_version_frozen"
    default_message = _("A published or retired product version cannot be changed.")
