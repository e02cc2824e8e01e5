"""Notifications: one per recipient, unread count in the top bar, only one's own can be marked read."""

from __future__ import annotations

from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import Notification
from loancrm.core.notifications import notify, unread_count


def test_notify_mark_read_and_follow_link(org):
    amy, bob = make_user("amy", role="sales_lead", unit=org.bj_team1), make_user("bob", role="sales_agent")
    assert notify([amy, amy.pk, bob], kind="test", title="任务逾期", link="/sales/tasks/?overdue=1") == 2
    client = Client()
    client.force_login(amy)
    page = client.get("/").content.decode()
    assert 'data-testid="notifications"' in page and 'badge-notification badge-pill">1<' in page
    mine = Notification.objects.get(recipient=amy)
    theirs = Notification.objects.get(recipient=bob)
    response = client.post("/notifications/read/", {"id": theirs.pk})
    assert response["Location"] == "/notifications/" and unread_count(bob) == 1
    response = client.post("/notifications/read/", {"id": mine.pk})
    assert response["Location"] == "/sales/tasks/?overdue=1" and unread_count(amy) == 0
    assert "任务逾期" in client.get("/notifications/").content.decode()


def test_external_links_are_not_followed(org):
    amy = make_user("amy", role="sales_agent", unit=org.bj_team1)
    notify([amy], kind="test", title="x", link="//evil.example/")
    client = Client()
    client.force_login(amy)
    note = Notification.objects.get()
    assert client.post("/notifications/read/", {"id": note.pk})["Location"] == "/notifications/"
