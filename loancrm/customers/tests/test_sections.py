"""Section edits: validation (nothing written on refusal), exact stored values, audit with masked PII."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.customers import services
from loancrm.customers.models import CreditProfile, Customer, FinancialStatement, Liabilities, Property, RelatedParty
from loancrm.customers.tests.factories import ID_1985, ID_1990, make_lead, valid_credit_code

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def agent(org):
    return make_user("agent1", role="sales_agent", unit=org.bj_team1)


@pytest.fixture
def customer(agent):
    return services.lead_convert(actor=agent, lead_id=make_lead(agent, "13812345678").pk).customer


def last_update():
    return AuditEvent.objects.filter(action="customer.updated").order_by("-id").first()


def test_identity_derives_birth_date_gender_and_audits_the_masked_id(agent, customer):
    services.customer_update_identity(
        actor=agent, customer_id=customer.pk, name="李四", id_number=ID_1985.lower(), marital_status="married",
        education="bachelor", children_count=2,
    )  # fmt: skip
    customer.refresh_from_db()
    assert (customer.id_number, customer.gender, customer.birth_date) == (ID_1985, "F", dt.date(1985, 3, 1))
    assert (customer.marital_status, customer.education, customer.children_count) == ("married", "bachelor", 2)
    event = last_update()
    assert event.data["section"] == "identity"
    assert (
        event.data["before"]["id_number"] == "" and event.data["after"]["id_number"] == "310115********" + ID_1985[-4:]
    )
    assert ID_1985 not in str(event.data)


def test_identity_refuses_bad_values_and_writes_nothing(agent, customer):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update_identity(
            actor=agent, customer_id=customer.pk, name="", id_number="110105199006150010", marital_status="x"
        )
    assert set(caught.value.fields) == {"name", "id_number", "marital_status"}
    assert "校验位" in str(caught.value.fields["id_number"][0])
    assert AuditEvent.objects.count() == before and Customer.objects.get().name == "张三"


def test_an_id_number_of_another_customer_is_refused(agent, customer):
    other = services.lead_convert(actor=agent, lead_id=make_lead(agent, "13900000001", id_number=ID_1990).pk)
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update_identity(actor=agent, customer_id=customer.pk, name="张三", id_number=ID_1990)
    assert "id_number" in caught.value.fields and other.customer.id_number == ID_1990


def test_contacts_keep_stored_values_mask_the_audit_and_refuse_two_primaries(agent, customer):
    stored = customer.mobiles.get()
    services.customer_update_contacts(
        actor=agent, customer_id=customer.pk, email="li@example.com", residence_address="北京市朝阳区建国路88号",
        hukou_address="河北省保定市莲池区", mobiles=[{"id": stored.pk, "mobile": None, "is_primary": True},
                                                {"mobile": "13900000009", "is_primary": False}],
        emergency_contacts=[{"name": "王芳", "relationship": "spouse", "mobile": "13700000001"}],
    )  # fmt: skip
    customer.refresh_from_db()
    assert sorted((m.mobile, m.is_primary) for m in customer.mobiles.all()) == [
        ("13812345678", True),
        ("13900000009", False),
    ]
    assert customer.residence_address == "北京市朝阳区建国路88号"
    after = last_update().data["after"]
    assert after["residence_address"] == "北京市朝阳区****" and after["email"] == "l***@example.com"
    assert after["mobiles"][1]["mobile"] == "139****0009"
    assert after["emergency_contacts"] == [{"name": "王*", "relationship": "spouse", "mobile": "137****0001"}]
    for plain in ("13900000009", "13700000001", "建国路", "王芳"):
        assert plain not in str(last_update().data)
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update_contacts(
            actor=agent, customer_id=customer.pk,
            mobiles=[{"mobile": "13900000001", "is_primary": True}, {"mobile": "13900000002", "is_primary": True}],
        )  # fmt: skip
    assert "主手机号" in str(caught.value.fields["mobiles"][0])


def test_the_primary_mobile_of_another_customer_is_refused(agent, customer):
    services.lead_convert(actor=agent, lead_id=make_lead(agent, "13900000001").pk)
    with pytest.raises(ValidationFailed):
        services.customer_update_contacts(
            actor=agent, customer_id=customer.pk, mobiles=[{"mobile": "13900000001", "is_primary": True}]
        )
    assert [m.mobile for m in customer.mobiles.all()] == ["13812345678"]


def test_assets_and_liabilities_store_exact_amounts(agent, customer):
    services.customer_update_assets(
        actor=agent, customer_id=customer.pk,
        properties=[{"property_type": "apartment", "value": "3200000", "has_mortgage": True,
                     "mortgage_balance": Decimal("1250000.50")},
                    {"property_type": "house", "value": "800000", "has_mortgage": False, "mortgage_balance": "5"}],
        vehicles=[{"brand": "比亚迪", "price": "189800", "has_loan": False}],
        financial_assets=[{"asset_type": "deposit", "value": "50000.125"}],
    )  # fmt: skip
    homes = list(Property.objects.values_list("value", "has_mortgage", "mortgage_balance"))
    assert homes == [(Decimal("3200000.00"), True, Decimal("1250000.50")), (Decimal("800000.00"), False, None)]
    assert customer.financial_assets.get().value == Decimal("50000.13")
    liabilities = services.customer_update_liabilities(
        actor=agent, customer_id=customer.pk,
        values={"credit_card_count": 3, "credit_card_limit": Decimal("80000"), "credit_card_used": Decimal("12000.40"),
                "mortgage_balance": Decimal("1250000.50"), "mortgage_monthly": Decimal("8606.64")},
    )  # fmt: skip
    liabilities = Liabilities.objects.get(pk=liabilities.pk)
    assert liabilities.total_balance == Decimal("1262000.90") and liabilities.total_monthly == Decimal("8606.64")
    with pytest.raises(ValidationFailed):
        services.customer_update_assets(
            actor=agent, customer_id=customer.pk, vehicles=[], financial_assets=[],
            properties=[{"property_type": "apartment", "value": "100", "has_mortgage": True}],
        )  # fmt: skip
    assert Property.objects.count() == 2


def test_agents_cannot_edit_customers_outside_their_scope(agent, customer, org):
    other = make_user("agent2", role="sales_agent", unit=org.bj_team1)
    with pytest.raises(NotFound):
        services.customer_update_employment(actor=other, customer_id=customer.pk, employer="X")
    customer.refresh_from_db()
    assert customer.employer == ""


def test_credit_report_upload_checks_type_and_size_and_stores_privately(agent, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update_credit(actor=agent, customer_id=customer.pk, values={}, report_file=fake)
    assert "report_file" in caught.value.fields and not CreditProfile.objects.exists()
    big = SimpleUploadedFile("r.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationFailed):
        services.customer_update_credit(actor=agent, customer_id=customer.pk, values={}, report_file=big)
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update_credit(actor=agent, customer_id=customer.pk, values={"zhima_score": 200,
                                        "inquiries_3m": 5, "inquiries_6m": 2})  # fmt: skip
    assert set(caught.value.fields) == {"zhima_score", "inquiries_6m"}
    report = SimpleUploadedFile("张三征信.pdf", PDF, content_type="application/pdf")
    values = {"report_date": dt.date(2026, 10, 1), "account_count": 12, "overdue_account_count": 1,
              "max_overdue_months": 2, "inquiries_3m": 2, "inquiries_6m": 5, "outstanding_debt": "152300.5",
              "zhima_score": 712}  # fmt: skip
    credit = services.customer_update_credit(actor=agent, customer_id=customer.pk, values=values, report_file=report)
    assert credit.outstanding_debt == Decimal("152300.50") and credit.zhima_score == 712
    name = credit.report_file.name
    assert name.startswith("credit-reports/") and name.endswith(".pdf") and "张三" not in name
    assert (tmp_path / "private" / name).read_bytes() == PDF
    with pytest.raises(ValueError):
        credit.report_file.url  # noqa: B018 (private files have no URL)
    uploaded = AuditEvent.objects.get(action="customer.credit_report_uploaded")
    assert uploaded.data["size"] == len(PDF)


def test_corporate_customers_validate_the_credit_code_and_are_unique(agent):
    with pytest.raises(ValidationFailed) as caught:
        services.corporate_customer_create(actor=agent, name="测试有限公司", credit_code="91110000802100433A")
    assert "校验" in str(caught.value.fields["credit_code"][0])
    company = services.corporate_customer_create(
        actor=agent, name="华为技术有限公司", credit_code="914403001922038216", registered_capital=Decimal("4104113182")
    )
    assert company.kind == "corporate" and company.corporate.credit_code == "914403001922038216"
    assert company.owner == agent and company.number == f"C{company.pk:08d}"
    with pytest.raises(ValidationFailed) as caught:
        services.corporate_customer_create(actor=agent, name="重复", credit_code="91440300192203821 6")
    assert "credit_code" in caught.value.fields and Customer.objects.count() == 1


def test_corporate_sections(agent):
    company = services.corporate_customer_create(
        actor=agent, name="甲公司", credit_code=valid_credit_code("91110105MA00000A1")
    )
    statements = [{"year": 2024, "revenue": "1000000", "net_profit": "-20000.5", "total_assets": "3000000",
                   "total_liabilities": "1800000"},
                  {"year": 2025, "revenue": "1500000", "net_profit": "120000", "total_assets": "3500000",
                   "total_liabilities": "1900000"}]  # fmt: skip
    services.customer_update_financials(actor=agent, customer_id=company.pk, statements=statements)
    assert list(FinancialStatement.objects.values_list("year", "net_profit")) == [
        (2025, Decimal("120000.00")),
        (2024, Decimal("-20000.50")),
    ]
    with pytest.raises(ValidationFailed):
        services.customer_update_financials(actor=agent, customer_id=company.pk, statements=statements[:1] * 2)
    parties = [
        {"name": "张三", "relation": "shareholder", "share_pct": "60", "identifier": ID_1990},
        {"name": "乙公司", "relation": "shareholder", "share_pct": "40", "identifier": "91110000802100433B"},
    ]
    services.customer_update_related_parties(actor=agent, customer_id=company.pk, parties=parties)
    assert RelatedParty.objects.get(name="张三").identifier == ID_1990
    assert ID_1990 not in str(last_update().data)
    with pytest.raises(ValidationFailed) as caught:
        services.customer_update_related_parties(
            actor=agent, customer_id=company.pk, parties=[{**parties[0], "share_pct": "70"}, parties[1]]
        )
    assert "100%" in str(caught.value.fields["parties"][0])
    with pytest.raises(InvalidTransition):
        services.customer_update_employment(actor=agent, customer_id=company.pk, employer="X")
    services.customer_update_corporate(
        actor=agent, customer_id=company.pk, name="甲科技公司",
        values={"credit_code": company.corporate.credit_code, "legal_rep_name": "张三", "legal_rep_id_number": ID_1990},
    )  # fmt: skip
    company.corporate.refresh_from_db()
    assert company.corporate.legal_rep_id_number == ID_1990
    services.customer_update_corporate(
        actor=agent, customer_id=company.pk, name="甲科技公司",
        values={"credit_code": company.corporate.credit_code, "legal_rep_name": "张三", "legal_rep_id_number": None},
    )  # fmt: skip
    company.corporate.refresh_from_db()
    assert company.corporate.legal_rep_id_number == ID_1990


def test_a_new_number_with_the_same_masked_form_is_still_audited(agent, customer):
    # given the primary mobile 13812345678; when it becomes 13800005678 (masked, both are 138****5678)
    services.customer_update_contacts(actor=agent, customer_id=customer.pk, mobiles=[{"mobile": "13800005678"}])
    # then the change is audited, with only masked values
    event = last_update()
    assert (
        event.data["before"]["mobiles"]
        == event.data["after"]["mobiles"]
        == [{"mobile": "138****5678", "is_primary": True, "note": ""}]
    )
    assert "13800005678" not in str(event.data)
    # and saving the same values again writes no event
    services.customer_update_contacts(actor=agent, customer_id=customer.pk, mobiles=[{"mobile": "13800005678"}])
    assert AuditEvent.objects.filter(action="customer.updated").count() == 1
