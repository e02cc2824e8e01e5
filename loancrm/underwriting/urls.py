from django.urls import path

from loancrm.underwriting import views

app_name = "underwriting"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("case/<int:pk>/", views.case_detail, name="case"),
    path("case/<int:pk>/claim/", views.case_claim, name="claim"),
    path("case/<int:pk>/release/", views.case_release, name="release"),
    path("case/<int:pk>/reassign/", views.case_reassign, name="reassign"),
    path("case/<int:pk>/opinion/", views.opinion_submit, name="opinion"),
    path("case/<int:pk>/call/", views.phone_call, name="call"),
    path("case/<int:pk>/phone/", views.phone_record, name="phone"),
    path("case/<int:pk>/document/<int:doc_pk>/", views.case_document, name="document"),
    path("case/<int:pk>/document/<int:doc_pk>/thumbnail/", views.case_document_thumbnail, name="document_thumbnail"),
    path("recording/<int:pk>/", views.recording, name="recording"),
    path("condition/<int:pk>/met/", views.condition_met, name="condition_met"),
]
