"""Pages and API of the follow-up module: lead panel, htmx forms, recordings, task queue, settings, scope."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loancrm.core.models import AuditEvent
from loancrm.core.testing.access import assert_scoped
from loancrm.leads.choices import Stage
from loancrm.leads.models import Lead
from loancrm.sales.models import FollowUpTask, Interaction, RefusalReason, SlaSettings

FORM = {"method": "call", "points": "客户关心提前还款", "intention_before": "low", "intention_after": "medium",
        "outcome": "positive"}  # fmt: skip


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_lead_page_shows_forms_tasks_and_timeline(team):
    page = client_for(team.agent).get(f"/leads/{team.lead.pk}/").content.decode()
    for marker in ('data-testid="follow-up-form"', 'data-testid="interaction-form"', 'data-testid="lead-tasks"',
                   "首次电话", "来自百度", "分配给"):  # fmt: skip
        assert marker in page, marker


def test_htmx_follow_up_errors_then_success(team):
    client = client_for(team.agent)
    url = f"/sales/leads/{team.lead.pk}/follow-ups/"
    bad = client.post(url, {**FORM, "outcome": "refused"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "请选择客户拒绝的原因。" in bad.content.decode()
    good = client.post(url, FORM, HTTP_HX_REQUEST="true")
    assert good.status_code == 204 and good["HX-Redirect"] == f"/leads/{team.lead.pk}/"
    assert Lead.objects.get(pk=team.lead.pk).stage == Stage.CONTACTED
    reason = RefusalReason.objects.get(label="已在他处借款")
    client.post(url, {**FORM, "outcome": "refused", "refusal_reason": reason.pk})
    assert Lead.objects.get(pk=team.lead.pk).stage == Stage.REJECTED
    closed = client.get(f"/leads/{team.lead.pk}/").content.decode()
    assert 'data-testid="follow-up-form"' not in closed and "已在他处借款" in closed


def test_recording_upload_and_audited_download(team):
    client = client_for(team.agent)
    url = f"/sales/leads/{team.lead.pk}/interactions/"
    wrong = SimpleUploadedFile("call.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url, {"kind": "call", "summary": "回访", "recording": wrong})
    assert response.status_code == 422 and "请上传音频文件" in response.content.decode()
    audio = SimpleUploadedFile("call.mp3", b"ID3" + b"\x00" * 64, content_type="audio/mpeg")
    assert client.post(url, {"kind": "call", "summary": "回访", "recording": audio}).status_code == 302
    entry = Interaction.objects.get(kind="call")
    assert entry.recording.name.startswith("recordings/") and "call" not in entry.recording.name.rsplit("/", 1)[1]
    download = client.get(f"/sales/interactions/{entry.pk}/recording/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"ID3")
    assert AuditEvent.objects.filter(action="sales.recording_downloaded").count() == 1
    assert_scoped(f"/sales/interactions/{entry.pk}/recording/", allowed=[team.leader],
                  other_scope=[team.other_agent, team.outsider])  # fmt: skip
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    later = client.post(url, {"kind": "note", "summary": "x", "occurred_at": future})
    assert later.status_code == 422 and "互动时间不能晚于现在。" in later.content.decode()


def test_task_queue_scope_and_overdue_highlight(team):
    FollowUpTask.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    page = client_for(team.leader).get("/sales/tasks/").content.decode()
    assert 'data-overdue="1"' in page and 'data-testid="overdue-total"' in page and str(team.lead) in page
    assert str(team.lead) not in client_for(team.other_agent).get("/sales/tasks/").content.decode()
    assert str(team.lead) not in client_for(team.outsider).get("/sales/tasks/").content.decode()
    task = FollowUpTask.objects.get()
    assert_scoped(f"/sales/tasks/{task.pk}/close/", method="post", data={"done": "1"}, other_scope=[team.outsider])
    client_for(team.agent).post(f"/sales/tasks/{task.pk}/close/", {"done": "1"})
    assert FollowUpTask.objects.get().status == "done"


def test_settings_page(team):
    client = client_for(team.leader)
    assert client.get("/sales/settings/").status_code == 200
    assert client_for(team.agent).get("/sales/settings/").status_code == 403
    client.post("/sales/settings/", {"reason-label": "担心征信", "reason-position": "5", "reason-active": "on"})
    assert RefusalReason.objects.order_by("position").first().label == "担心征信"
    duplicate = client.post("/sales/settings/", {"reason-label": "担心征信", "reason-position": "6"})
    assert duplicate.status_code == 422 and "该原因已在列表中。" in duplicate.content.decode()
    client.post("/sales/settings/", {"action": "sla", "sla-first_call_minutes": "10", "sla-second_follow_up_days": "2"})
    sla = SlaSettings.objects.get()
    assert (sla.first_call_minutes, sla.second_follow_up_days) == (10, 2)
    assert AuditEvent.objects.filter(action="sales.sla_changed").count() == 1


def test_api(team):
    client = client_for(team.agent)
    body = {"lead_id": team.lead.pk, **FORM}
    created = client.post("/api/v1/sales/follow-ups", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["outcome"] == "positive"
    refused = client.post("/api/v1/sales/follow-ups", {**body, "outcome": "refused"}, content_type="application/json")
    assert refused.status_code == 400 and "refusal_reason" in refused.json()["fields"]
    tasks = client.get("/api/v1/sales/tasks").json()
    assert [t["kind"] for t in tasks["items"]] == ["second_follow_up"]
    timeline = client.get(f"/api/v1/sales/timeline/{team.lead.pk}").json()
    assert [e["kind"] for e in timeline][:2] == ["status", "follow_up"]
    assert client_for(team.outsider).get(f"/api/v1/sales/timeline/{team.lead.pk}").status_code == 404
    task_id = tasks["items"][0]["id"]
    closed = client.post(f"/api/v1/sales/tasks/{task_id}/close", {"done": True}, content_type="application/json")
    assert closed.status_code == 204


def test_customer_page_shows_the_timeline_of_its_leads(team):
    from loancrm.customers.services import lead_convert

    customer = lead_convert(actor=team.agent, lead_id=team.lead.pk, id_number="110105199001011232").customer
    page = client_for(team.agent).get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="timeline"' in page and f"转为新客户 {customer.number}" in page and "来自百度" in page
