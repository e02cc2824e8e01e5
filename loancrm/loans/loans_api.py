"""JSON API of loan accounts."""

from ninja import Router

router = Router(tags=["loans"])
