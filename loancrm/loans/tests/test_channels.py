"""Payment channels: the service (with its clearing account), the command and the pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.ledger.choices import AccountKind
from loancrm.ledger.models import LedgerAccount
from loancrm.loans.channels import ChannelExists, InvalidChannel, channel_create, channel_update, masked_secret
from loancrm.loans.models import PaymentChannel

SECRET = "s3cr3t-0123456789-abcdef"


@pytest.fixture
def ops(org):
    return make_user("ops1", role="operations", unit=org.hq)


@pytest.mark.django_db
def test_creating_a_channel_opens_its_clearing_account_and_audits_without_the_secret(ops):
    # given an operations user
    # when they create a channel
    channel = channel_create(code="ALIPAY", name="支付宝代扣", secret=SECRET, actor=ops)
    # then the secret is kept (encrypted), the ledger has the asset clearing account, the audit has no secret
    assert PaymentChannel.objects.get(pk=channel.pk).secret == SECRET
    account = LedgerAccount.objects.get(code="1002.9.ALIPAY")
    assert (account.kind, account.name_zh, account.name_en) == (
        AccountKind.ASSET,
        "支付渠道清算户 – ALIPAY",
        "Payment clearing – ALIPAY",
    )
    event = AuditEvent.objects.get(action="channel.created")
    assert event.data == {"code": "ALIPAY", "name": "支付宝代扣", "is_active": True,
                          "clearing_account": "1002.9.ALIPAY"}  # fmt: skip
    assert SECRET not in str(event.data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "a"}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "x" * 31}, "code"),
        ({"name": " "}, "name"),
        ({"secret": "short"}, "secret"),
        ({"secret": " " + SECRET}, "secret"),
    ],
)
def test_invalid_channel_settings_are_refused_and_write_nothing(ops, values, field):
    args = {"code": "UNIONPAY", "name": "银联", "secret": SECRET, **values}
    with pytest.raises(InvalidChannel) as refused:
        channel_create(actor=ops, **args)
    assert field in refused.value.fields
    assert not PaymentChannel.objects.exists() and not LedgerAccount.objects.filter(code__startswith="1002.9.").exists()
    assert not AuditEvent.objects.filter(action="channel.created").exists()


@pytest.mark.django_db
def test_a_code_is_taken_once_whatever_its_case(ops):
    channel_create(code="CMB", name="招商银行", secret=SECRET, actor=ops)
    with pytest.raises(ChannelExists):
        channel_create(code="cmb", name="招行", secret=SECRET, actor=ops)
    assert PaymentChannel.objects.count() == 1


@pytest.mark.django_db
def test_update_records_what_changed_and_only_that_the_secret_was_rotated(ops):
    channel = channel_create(code="CMB", name="招商银行", secret=SECRET, actor=ops)
    channel_update(channel_id=channel.pk, actor=ops, name="招商银行代扣", is_active=False, secret="n3w-" + SECRET)
    channel.refresh_from_db()
    assert (channel.name, channel.is_active, channel.secret) == ("招商银行代扣", False, "n3w-" + SECRET)
    event = AuditEvent.objects.get(action="channel.updated")
    assert event.data == {"code": "CMB", "name": ["招商银行", "招商银行代扣"], "is_active": [True, False],
                          "secret_rotated": True}  # fmt: skip
    # an update that changes nothing writes nothing
    channel_update(channel_id=channel.pk, actor=ops, name="招商银行代扣")
    assert AuditEvent.objects.filter(action="channel.updated").count() == 1


def test_masked_secret_shows_the_last_four_only():
    assert masked_secret(SECRET) == "************cdef"


@pytest.mark.django_db
def test_command_creates_and_rotates_and_never_prints_the_secret(org):
    out = io.StringIO()
    call_command("payment_channel_add", "WECHAT", "--name", "微信支付", "--secret", SECRET, stdout=out)
    assert "1002.9.WECHAT" in out.getvalue() and SECRET not in out.getvalue()
    assert LedgerAccount.objects.filter(code="1002.9.WECHAT").exists()
    event = AuditEvent.objects.get(action="channel.created")
    assert event.actor_repr.startswith("manage.py payment_channel_add")
    with pytest.raises(CommandError, match="exists"):
        call_command("payment_channel_add", "WECHAT", "--name", "x", "--secret", SECRET)
    out = io.StringIO()
    call_command("payment_channel_add", "WECHAT", "--rotate-secret", "--secret", "rotated-" + SECRET, stdout=out)
    assert "rotated-" not in out.getvalue() and SECRET not in out.getvalue()
    assert PaymentChannel.objects.get(code="WECHAT").secret == "rotated-" + SECRET
    with pytest.raises(CommandError, match="16"):
        call_command("payment_channel_add", "WECHAT", "--rotate-secret", "--secret", "short")
    with pytest.raises(CommandError, match="no payment channel"):
        call_command("payment_channel_add", "NOPE", "--rotate-secret", "--secret", SECRET)


@pytest.mark.django_db
def test_command_reads_the_secret_from_stdin(org, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    call_command("payment_channel_add", "JD", "--name", "京东支付", stdout=io.StringIO())
    assert PaymentChannel.objects.get(code="JD").secret == SECRET


@pytest.mark.django_db
def test_channel_pages_create_edit_and_rotate_with_the_secret_masked(ops):
    client = Client()
    client.force_login(ops)
    data = {"code": "ALIPAY", "name": "支付宝", "secret": SECRET, "is_active": "on"}
    response = client.post("/loans/channels/", data)
    channel = PaymentChannel.objects.get(code="ALIPAY")
    assert response.status_code == 302 and response["Location"] == f"/loans/channels/{channel.pk}/"
    listing = client.get("/loans/channels/").content.decode()
    assert "************cdef" in listing and SECRET not in listing
    page = client.get(f"/loans/channels/{channel.pk}/").content.decode()
    assert "/api/v1/payments/notify/ALIPAY" in page and SECRET not in page
    client.post(f"/loans/channels/{channel.pk}/", {"name": "支付宝代扣"})
    channel.refresh_from_db()
    assert (channel.name, channel.is_active) == ("支付宝代扣", False)
    refused = client.post(f"/loans/channels/{channel.pk}/rotate/", {"secret": "short"})
    assert refused.status_code == 200 and PaymentChannel.objects.get(pk=channel.pk).secret == SECRET
    client.post(f"/loans/channels/{channel.pk}/rotate/", {"secret": "another-" + SECRET})
    assert PaymentChannel.objects.get(pk=channel.pk).secret == "another-" + SECRET
    duplicate = client.post("/loans/channels/", {"code": "alipay", "name": "x", "secret": SECRET})
    assert duplicate.status_code == 200 and PaymentChannel.objects.count() == 1


@pytest.mark.django_db
def test_channel_pages_need_the_permission(org):
    agent = make_user("agent1", role="sales_agent", unit=org.bj_team1)
    client = Client()
    client.force_login(agent)
    assert client.get("/loans/channels/").status_code == 403
    assert client.post("/loans/channels/", {"code": "X1", "name": "x", "secret": SECRET}).status_code == 403
    assert not PaymentChannel.objects.exists()
