"""Consent texts and consents: publish, give, withdraw, and the guard other modules call.

``consent_require(subject, purpose)`` is what a module calls before the processing a consent guards (a bureau
query, sharing with a partner, marketing, processing sensitive data); it raises ``ConsentRequired`` when none is in
force. Giving and withdrawing are equally easy (one call each) and both are audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.compliance.models import Channel, Consent, ConsentText, Purpose
from loancrm.core.audit import audit_event, client_ip
from loancrm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed


class ConsentRequired(DomainError):
    code = "consent_required"
    status = 403
    default_message = _("The person has not consented to this processing.")


def current_text(purpose: str) -> ConsentText | None:
    return ConsentText.objects.filter(purpose=purpose).order_by("-version").first()


def _check(purpose: str, channel: str | None = None) -> None:
    if purpose not in Purpose.values:
        raise ValidationFailed(fields={"purpose": [_("Choose one of the allowed values.")]})
    if channel is not None and channel not in Channel.values:
        raise ValidationFailed(fields={"channel": [_("Choose one of the allowed values.")]})


@transaction.atomic
def consent_text_publish(
    *, actor: Any, purpose: str, title: str, body: str, request: HttpRequest | None = None
) -> ConsentText:
    """Publish a new version of a purpose's text (the previous versions stay, as consents point to them)."""
    if actor is not None and not actor.has_perm("compliance.manage_consent_text"):
        raise PermissionDenied()
    _check(purpose)
    errors = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if len(body.strip()) < 20:
        errors["body"] = [_("The consent text must say what is processed, why and for how long.")]
    if errors:
        raise ValidationFailed(fields=errors)
    latest = ConsentText.objects.select_for_update().filter(purpose=purpose).order_by("-version").first()
    text = ConsentText.objects.create(
        purpose=purpose, version=(latest.version + 1 if latest else 1), title=title.strip(), body=body.strip(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    audit_event(actor, "consent.text_published", text, {"purpose": purpose, "version": text.version}, request)
    return text


def _subject_key(subject: models.Model) -> dict[str, Any]:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


def consent_in_force(subject: models.Model, purpose: str) -> Consent | None:
    return Consent.objects.filter(**_subject_key(subject), purpose=purpose, withdrawn_at__isnull=True).first()


def consent_require(subject: models.Model, purpose: str) -> Consent:
    """Return the consent in force for ``purpose`` or raise ConsentRequired (call before the processing)."""
    consent = consent_in_force(subject, purpose)
    if consent is None:
        raise ConsentRequired()
    return consent


@transaction.atomic
def consent_give(
    *,
    subject: models.Model,
    purpose: str,
    channel: str,
    actor: Any = None,
    text_version: int | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Record that the subject agreed to the given (default: current) text version of ``purpose``."""
    _check(purpose, channel)
    text = (
        ConsentText.objects.filter(purpose=purpose, version=text_version).first()
        if text_version is not None
        else current_text(purpose)
    )
    if text is None:
        raise ValidationFailed(fields={"text_version": [_("No published consent text for this purpose.")]})
    if text_version is not None and text != current_text(purpose):
        raise ValidationFailed(fields={"text_version": [_("That text version is no longer offered.")]})
    if consent_in_force(subject, purpose) is not None:
        raise Conflict(_("This consent is already in force."))
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                **_subject_key(subject), purpose=purpose, text=text, given_channel=channel,
                given_ip=client_ip(request), recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(_("This consent is already in force.")) from exc
    audit_event(
        actor, "consent.given", subject, {"purpose": purpose, "version": text.version, "channel": channel}, request
    )
    return consent


def consent_texts_offered(given: list[tuple[str, int]]) -> tuple[dict[str, ConsentText], list[str]]:
    """The current texts for consents a caller says were given as (purpose, text version), with one message per
    pair that is not a known purpose or not the version offered now (one query for all of them)."""
    errors: list[str] = []
    purposes = {purpose for purpose, _version in given}
    if unknown := sorted(purposes - set(Purpose.values)):
        errors.append(str(_("Unknown consent purpose: %(purposes)s.") % {"purposes": ", ".join(unknown)}))
    latest: dict[str, ConsentText] = {}
    for text in ConsentText.objects.filter(purpose__in=purposes & set(Purpose.values)).order_by("purpose", "version"):
        latest[text.purpose] = text
    texts: dict[str, ConsentText] = {}
    for purpose, version in given:
        offered = latest.get(purpose)
        if purpose not in Purpose.values:
            continue
        if offered is None or offered.version != version:
            errors.append(str(_("Consent text %(purpose)s version %(version)s is not the one offered now.")
                              % {"purpose": purpose, "version": version}))  # fmt: skip
        else:
            texts[purpose] = offered
    return texts, errors


def consents_record(
    *,
    subject: models.Model,
    texts: dict[str, ConsentText],
    channel: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    new_subject: bool = False,
) -> list[Consent]:
    """Record consents given together (e.g. with a lead from a partner) in the caller's transaction, each audited
    like ``consent_give``; one already in force is left as it is. ``texts`` comes from ``consent_texts_offered``;
    ``new_subject``: the subject was created in this transaction, so nothing can be in force yet."""
    _check(next(iter(texts), Purpose.CONTACT), channel)
    recorded = []
    for purpose, text in texts.items():
        if not new_subject and consent_in_force(subject, purpose) is not None:
            continue
        row = Consent(
            **_subject_key(subject), purpose=purpose, text=text, given_channel=channel, given_ip=client_ip(request),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        if new_subject:
            row.save(force_insert=True)
        else:
            try:
                with transaction.atomic():  # a concurrent submission may record the same consent first
                    row.save(force_insert=True)
            except IntegrityError:
                continue
        consent = row
        audit_event(actor, "consent.given", subject, {"purpose": purpose, "version": text.version, "channel": channel},
                    request)  # fmt: skip
        recorded.append(consent)
    return recorded


@transaction.atomic
def consent_withdraw(
    *, subject: models.Model, purpose: str, channel: str, actor: Any = None, request: HttpRequest | None = None
) -> Consent:
    """Withdraw the consent in force; later processing for this purpose is refused by ``consent_require``."""
    _check(purpose, channel)
    consent = (
        Consent.objects.select_for_update()
        .filter(**_subject_key(subject), purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        raise Conflict(_("There is no consent in force to withdraw."))
    consent.withdrawn_at, consent.withdrawn_channel = timezone.now(), channel
    consent.save(update_fields=["withdrawn_at", "withdrawn_channel"])
    audit_event(actor, "consent.withdrawn", subject, {"purpose": purpose, "channel": channel}, request)
    return consent


def consent_history(subject: models.Model) -> list[Consent]:
    return list(Consent.objects.filter(**_subject_key(subject)).select_related("text").order_by("-given_at", "-id"))
