"""Scorecard writes and uses: train a draft from rows, publish it, score a row, evaluate on rows; read a CSV.

``scorecard_train`` splits the rows 70/30 into train and validation (stratified by target, seeded, so the same
file gives the same scorecard), fits on the train part and reports both parts. Bad input raises
``ValidationFailed`` with a message naming the problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import ValidationFailed
from loancrm.scoring.binning import Bin, Binning
from loancrm.scoring.errors import ScorecardPublished
from loancrm.scoring.models import Scorecard, ScorecardFeature, ScorecardStatus
from loancrm.scoring.scaling import Scaling
from loancrm.scoring.training import (
    DEFAULT_SCALING,
    Card,
    CardFeature,
    DataError,
    Row,
    detect_kinds,
    fit_card,
    resolve_labels,
    stratified_split,
)

SPLIT_SEED = 2026
TRAIN_SHARE = 0.7


def _message(error: DataError) -> str:
    messages = {
        "empty": _("The file has no data rows."),
        "no_target": _("The target column “%(column)s” is not in the file."),
        "not_binary": _("The target column “%(column)s” must have exactly two values; it has %(count)d."),
        "bad_value_needed": _("Say which target value is bad with --bad-value (values: %(values)s)."),
        "bad_value_unknown": _("The bad value “%(value)s” is not a target value (values: %(values)s)."),
        "too_few": _("Each target value needs at least %(count)d rows in the training part."),
        "no_feature": _("No usable feature: no column separates the two target values."),
    }
    return messages[error.code] % error.params


def _validation(error: DataError) -> ValidationFailed:
    return ValidationFailed(_message(error), code=f"scorecard_{error.code}")


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV (a byte-order mark is allowed) with a header line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(_("The file cannot be read as UTF-8 CSV: %(error)s") % {"error": exc}) from exc
    return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]


def scorecard_train(
    *,
    rows: Sequence[Row],
    target: str,
    bad_value: str | None = None,
    exclude: Sequence[str] = (),
    name: str = "scorecard",
    scaling: Scaling = DEFAULT_SCALING,
    actor: Any = None,
) -> tuple[Scorecard, dict[str, Any]]:
    """A new draft version of scorecard ``name`` and the report ``{"train", "validation", "iv"}``."""
    try:
        labels = resolve_labels(rows, target, bad_value)
        columns = [c for c in labels.rows[0] if c != target and c not in set(exclude)]
        kinds = detect_kinds(labels.rows, columns)
        train, validation = stratified_split(labels.values, share=TRAIN_SHARE, seed=SPLIT_SEED)
        card = fit_card([labels.rows[i] for i in train], [labels.values[i] for i in train], kinds, scaling=scaling)
        if not validation or len({labels.values[i] for i in validation}) < 2:
            raise DataError("too_few", count=2)
    except DataError as exc:
        raise _validation(exc) from exc
    report = {
        "train": card.evaluate([labels.rows[i] for i in train], [labels.values[i] for i in train]),
        "validation": card.evaluate([labels.rows[i] for i in validation], [labels.values[i] for i in validation]),
        "iv": card.ivs,
        "features": [f.binning.feature for f in card.features],
    }
    with transaction.atomic():
        latest = Scorecard.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))["v"] or 0
        scorecard = Scorecard.objects.create(
            name=name,
            version=latest + 1,
            base_points=scaling.base_points,
            odds=scaling.odds,
            pdo=scaling.pdo,
            intercept=card.intercept,
            base_score=card.base_score,
            target=f"{target} = {labels.bad_value}",
            train_metrics=report["train"],
            validation_metrics=report["validation"],
        )
        ScorecardFeature.objects.bulk_create(
            ScorecardFeature(
                scorecard=scorecard,
                position=position,
                name=feature.binning.feature,
                kind=feature.binning.kind,
                iv=round(feature.binning.iv, 6),
                coefficient=feature.coefficient,
                bins=[b.as_dict() for b in feature.binning.bins],
            )
            for position, feature in enumerate(card.features)
        )
        audit_event(actor, "scorecard.trained", scorecard, {"version": scorecard.version, **report})
    return scorecard, report


def scorecard_publish(*, scorecard: Scorecard, actor: Any = None) -> Scorecard:
    """Draft → published (then immutable)."""
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        if locked.status == ScorecardStatus.PUBLISHED:
            raise ScorecardPublished()
        locked.status = ScorecardStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
        audit_event(actor, "scorecard.published", locked, {"version": locked.version})
    return locked


def card_of(scorecard: Scorecard) -> Card:
    """The pure scorecard of a stored one (same bins, points and base score)."""
    features = [
        CardFeature(
            binning=Binning(
                feature=f.name,
                kind="numeric" if f.kind == "numeric" else "categorical",
                bins=[Bin.from_dict(b) for b in f.bins],
                iv=f.iv,
            ),
            coefficient=f.coefficient,
        )
        for f in scorecard.features.order_by("position")
    ]
    scaling = Scaling(base_points=scorecard.base_points, odds=scorecard.odds, pdo=scorecard.pdo)
    return Card(features=features, intercept=scorecard.intercept, scaling=scaling, base_score=scorecard.base_score)


def scorecard_score(scorecard: Scorecard, row: Row) -> tuple[int, list[tuple[str, Any, str, int]]]:
    """The score of ``row`` and its explanation: per feature (feature, value, bin label, points)."""
    return card_of(scorecard).score(row)


def scorecard_evaluate(
    *, scorecard: Scorecard, rows: Sequence[Row], target: str, bad_value: str | None = None
) -> dict[str, float | int]:
    """``{"auc", "ks", "gini", "n"}`` of the scorecard on labelled rows."""
    try:
        labels = resolve_labels(rows, target, bad_value)
    except DataError as exc:
        raise _validation(exc) from exc
    return card_of(scorecard).evaluate(labels.rows, labels.values)
