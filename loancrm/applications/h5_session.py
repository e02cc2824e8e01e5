"""The signed-in customer of the H5 pages, kept in the Django session apart from any back-office login.

Invariants: the session holds only the customer id and number under ``H5_SESSION_KEY``; ``sign_in`` rotates the
session key (no fixation); a customer who is closed is signed out; the H5 principal never becomes a Django user,
so back-office permissions can never apply to it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from loancrm.applications.principal import CustomerPrincipal

H5_SESSION_KEY = "h5_customer"
LOGIN_URL_NAME = "applications_h5:login"


def sign_in(request: HttpRequest, customer: Any) -> CustomerPrincipal:
    request.session.cycle_key()
    request.session[H5_SESSION_KEY] = {"id": customer.pk, "number": customer.number}
    return CustomerPrincipal(customer.pk, customer.number)


def sign_out(request: HttpRequest) -> None:
    request.session.pop(H5_SESSION_KEY, None)
    request.session.cycle_key()


def current_principal(request: HttpRequest) -> CustomerPrincipal | None:
    from loancrm.customers.choices import Status
    from loancrm.customers.models import Customer

    data = request.session.get(H5_SESSION_KEY)
    if not isinstance(data, dict) or "id" not in data:
        return None
    if not Customer.objects.filter(pk=data["id"]).exclude(status=Status.CLOSED).exists():
        request.session.pop(H5_SESSION_KEY, None)
        return None
    return CustomerPrincipal(int(data["id"]), str(data.get("number") or ""))


def h5_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run ``view(request, principal, ...)`` for a signed-in customer; others go to the H5 login page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = current_principal(request)
        if principal is None:
            return redirect(f"{reverse(LOGIN_URL_NAME)}?next={request.path}")
        return view(request, principal, *args, **kwargs)

    return wrapper
