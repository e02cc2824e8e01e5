"""Two-factor sign-in: enrolment (forced by role), code at sign-in, recovery codes, lockout, admin reset."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loancrm.accounts import two_factor
from loancrm.accounts.tests.factories import PASSWORD, make_user
from loancrm.core.models import AuditEvent


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def sign_in(client: Client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


@pytest.mark.django_db
def test_an_administrator_must_enrol_before_doing_anything(org, enforced):
    make_user("boss", role="administrator", unit=org.hq)
    client = Client()
    assert sign_in(client, "boss")["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/2fa/setup/"
    assert client.get("/accounts/users/")["Location"] == "/accounts/2fa/setup/"
    assert client.get("/api/v1/accounts/me").status_code == 403
    setup = client.get("/accounts/2fa/setup/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode() and setup["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user__username="boss", confirmed=False)
    wrong = client.post("/accounts/2fa/setup/", {"code": "000000"})
    assert wrong.status_code == 400 and "验证码无效" in wrong.content.decode()
    done = client.post("/accounts/2fa/setup/", {"code": code_for(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and done["Cache-Control"] == "no-store"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="user.2fa_enrolled").count() == 1


@pytest.mark.django_db
def test_roles_without_the_requirement_are_not_forced(org, enforced):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    sign_in(client, "agent")
    assert client.get("/").status_code == 200


@pytest.fixture
def enrolled(org):
    user = make_user("boss", role="administrator", unit=org.hq)
    device = two_factor.enrolment_device(user)
    device.confirmed = True
    device.save()
    codes = two_factor._new_recovery_codes(user)
    return user, device, codes


@pytest.mark.django_db
def test_sign_in_needs_the_code_after_the_password(enrolled, enforced, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp also delays retries after a failure; not under test here
    _user, device, _codes = enrolled
    client = Client()
    response = sign_in(client, "boss")
    assert response["Location"] == "/accounts/2fa/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    bad = client.post("/accounts/2fa/", {"code": "123456"})
    assert bad.status_code == 400 and "验证码无效" in bad.content.decode()
    ok = client.post("/accounts/2fa/", {"code": code_for(device)})
    assert ok.status_code == 302 and client.get("/").status_code == 200
    login = AuditEvent.objects.get(action="auth.login")
    assert login.data == {"method": "totp"}
    assert AuditEvent.objects.filter(action="auth.2fa_failed").count() == 1


@pytest.mark.django_db
def test_a_code_cannot_be_replayed(enrolled):
    _user, device, _codes = enrolled
    first, second = Client(), Client()
    sign_in(first, "boss")
    sign_in(second, "boss")
    code = code_for(device)
    assert first.post("/accounts/2fa/", {"code": code}).status_code == 302
    assert second.post("/accounts/2fa/", {"code": code}).status_code == 400


@pytest.mark.django_db
def test_a_recovery_code_works_once(enrolled):
    _user, _device, codes = enrolled
    client = Client()
    sign_in(client, "boss")
    assert client.post("/accounts/2fa/", {"code": codes[0]}).status_code == 302
    assert AuditEvent.objects.get(action="auth.login").data == {"method": "recovery"}
    assert StaticToken.objects.count() == 9
    again = Client()
    sign_in(again, "boss")
    assert again.post("/accounts/2fa/", {"code": codes[0]}).status_code == 400


@pytest.mark.django_db
def test_wrong_codes_lock_the_account(enrolled, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    sign_in(client, "boss")
    for _ in range(3):
        client.post("/accounts/2fa/", {"code": "111111"})
    response = client.post("/accounts/2fa/", {"code": "111111"}, follow=True)
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_the_pending_step_expires(enrolled, settings):
    _user, device, _codes = enrolled
    client = Client()
    sign_in(client, "boss")
    session = client.session
    session[two_factor.PENDING] = {**session[two_factor.PENDING], "at": int(time.time()) - 3600}
    session.save()
    response = client.post("/accounts/2fa/", {"code": code_for(device)})
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_reset_removes_devices_and_sessions(enrolled, org):
    user, _device, _codes = enrolled
    admin = make_user("admin2", role="administrator", unit=org.hq)
    client = Client()
    client.force_login(admin)
    client.post(f"/accounts/users/{user.pk}/reset-2fa/")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action="user.2fa_reset").data["devices_removed"] == 2


@pytest.mark.django_db
def test_admin_toggles_the_requirement_per_role(org, admin_user):
    from loancrm.accounts.models import RoleProfile

    client = Client()
    client.force_login(admin_user)
    assert not RoleProfile.objects.get(code="collector").requires_2fa
    client.post("/accounts/roles/collector/2fa/", {"required": "1"})
    assert RoleProfile.objects.get(code="collector").requires_2fa
    assert AuditEvent.objects.get(action="role.2fa_requirement").data == {"before": False, "after": True}


@pytest.mark.django_db
def test_default_requirements():
    from loancrm.accounts.models import RoleProfile

    required = set(RoleProfile.objects.filter(requires_2fa=True).values_list("code", flat=True))
    assert required == {"administrator", "credit_supervisor", "credit_director", "loan_committee"}
