"""Applications brought by a channel partner through the API: find or create the applicant, create the draft,
optionally submit it — all or nothing, idempotent on (partner, external_ref).

Invariants: the partner is the calling partner user (never taken from the body); a repeated call with the same
``external_ref`` and the same applicant, product and terms returns the application it created (``created`` is
False), a repeat with anything different is a ``Conflict`` and changes nothing; two simultaneous first calls
create one application (the unique (partner, external_ref) constraint decides, the loser answers as a repeat);
a refusal anywhere (applicant, terms, submission problems) leaves no customer, application or audit event behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.applications.choices import Channel, Status
from loancrm.applications.models import Application
from loancrm.applications.principal import is_partner, partner_name
from loancrm.applications.services import application_create, application_submit, clean_fields
from loancrm.core.china_ids import InvalidIdNumber, normalize_id_number
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed
from loancrm.customers.services.applicant import applicant_find_or_create
from loancrm.products.services import current_version


@dataclass(frozen=True)
class PartnerResult:
    application: Application
    created: bool


def _existing(partner: str, external_ref: str) -> Application | None:
    return (
        Application.objects.select_related("customer", "product_version__product")
        .filter(partner=partner, external_ref=external_ref)
        .first()
    )


def _same_request(application: Application, applicant: Mapping[str, Any], product_code: str,
                  values: Mapping[str, Any]) -> bool:  # fmt: skip
    try:
        id_number = normalize_id_number(str(applicant.get("id_number") or ""))
    except InvalidIdNumber:
        return False
    if application.customer.id_number != id_number or application.product_version.product.code != product_code:
        return False
    errors: dict[str, list[Any]] = {}
    cleaned = clean_fields(values, application.product_version, errors)
    return not errors and all(
        getattr(application, name) == value for name, value in cleaned.items() if value is not None
    )


def _replay(found: Application, applicant: Mapping[str, Any], product_code: str, values: Mapping[str, Any],
            submit: bool, actor: Any, request: HttpRequest | None) -> PartnerResult:  # fmt: skip
    if not _same_request(found, applicant, product_code, values):
        raise Conflict(
            _("An application with this external reference already exists with different data."),
            code="external_ref_conflict",
        )
    if submit and found.status == Status.DRAFT:
        found = application_submit(actor=actor, application_id=found.pk, request=request)
    return PartnerResult(found, created=False)


@transaction.atomic
def application_partner_intake(
    *,
    actor: Any,
    applicant: Mapping[str, Any],
    product_code: str,
    values: Mapping[str, Any],
    external_ref: str,
    submit: bool = False,
    request: HttpRequest | None = None,
) -> PartnerResult:
    """Create (or find again) the partner's application for ``external_ref`` (see module invariants)."""
    if not is_partner(actor) or not actor.has_perm("applications.add_application"):
        raise PermissionDenied()
    if submit and not actor.has_perm("applications.submit_application"):
        raise PermissionDenied()
    external_ref = (external_ref or "").strip()
    if not external_ref:
        raise ValidationFailed(fields={"external_ref": [_("This field is required.")]})
    partner = partner_name(actor)
    found = _existing(partner, external_ref)
    if found is not None:
        return _replay(found, applicant, product_code, values, submit, actor, request)
    version = current_version(product_code)
    if version is None:
        raise ValidationFailed(fields={"product_code": [_("Choose a product that is on offer.")]})
    person = applicant_find_or_create(
        name=str(applicant.get("name") or ""), id_number=str(applicant.get("id_number") or ""),
        mobile=str(applicant.get("mobile") or ""), source=f"partner:{partner}", actor=actor, request=request,
    )  # fmt: skip
    try:
        with transaction.atomic():
            application = application_create(
                actor=actor, customer_id=person.customer.pk, product_version_id=version.pk, channel=Channel.PARTNER,
                values=values, partner=partner, external_ref=external_ref, request=request,
            )  # fmt: skip
    except IntegrityError:  # a simultaneous first call won: answer as its repeat
        found = _existing(partner, external_ref)
        if found is None:
            raise
        return _replay(found, applicant, product_code, values, submit, actor, request)
    if submit:
        application = application_submit(actor=actor, application_id=application.pk, request=request)
    return PartnerResult(application, created=True)
