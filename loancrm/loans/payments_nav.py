"""Sidebar items and the home-page queue of the payments, for ``loancrm/loans/nav.py`` to include
(``NAV_ITEMS = [..., *payments_nav.NAV_ITEMS]``, ``WORK_QUEUES = [..., *payments_nav.WORK_QUEUES]``): the navigation
discovers only each app's ``nav.py``."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue
from loancrm.loans.choices import RequestStatus

NAV_ITEMS = [
    NavItem(
        key="loan_postings",
        label=_("Posting approvals"),
        url_name="loans:postings",
        icon="checklist",
        section=_("Operations"),
        order=820,
        permissions=("loans.post_payment", "loans.reverse_payment", "loans.approve_posting"),
    ),
    NavItem(
        key="payment_channels",
        label=_("Payment channels"),
        url_name="loans:channels",
        icon="building-bank",
        section=_("Operations"),
        order=830,
        permissions=("loans.manage_payment_channels",),
    ),
]


def _awaiting_me(user: Any) -> int:
    """Pending requests the user may decide (visible to them, made by someone else)."""
    from loancrm.loans.postings import requests_visible_to

    return requests_visible_to(user).filter(status=RequestStatus.PENDING).exclude(requested_by=user).count()


WORK_QUEUES = [
    WorkQueue(
        key="loan_postings",
        label=_("Postings awaiting approval"),
        url_name="loans:postings",
        count=_awaiting_me,
        permissions=("loans.approve_posting",),
        icon="checklist",
        query="status=pending",
    ),
]
