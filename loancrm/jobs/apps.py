from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "loancrm.jobs"
    label = "jobs"
    verbose_name = _("Batch jobs")

    def ready(self) -> None:
        from loancrm.jobs.registry import autodiscover

        autodiscover()
