"""The htmx "view" control for masked personal data: a reason form, then the value, audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from loancrm.core.errors import DomainError
from loancrm.core.pii import pii_reveal


@login_required
@require_POST
def reveal(request: HttpRequest) -> HttpResponse:
    context = {
        "model_label": request.POST.get("model", ""),
        "object_id": request.POST.get("id", ""),
        "field": request.POST.get("field", ""),
        "masked": request.POST.get("masked", ""),
    }
    try:
        object_id = int(context["object_id"])
    except ValueError:
        object_id = 0
    try:
        value = pii_reveal(
            actor=request.user,
            model_label=context["model_label"],
            object_id=object_id,
            field=context["field"],
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        context["error"] = exc.summary()
        return render(request, "core/pii/_field.html", context, status=exc.status)
    response = render(request, "core/pii/_revealed.html", {**context, "value": value})
    response["Cache-Control"] = "no-store"
    return response
