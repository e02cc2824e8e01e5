"""The queue, the workbench and its forms, the routing rules page: permissions, scope (404), refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.core.models import AuditEvent
from loancrm.underwriting import services
from loancrm.underwriting.choices import CaseStatus
from loancrm.underwriting.models import ReviewCase, ReviewOpinion, RoutingRule

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(credit, manual):
    opened = services.review_case_open(application_id=manual().pk)
    ReviewCase.objects.filter(pk=opened.pk).update(assignee=None)
    return ReviewCase.objects.get(pk=opened.pk)


def test_the_queue_lists_my_and_the_team_cases_with_sla_badges(credit, case):
    page = client_for(credit.rev1).get("/underwriting/")
    assert page.status_code == 200
    html = page.content.decode()
    assert case.application.number in html and 'data-testid="sla-badge"' in html
    other = client_for(credit.rev_sh).get("/underwriting/?scope=team")
    assert case.application.number not in other.content.decode()
    team = client_for(credit.sup).get("/underwriting/?scope=team&status=queued&sort=-amount")
    assert case.application.number in team.content.decode()
    unassigned = client_for(credit.sup).get(f"/underwriting/?scope=team&assignee={credit.rev2.pk}")
    assert case.application.number not in unassigned.content.decode()  # the case is in the pool, not rev2's
    assert case.application.number in client_for(credit.sup).get("/underwriting/?assignee=none").content.decode()
    assert client_for(credit.agent).get("/underwriting/").status_code == 403


def test_the_workbench_shows_every_section_and_another_team_gets_404(credit, case):
    assert client_for(credit.rev_sh).get(f"/underwriting/case/{case.pk}/").status_code == 404
    assert client_for(credit.sup_sh).get(f"/underwriting/case/{case.pk}/").status_code == 404
    page = client_for(credit.rev1).get(f"/underwriting/case/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for section in ("application-terms", "customer-summary", "documents", "external-data", "decision", "history",
                    "interactions", "phone-verification", "claim-form"):  # fmt: skip
        assert f'data-testid="{section}"' in html, section
    assert 'data-testid="opinion-form"' not in html  # not claimed yet


def test_claim_then_an_opinion_above_the_product_maximum_is_refused_on_the_page(credit, case):
    client = client_for(credit.rev1)
    assert client.post(f"/underwriting/case/{case.pk}/claim/").status_code == 302
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.CLAIMED
    form = {"recommendation": "approve", "amount": "250000.00", "annual_rate_pct": "15", "term_months": "12",
            "method": "equal_installment", "comment": "同意"}  # fmt: skip
    refused = client.post(f"/underwriting/case/{case.pk}/opinion/", form)
    assert refused.status_code == 400
    assert 'data-testid="opinion-errors"' in refused.content.decode()
    assert ReviewOpinion.objects.count() == 0
    accepted = client.post(f"/underwriting/case/{case.pk}/opinion/", form | {"amount": "40000"})
    assert accepted.status_code == 302
    opinion = ReviewOpinion.objects.get()
    assert (str(opinion.amount), str(opinion.annual_rate)) == ("40000.00", "0.150000")


def test_a_supervisor_reassigns_from_the_page(credit, case):
    response = client_for(credit.sup).post(
        f"/underwriting/case/{case.pk}/reassign/", {"assignee": credit.rev2.pk, "reason": "平衡工作量"}
    )
    assert response.status_code == 302
    assert ReviewCase.objects.get(pk=case.pk).assignee == credit.rev2
    client_for(credit.rev1).post(f"/underwriting/case/{case.pk}/reassign/", {"assignee": credit.rev1.pk, "reason": "x"})
    assert ReviewCase.objects.get(pk=case.pk).assignee == credit.rev2  # a reviewer may not reassign
    assert AuditEvent.objects.filter(action="review_case.reassigned").count() == 1


def test_click_to_call_from_the_page_and_the_recording_plays(credit, case):
    client = client_for(credit.rev1)
    client.post(f"/underwriting/case/{case.pk}/claim/")
    client.post(f"/underwriting/case/{case.pk}/call/", {"target": "applicant"})
    verification = case.phone_checks.get()
    page = client.get(f"/underwriting/case/{case.pk}/").content.decode()
    assert f'name="verification" value="{verification.pk}"' in page
    form = {"verification": verification.pk, "result": "connected", "answer_identity": "confirmed", "notes": "本人接听"}
    client.post(f"/underwriting/case/{case.pk}/phone/", form)
    verification.refresh_from_db()
    assert (verification.result, verification.answers) == ("connected", {"identity": "confirmed"})
    played = client.get(f"/underwriting/recording/{verification.pk}/")
    assert played.status_code == 200 and b"".join(played.streaming_content)[:4] == b"RIFF"
    assert client_for(credit.rev_sh).get(f"/underwriting/recording/{verification.pk}/").status_code == 404


def test_the_routing_rules_page_is_for_supervisors_and_saves_an_audited_rule(credit):
    assert client_for(credit.rev1).get("/underwriting/rules/").status_code == 403
    client = client_for(credit.sup)
    page = client.get("/underwriting/rules/")
    assert page.status_code == 200 and "上海分公司" in page.content.decode()
    response = client.post("/underwriting/rules/new/", {"name": "大额", "priority": "20", "active": "on",
                                                        "min_amount": "200000.01", "team": credit.bj.pk,
                                                        "risk_levels": ["high"]})  # fmt: skip
    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="大额")
    assert (rule.risk_levels, rule.product_codes, str(rule.min_amount)) == (["high"], [], "200000.01")
    assert AuditEvent.objects.filter(action="routing_rule.saved").count() == 1
    bad = client.post("/underwriting/rules/new/", {"name": "坏", "priority": "1", "min_amount": "10",
                                                   "max_amount": "5", "team": credit.bj.pk})  # fmt: skip
    assert bad.status_code == 200 and not RoutingRule.objects.filter(name="坏").exists()


def test_the_api_lists_and_claims(credit, case):
    client = client_for(credit.rev1)
    listed = client.get("/api/v1/underwriting/cases").json()
    assert [item["id"] for item in listed["items"]] == [case.pk]
    claimed = client.post(f"/api/v1/underwriting/cases/{case.pk}/claim")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    again = client_for(credit.rev2).post(f"/api/v1/underwriting/cases/{case.pk}/claim")
    assert again.status_code == 404


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 220, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_documents_open_from_the_case_in_the_case_scope_and_each_open_is_audited(credit, case):
    from loancrm.documents.services import document_import

    document = document_import(application_id=case.application_id, doc_type="id_front", data=_png())
    client = client_for(credit.rev1)
    opened = client.get(f"/underwriting/case/{case.pk}/document/{document.pk}/")
    assert opened.status_code == 200 and opened["Content-Type"] == "image/png"
    assert b"".join(opened.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    thumb = client.get(f"/underwriting/case/{case.pk}/document/{document.pk}/thumbnail/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    viewed = AuditEvent.objects.filter(action="document.viewed").order_by("pk")
    assert [e.data["thumbnail"] for e in viewed] == [False, True]
    assert client_for(credit.rev_sh).get(f"/underwriting/case/{case.pk}/document/{document.pk}/").status_code == 404
    page = client.get(f"/underwriting/case/{case.pk}/").content.decode()
    assert f'data-doc-view="/underwriting/case/{case.pk}/document/{document.pk}/"' in page
    assert viewed.count() == 2
