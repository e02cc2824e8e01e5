"""JSON API of the calculator (filled in by its module)."""

from ninja import Router

router = Router(tags=["calculator"])
