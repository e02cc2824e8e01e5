"""Encrypted staff mobiles: blind-index search and uniqueness, audited reveal, rotation, and database dumps."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.models import User
from loancrm.accounts.tests.factories import make_user
from loancrm.core.crypto import new_key_spec, reset_key_ring
from loancrm.core.errors import ValidationFailed
from loancrm.core.fields import blind_lookup
from loancrm.core.models import AuditEvent

MOBILE = "13912345678"


def raw_column(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def staffer(org, admin_user):
    return account_services.user_create(
        actor=admin_user, username="agent", full_name="冯销售", password="a long passphrase", roles=["sales_agent"],
        org_unit=org.bj_team1, mobile="+86 139-1234-5678",
    )  # fmt: skip


def test_mobile_is_normalised_encrypted_and_found_by_blind_index(staffer):
    assert staffer.mobile == MOBILE
    assert MOBILE not in raw_column(staffer) and raw_column(staffer).startswith("v1:")
    assert list(User.objects.filter(blind_lookup(User, "mobile", "139 1234 5678"))) == [staffer]
    assert not User.objects.filter(blind_lookup(User, "mobile", "13900000000")).exists()
    assert User.objects.get(pk=staffer.pk).mobile == MOBILE


def test_mobile_must_be_unique_and_valid(staffer, admin_user):
    with pytest.raises(ValidationFailed) as info:
        account_services.user_create(actor=admin_user, username="b", full_name="乙", password="a long passphrase",
                                     mobile="13912345678")  # fmt: skip
    assert "mobile" in info.value.fields
    with pytest.raises(ValidationFailed):
        account_services.user_create(actor=admin_user, username="c", full_name="丙", password="a long passphrase",
                                     mobile="12345")  # fmt: skip
    assert not User.objects.filter(username__in=["b", "c"]).exists()


def test_audit_and_pages_show_the_mobile_masked(staffer, admin_user):
    event = AuditEvent.objects.get(action="user.created", target_id=str(staffer.pk))
    assert event.data["after"]["mobile"] == "139****5678" and MOBILE not in json.dumps(event.data)
    client = Client()
    client.force_login(admin_user)
    for url in ["/accounts/users/", f"/accounts/users/{staffer.pk}/"]:
        html = client.get(url).content.decode()
        assert "139****5678" in html and MOBILE not in html
    api = client.get(f"/api/v1/accounts/users/{staffer.pk}").json()
    assert api["mobile"] == "139****5678"


def test_reveal_needs_a_reason_is_audited_and_shows_the_value(staffer, admin_user):
    client = Client()
    client.force_login(admin_user)
    form = {"model": "accounts.user", "id": staffer.pk, "field": "mobile", "masked": "139****5678"}
    refused = client.post("/pii/reveal/", {**form, "reason": ""})
    assert refused.status_code == 400 and "说明查看原因" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()
    shown = client.post("/pii/reveal/", {**form, "reason": "核实联系方式"})
    assert shown.status_code == 200 and MOBILE in shown.content.decode() and shown["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="pii.revealed")
    assert event.actor == admin_user and event.target_id == str(staffer.pk)
    assert event.data == {"field": "mobile", "kind": "mobile", "reason": "核实联系方式"} and event.ip == "127.0.0.1"


def test_reveal_is_refused_without_permission_and_outside_the_scope(staffer, org):
    agent = make_user("other", role="sales_agent", unit=org.bj_team1)
    client = Client()
    client.force_login(agent)
    form = {"model": "accounts.user", "id": staffer.pk, "field": "mobile", "reason": "想看看"}
    assert client.post("/pii/reveal/", form).status_code == 403
    assert client.post("/pii/reveal/", {**form, "field": "password"}).status_code == 404
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()


def test_reveals_are_rate_limited(staffer, admin_user, settings):
    settings.PII_REVEALS_PER_HOUR = 2
    client = Client()
    client.force_login(admin_user)
    form = {"model": "accounts.user", "id": staffer.pk, "field": "mobile", "reason": "核实联系方式"}
    assert [client.post("/pii/reveal/", form).status_code for _ in range(3)] == [200, 200, 429]
    assert AuditEvent.objects.filter(action="pii.revealed").count() == 2


def test_reveal_api(staffer, admin_user):
    _t, secret = account_services.api_token_create(actor=admin_user, user_id=admin_user.pk, name="t", scopes=["*"])
    payload = {"object_type": "accounts.user", "object_id": staffer.pk, "field": "mobile", "reason": "核实联系方式"}
    response = Client().post("/api/v1/pii/reveal", json.dumps(payload), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
    assert response.status_code == 200 and response.json()["value"] == MOBILE


def test_rotation_reencrypts_everything_and_search_keeps_working(staffer, settings, capsys):
    old = raw_column(staffer)
    settings.FIELD_ENCRYPTION_KEYS = f"{new_key_spec('r2')},{settings.FIELD_ENCRYPTION_KEYS}"
    reset_key_ring()
    try:
        assert list(User.objects.filter(blind_lookup(User, "mobile", MOBILE))) == [staffer]
        call_command("rotate_field_keys")
        output = capsys.readouterr().out
        assert "still under older keys: 0" in output
        assert raw_column(staffer).startswith("v1:r2:") and raw_column(staffer) != old
        assert User.objects.get(pk=staffer.pk).mobile == MOBILE
        assert list(User.objects.filter(blind_lookup(User, "mobile", MOBILE))) == [staffer]
        call_command("rotate_field_keys")
        assert "nothing to re-encrypt" in capsys.readouterr().out
    finally:
        reset_key_ring()


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_plaintext_mobile(org, admin_user, tmp_path):
    staffer = account_services.user_create(
        actor=admin_user, username="dumped", full_name="某", password="a long passphrase", mobile=MOBILE
    )
    assert staffer.mobile == MOBILE
    if connection.vendor == "sqlite":
        dump = "\n".join(connection.connection.iterdump())
    else:
        settings_dict = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "-h", settings_dict["HOST"] or "127.0.0.1", "-U", settings_dict["USER"], settings_dict["NAME"]],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    assert "accounts_user" in dump and MOBILE not in dump and "1391234" not in dump


def test_collectors_never_reveal_third_party_contacts(staffer, org):
    from django.contrib.auth.models import Permission

    from loancrm.accounts.selectors import access_user
    from loancrm.core.errors import PermissionDenied as Denied
    from loancrm.core.pii import REGISTRY, PiiField, pii_reveal, register_pii

    register_pii(PiiField("accounts.user", "email", "email", access_user, "accounts.view_user", third_party=True))
    try:
        collector = make_user("coll", role="collector", unit=org.hq)
        collector.user_permissions.add(Permission.objects.get(codename="view_user"))
        collector = User.objects.get(pk=collector.pk)
        with pytest.raises(Denied):
            pii_reveal(
                actor=collector, model_label="accounts.user", object_id=staffer.pk, field="email", reason="联系家属"
            )
        compliance = make_user("comp", role="compliance_officer", unit=org.hq)
        assert pii_reveal(actor=compliance, model_label="accounts.user", object_id=staffer.pk, field="email",
                          reason="合规核查") == ""  # fmt: skip
    finally:
        REGISTRY.pop(("accounts.user", "email"))


@pytest.mark.parametrize(
    "variant", ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X"]
)
def test_id_number_blind_index_ignores_formatting(variant):
    from loancrm.core.crypto import KeyRing, blind_index
    from loancrm.core.fields import NORMALISERS

    ring = KeyRing("k", {"k": b"k" * 32}, b"b" * 32)
    expected = blind_index("customers.customer.id_number", "11010519491231002X", ring)
    assert blind_index("customers.customer.id_number", NORMALISERS["id_number"](variant), ring) == expected
