"""JSON API of the payments (filled in by its module)."""

from ninja import Router

router = Router(tags=["payments"])
