"""Map every API failure to the one error shape ``{"code", "message", "fields"}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from loancrm.core.errors import DomainError


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


LOCATIONS = ("body", "query", "path", "form", "file", "header", "cookie")


def _field_name(loc: list[Any]) -> str:
    """The client's name of a failing input: without ninja's leading location and the ``payload`` parameter
    (``["body", "payload", "items", 0, "mobile"]`` → ``items.0.mobile``; ``["file", "file"]`` → ``file``)."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(list(error.get("loc", [])))
        fields.setdefault(name, []).append(_validation_message(error))
    return fields


def _validation_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_long"}:
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in {"string_too_short"}:
        return _("At least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind.endswith(("_parsing", "_type")):
        return _("Enter a valid value.")
    if kind == "value_error":
        return str(ctx.get("error") or _("Enter a valid value."))
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return _("Value out of range.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    return _("Enter a valid value.")


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers on ``api``; they render messages in the active (request) language."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        if exc.status == 403:
            from loancrm.core.views import record_denial

            record_denial(request)
        return respond(request, exc.status, exc.as_dict())

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        body = error_body("validation_error", _("Some fields are invalid."), _validation_fields(list(exc.errors)))
        return respond(request, 422, body)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, error_body("unauthenticated", _("Authentication required.")))

    @api.exception_handler(AuthorizationError)
    def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        from loancrm.core.views import record_denial

        record_denial(request)
        return respond(request, 403, error_body("permission_denied", _("You do not have permission to do this.")))

    @api.exception_handler(DjangoPermissionDenied)
    def django_forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        from loancrm.core.views import record_denial

        record_denial(request)
        return respond(request, 403, error_body("permission_denied", _("You do not have permission to do this.")))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {
            400: "bad_request",
            401: "unauthenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            429: "rate_limited",
        }
        return respond(request, exc.status_code, error_body(codes.get(exc.status_code, "error"), str(exc.message)))
