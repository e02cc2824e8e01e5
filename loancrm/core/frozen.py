"""Rows that stop changing once their version is final (a published scorecard, rule set, product version …).

``FrozenWhenFinal`` makes ``save()`` and ``delete()`` raise ``frozen_error`` while ``is_frozen()`` — answered from
the stored state, not the instance in memory — is true (for a child row: its stored parent is final, so nothing
can be added to a final version either). Queryset ``update()`` and
``delete()`` bypass it (the services never use them on final rows).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class FrozenWhenFinal(models.Model):
    frozen_error: ClassVar[type[Exception]]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_frozen():
            raise self.frozen_error()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_frozen():
            raise self.frozen_error()
        return super().delete(*args, **kwargs)

    def is_frozen(self) -> bool:
        """Whether the stored row (or the version it belongs to) is final."""
        raise NotImplementedError
