"""Model fields for personal data: encrypted values and their blind indexes.

``EncryptedTextField`` stores AES-GCM ciphertext bound to "<app.model>.<field>" and gives Python code the
plaintext. ``BlindIndexField(source=..., kind=...)`` stores the keyed digest of the normalised source value and is
recomputed on every save and bulk_create (not by ``QuerySet.update``/``bulk_update``: services must save). Search
with ``blind_lookup(Model, "field", raw)``; encrypted columns themselves cannot be filtered on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Q

from loancrm.core.china_ids import InvalidMobile, normalize_id_number, normalize_mobile
from loancrm.core.crypto import blind_index, decrypt, encrypt


def _digits(raw: str) -> str:
    return re.sub(r"\D", "", raw.translate({ord("０") + i: ord("0") + i for i in range(10)}))


def _mobile(raw: str) -> str:
    try:
        return normalize_mobile(raw)
    except InvalidMobile:
        return _digits(raw)


NORMALISERS: dict[str, Callable[[str], str]] = {
    "id_number": normalize_id_number,
    "mobile": _mobile,
    "bank_card": _digits,
    "text": lambda raw: " ".join(raw.split()).casefold(),
}


class EncryptedTextField(models.TextField):
    """Plaintext in Python, ciphertext in the database. ``kind`` names the masking rule (see core.masking)."""

    def __init__(self, *args: Any, kind: str = "text", **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.kind != "text":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    @property
    def aad(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, self.aad)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), self.aad)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return self.get_prep_value(value)


class BlindIndexField(models.CharField):
    """HMAC digest of ``source`` after normalisation by ``kind``; empty when the source is empty.

    Not indexed by itself: each model declares the unique constraint or index its lookups need (a plain
    ``db_index`` would add two more indexes on PostgreSQL, one of them a useless ``LIKE`` index, to every insert).
    """

    def __init__(self, *args: Any, source: str = "", kind: str = "text", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key in ("max_length", "blank", "default", "editable", "db_index"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def digest(self, raw: str | None) -> str:
        if not raw:
            return ""
        normalised = NORMALISERS[self.kind](raw)
        return blind_index(f"{self.model._meta.label_lower}.{self.source}", normalised) if normalised else ""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_lookup(model: type[models.Model], source: str, raw: str) -> Q:
    """``Q`` matching rows whose ``source`` equals ``raw`` after normalisation (no match for blank input)."""
    for field in model._meta.get_fields():
        if isinstance(field, BlindIndexField) and field.source == source:
            digest = field.digest(raw)
            return Q(**{field.name: digest}) if digest else Q(pk__in=[])
    raise LookupError(f"{model.__name__}.{source} has no blind index")
