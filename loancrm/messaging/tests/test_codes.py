"""SMS sending through the simulator and one-time codes: hashed at rest, expiry, attempts, single use, limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import ValidationFailed
from loancrm.messaging.choices import CodePurpose
from loancrm.messaging.errors import SmsAddressLimit, SmsCodeRejected, SmsDailyLimit, SmsTooFrequent
from loancrm.messaging.models import SmsCode, SmsMessage
from loancrm.messaging.services import send_sms, sms_code_send, sms_code_verify

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
LOGIN = CodePurpose.H5_LOGIN


def _request(ip: str = "10.0.0.1"):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def sent_code(mobile: str = MOBILE) -> str:
    """The code the simulator 'sent' to ``mobile`` (read from the outbox, as a demo user does)."""
    message = SmsMessage.objects.filter(template_code="login_code").order_by("-id").first()
    assert message is not None and message.mobile == mobile
    found = re.search(r"验证码为(\d{6})", message.text)
    assert found
    return found.group(1)


def _age(code: SmsCode, seconds: int) -> None:
    SmsCode.objects.filter(pk=code.pk).update(
        created_at=code.created_at - dt.timedelta(seconds=seconds),
        expires_at=code.expires_at - dt.timedelta(seconds=seconds),
    )


def test_send_sms_records_the_simulated_message_with_the_mobile_encrypted():
    message = send_sms(MOBILE, "application_submitted", {"number": "A000000001"})

    assert message.status == "simulated" and message.provider == "simulator" and message.provider_id.startswith("sim-")
    assert message.text == "【信贷服务】您的借款申请A000000001已提交，我们将尽快审核，请留意短信通知。"
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM messaging_smsmessage WHERE id = %s", [message.pk])
        assert MOBILE not in cursor.fetchone()[0]
    assert SmsMessage.objects.get(pk=message.pk).mobile == MOBILE


def test_a_code_is_six_digits_stored_hashed_and_valid_once():
    code_row = sms_code_send(mobile=MOBILE, purpose=LOGIN, request=_request())
    code = sent_code()

    assert re.fullmatch(r"\d{6}", code)
    assert code not in code_row.code_hash and len(code_row.code_hash) == 64
    assert code_row.expires_at - code_row.created_at == dt.timedelta(minutes=5)
    assert str(code_row.ip) == "10.0.0.1"
    sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=code)
    with pytest.raises(SmsCodeRejected):
        sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=code)


def test_an_expired_code_is_refused_with_a_clear_chinese_message():
    _age(sms_code_send(mobile=MOBILE, purpose=LOGIN), 301)

    with translation.override("zh-hans"), pytest.raises(SmsCodeRejected) as caught:
        sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=sent_code())
    with translation.override("zh-hans"):
        assert "过期" in str(caught.value.fields["code"][0])


def test_five_wrong_attempts_lock_the_code_and_each_wrong_try_is_counted():
    sms_code_send(mobile=MOBILE, purpose=LOGIN)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with translation.override("en"), pytest.raises(SmsCodeRejected) as caught:
            sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=wrong)
        with translation.override("en"):
            assert f"{left} attempts left" in str(caught.value.fields["code"][0])
    with pytest.raises(SmsCodeRejected):
        sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=wrong)
    assert SmsCode.objects.get().attempts == 5
    with translation.override("en"), pytest.raises(SmsCodeRejected) as caught:
        sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=code)
    with translation.override("en"):
        assert "Too many wrong attempts" in str(caught.value.fields["code"][0])


def test_malformed_codes_and_mobiles_are_refused_without_counting():
    sms_code_send(mobile=MOBILE, purpose=LOGIN)
    with pytest.raises(SmsCodeRejected):
        sms_code_verify(mobile=MOBILE, purpose=LOGIN, code="12ab")
    with pytest.raises(ValidationFailed) as caught:
        sms_code_send(mobile="12345", purpose=LOGIN)
    assert "mobile" in caught.value.fields
    assert SmsCode.objects.get().attempts == 0


def test_a_new_code_replaces_the_previous_one():
    first = sms_code_send(mobile=MOBILE, purpose=LOGIN)
    old = sent_code()
    _age(first, 61)
    sms_code_send(mobile=MOBILE, purpose=LOGIN)
    new = sent_code()
    if old != new:
        with pytest.raises(SmsCodeRejected):
            sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=old)
    sms_code_verify(mobile=MOBILE, purpose=LOGIN, code=new)


def test_one_send_per_minute_per_mobile():
    first = sms_code_send(mobile=MOBILE, purpose=LOGIN)
    with pytest.raises(SmsTooFrequent):
        sms_code_send(mobile=MOBILE, purpose=LOGIN)
    assert SmsCode.objects.count() == 1 and SmsMessage.objects.count() == 1
    _age(first, 61)
    sms_code_send(mobile=MOBILE, purpose=LOGIN)
    assert SmsCode.objects.count() == 2


@override_settings(SMS_CODE_INTERVAL_SECONDS=0)
def test_ten_sends_a_day_per_mobile():
    for _ in range(10):
        sms_code_send(mobile=MOBILE, purpose=LOGIN)
    with pytest.raises(SmsDailyLimit):
        sms_code_send(mobile=MOBILE, purpose=LOGIN)
    assert SmsCode.objects.count() == 10
    sms_code_send(mobile="13912345678", purpose=LOGIN)


@override_settings(SMS_CODES_PER_ADDRESS_HOUR=3)
def test_sends_per_address_are_limited():
    for n in range(3):
        sms_code_send(mobile=f"1381234560{n}", purpose=LOGIN, request=_request("10.9.9.9"))
    with pytest.raises(SmsAddressLimit):
        sms_code_send(mobile="13812345609", purpose=LOGIN, request=_request("10.9.9.9"))
    sms_code_send(mobile="13812345609", purpose=LOGIN, request=_request("10.9.9.8"))


def test_the_outbox_page_shows_masked_mobiles_to_operations_only(org):
    send_sms(MOBILE, "application_submitted", {"number": "A000000009"})
    client = Client()
    client.force_login(make_user("ops", role="operations", unit=org.hq))
    page = client.get("/messaging/sms/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "138****5678" in body and MOBILE not in body and "A000000009" in body
    assert client.get("/messaging/sms/", {"mobile": "13900000000"}).content.decode().count("A000000009") == 0
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    assert client.get("/messaging/sms/").status_code == 403
