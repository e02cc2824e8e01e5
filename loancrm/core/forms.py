"""Form helpers shared by every app: Tabler styling and mapping DomainError fields onto a form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest

from loancrm.core.errors import DomainError


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO (YYYY-MM-DD) whatever the display language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StyledFormMixin:
    """Adds Bootstrap classes to widgets and ``is-invalid`` to fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "errors", {}):
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a refused service call on the form: field messages on their fields, the rest on top."""
    for name, texts in exc.fields.items():
        target = name if name in form.fields else None
        for message in texts if isinstance(texts, (list, tuple)) else [texts]:
            form.add_error(target, str(message))
            if target:
                widget = form.fields[target].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    if not exc.fields:
        form.add_error(None, str(exc.message))


def flash_refusal(request: HttpRequest, exc: DomainError) -> None:
    """Show a refused service call as an error message; "not found" (also "not yours") stays a plain 404."""
    if exc.status == 404:
        raise Http404 from exc
    messages.error(request, exc.summary())
