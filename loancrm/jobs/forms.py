"""Forms of the job monitor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.jobs.models import JobStatus
from loancrm.jobs.registry import all_jobs


def job_choices() -> list[tuple[str, str]]:
    return [(job.name, str(job.label)) for job in all_jobs()]


class RunFilterForm(StyledFormMixin, forms.Form):
    name = forms.ChoiceField(label=_("Job"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *JobStatus.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [("", _("All jobs")), *job_choices()]  # type: ignore[attr-defined]


class RunNowForm(StyledFormMixin, forms.Form):
    name = forms.ChoiceField(label=_("Job"))
    business_date = forms.DateField(label=_("Business date"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = job_choices()  # type: ignore[attr-defined]
