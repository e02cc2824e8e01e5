"""Role × endpoint matrix: every page and API operation, every built-in role.

The inventory test fails when an endpoint exists that this matrix does not list, so each new module must add its
endpoints here (and use ``loancrm.core.testing.access.assert_scoped`` for record-level scope).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from loancrm.accounts.roles import ROLE_PERMISSIONS, ROLES
from loancrm.accounts.tests.factories import make_user
from loancrm.core.testing.access import assert_scoped, status_for, users_by_role

ANY = None  # any signed-in user
PUBLIC = "public"

# path (as in urls.py / OpenAPI), method, permission needed (ANY = signed in, PUBLIC = no sign-in)
PAGES = [
    ("", "get", ANY),
    ("favicon.ico", "get", PUBLIC),
    ("healthz", "get", PUBLIC),
    ("api/docs", "get", PUBLIC),
    ("pii/reveal/", "post", ANY),
    ("notifications/", "get", ANY),
    ("notifications/read/", "post", ANY),
    ("accounts/login/", "get", PUBLIC),
    ("accounts/logout/", "post", PUBLIC),
    ("accounts/profile/", "get", ANY),
    ("accounts/password/", "get", ANY),
    ("accounts/2fa/", "get", PUBLIC),
    ("accounts/2fa/setup/", "get", ANY),
    ("accounts/2fa/recovery-codes/", "post", ANY),
    ("accounts/users/<int:pk>/reset-2fa/", "post", "accounts.manage_users"),
    ("accounts/roles/<slug:code>/2fa/", "post", "accounts.manage_users"),
    ("accounts/users/", "get", "accounts.view_user"),
    ("accounts/users/new/", "get", "accounts.manage_users"),
    ("accounts/users/<int:pk>/", "get", "accounts.view_user"),
    ("accounts/users/<int:pk>/edit/", "get", "accounts.manage_users"),
    ("accounts/users/<int:pk>/disable/", "post", "accounts.manage_users"),
    ("accounts/users/<int:pk>/enable/", "post", "accounts.manage_users"),
    ("accounts/users/<int:pk>/unlock/", "post", "accounts.manage_users"),
    ("accounts/users/<int:pk>/reset-password/", "post", "accounts.manage_users"),
    ("accounts/roles/", "get", "accounts.manage_users"),
    ("accounts/org/", "get", "accounts.manage_users"),
    ("accounts/tokens/", "get", "accounts.manage_tokens"),
    ("accounts/tokens/<int:pk>/revoke/", "post", "accounts.manage_tokens"),
    ("jobs/", "get", "jobs.view_jobrun"),
    ("jobs/runs/<int:pk>/", "get", "jobs.view_jobrun"),
    ("jobs/start/", "post", "jobs.run_job"),
    ("calendar/", "get", "core.view_calendarday"),
    ("calendar/days/", "post", "core.manage_calendar"),
    ("calendar/days/<int:pk>/remove/", "post", "core.manage_calendar"),
    ("calendar/import/", "post", "core.manage_calendar"),
    ("calendar/business-date/", "post", "core.change_businessdate"),
    ("i18n/setlang/", "post", PUBLIC),
    ("compliance/consent-texts/", "get", "compliance.view_consenttext"),
    ("compliance/consents/", "get", "compliance.view_consent"),
    ("h5/apply/", "get", PUBLIC),
    ("h5/thanks/", "get", PUBLIC),
    ("h5/apply/login/", "get", PUBLIC),
    ("h5/apply/login/identity/", "get", PUBLIC),
    ("h5/apply/logout/", "post", PUBLIC),
    ("h5/apply/my/", "get", PUBLIC),
    ("h5/apply/consent/", "get", PUBLIC),
    ("h5/apply/new/", "get", PUBLIC),
    ("h5/apply/new/<int:version_id>/", "get", PUBLIC),
    ("h5/apply/<int:pk>/", "get", PUBLIC),
    ("h5/apply/<int:pk>/terms/", "get", PUBLIC),
    ("h5/apply/<int:pk>/declarations/", "get", PUBLIC),
    ("h5/apply/<int:pk>/review/", "get", PUBLIC),
    ("applications/", "get", "applications.view_application"),
    ("applications/new/", "get", "applications.add_application"),
    ("applications/<int:pk>/", "get", "applications.view_application"),
    ("applications/<int:pk>/edit/", "get", "applications.change_application"),
    ("applications/<int:pk>/submit/", "post", "applications.submit_application"),
    ("applications/<int:pk>/withdraw/", "post", "applications.change_application"),
    ("messaging/sms/", "get", "messaging.view_smsmessage"),
    ("messaging/email/", "get", "messaging.view_emailmessagerecord"),
    ("leads/", "get", "leads.view_lead"),
    ("leads/<int:pk>/", "get", "leads.view_lead"),
    ("leads/pool/", "get", "leads.intake_lead"),
    ("leads/board/", "get", "leads.view_lead"),
    ("leads/funnel/", "get", "leads.view_lead"),
    ("leads/assignment/", "get", "leads.change_assignmentrule"),
    ("leads/<int:pk>/stage/", "post", "leads.view_lead"),
    ("leads/<int:pk>/claim/", "post", "leads.intake_lead"),
    ("leads/<int:pk>/reassign/", "post", "leads.assign_lead"),
    ("sales/tasks/", "get", "sales.view_followuptask"),
    ("sales/tasks/<int:pk>/close/", "post", "sales.add_followup"),
    ("sales/leads/<int:lead_id>/follow-ups/", "post", "sales.add_followup"),
    ("sales/leads/<int:lead_id>/interactions/", "post", "sales.add_followup"),
    ("sales/interactions/<int:pk>/recording/", "get", "sales.view_interaction"),
    ("sales/settings/", "get", "sales.change_refusalreason"),
    ("sales/tags/", "get", "sales.change_tag"),
    ("sales/leads/<int:lead_id>/tags/", "post", "sales.add_followup"),
    ("sales/scripts/", "get", "sales.view_script"),
    ("sales/scripts/new/", "get", "sales.change_script"),
    ("sales/scripts/<int:pk>/edit/", "get", "sales.change_script"),
    ("customers/", "get", "customers.view_customer"),
    ("customers/new-corporate/", "get", "customers.add_customer"),
    ("customers/from-lead/<int:lead_id>/", "post", "customers.add_customer"),
    ("customers/<int:pk>/", "get", "customers.view_customer"),
    ("customers/<int:pk>/edit/<slug:section>/", "get", "customers.change_customer"),
    ("customers/<int:pk>/status/", "post", "customers.change_customer"),
    ("customers/<int:pk>/credit-report/", "get", "customers.view_credit_report"),
    ("imports/", "get", "imports.view_leadimport"),
    ("imports/new/", "get", "imports.add_leadimport"),
    ("imports/<int:pk>/", "get", "imports.view_leadimport"),
    ("imports/<int:pk>/mapping/", "post", "imports.add_leadimport"),
    ("imports/<int:pk>/start/", "post", "imports.add_leadimport"),
    ("imports/<int:pk>/rejected.xlsx", "get", "imports.view_leadimport"),
    ("loans/statements/", "get", "loans.view_loan"),
    ("loans/statements/new/", "get", "loans.post_payment"),
    ("loans/statements/<int:pk>/", "get", "loans.view_loan"),
    ("loans/statements/<int:pk>/start/", "post", "loans.post_payment"),
    ("loans/statements/<int:pk>/unmatched.xlsx", "get", "loans.view_loan"),
    ("loans/portfolio/", "get", "loans.book_loan"),
    ("loans/portfolio/new/", "get", "loans.book_loan"),
    ("loans/portfolio/template.xlsx", "get", "loans.book_loan"),
    ("loans/portfolio/<int:pk>/", "get", "loans.book_loan"),
    ("loans/portfolio/<int:pk>/start/", "post", "loans.book_loan"),
    ("loans/portfolio/<int:pk>/errors.xlsx", "get", "loans.book_loan"),
    ("audit/", "get", "accounts.view_audit"),
    ("audit/export/", "get", "accounts.view_audit"),
    ("audit/<int:pk>/", "get", "accounts.view_audit"),
    ("ledger/", "get", "ledger.view_journalentry"),
    ("ledger/journal/", "get", "ledger.view_journalentry"),
    ("ledger/journal/<int:pk>/", "get", "ledger.view_journalentry"),
    ("ledger/periods/", "get", "ledger.view_journalentry"),
    ("ledger/periods/close/", "post", "ledger.close_period"),
    ("ledger/periods/reopen/", "post", "ledger.reopen_period"),
    ("loans/calculator/", "get", "accounts.view_dashboard"),
    ("loans/channels/", "get", "loans.manage_payment_channels"),
    ("loans/channels/<int:pk>/", "get", "loans.manage_payment_channels"),
    ("loans/channels/<int:pk>/rotate/", "post", "loans.manage_payment_channels"),
    ("loans/postings/", "get", "loans.post_payment"),
    ("loans/postings/<int:pk>/", "get", "loans.post_payment"),
    ("loans/postings/<int:pk>/approve/", "post", "loans.approve_posting"),
    ("loans/postings/<int:pk>/reject/", "post", "loans.approve_posting"),
    ("loans/<int:pk>/postings/new/payment/", "get", "loans.post_payment"),
    ("loans/<int:pk>/postings/new/prepayment/", "get", "loans.post_payment"),
    ("loans/<int:pk>/postings/new/payoff/", "get", "loans.post_payment"),
    ("loans/<int:pk>/postings/new/reversal/", "get", "loans.reverse_payment"),
    ("loans/", "get", "loans.view_loan"),
    ("loans/<int:pk>/", "get", "loans.view_loan"),
    ("servicing/overdue/", "get", "loans.view_loan"),
    ("servicing/overdue/export/", "get", "accounts.export_data"),
    ("servicing/buckets/", "get", "loans.view_loan"),
    ("products/", "get", "products.view_product"),
    ("products/new/", "get", "products.change_product"),
    ("products/<int:pk>/", "get", "products.view_product"),
    ("products/<int:pk>/versions/new/", "post", "products.change_product"),
    ("products/versions/<int:pk>/", "get", "products.view_product"),
    ("products/versions/<int:pk>/publish/", "get", "products.change_product"),
    ("rules/", "get", "rules.view_ruleset"),
    ("rules/new/", "get", "rules.change_ruleset"),
    ("rules/check/", "post", "rules.change_ruleset"),
    ("rules/<int:pk>/", "get", "rules.view_ruleset"),
    ("rules/<int:pk>/rules/new/", "get", "rules.change_ruleset"),
    ("rules/<int:pk>/rules/<int:rule_id>/", "get", "rules.change_ruleset"),
    ("rules/<int:pk>/rules/<int:rule_id>/delete/", "post", "rules.change_ruleset"),
    ("rules/<int:pk>/rules/<int:rule_id>/move/", "post", "rules.change_ruleset"),
    ("rules/<int:pk>/new-version/", "post", "rules.change_ruleset"),
    ("rules/<int:pk>/publish/", "post", "rules.change_ruleset"),
    ("rules/<int:pk>/test/", "post", "rules.view_ruleset"),
    ("decisions/", "get", "decisioning.view_decision"),
    ("decisions/application/<int:pk>/", "get", "decisioning.view_decision"),
    ("decisions/application/<int:pk>/replay/", "post", "decisioning.replay_decision"),
    ("decisions/backtest/<int:rule_set_pk>/", "get", "decisioning.backtest_rule_set"),
    ("approvals/", "get", "approvals.act_approvalcase"),
    ("approvals/cases/", "get", "approvals.view_approvalcase"),
    ("approvals/cases/<int:pk>/", "get", "approvals.view_approvalcase"),
    ("approvals/policies/", "get", "approvals.view_approvalpolicyversion"),
    ("approvals/policies/authority/", "post", "approvals.manage_approvalpolicy"),
    ("approvals/policies/new/", "post", "approvals.manage_approvalpolicy"),
    ("approvals/policies/<int:pk>/", "get", "approvals.view_approvalpolicyversion"),
    ("approvals/delegations/", "get", "approvals.act_approvalcase"),
    ("documents/application/<int:pk>/", "get", "documents.view_document"),
    ("documents/application/<int:pk>/upload/", "post", "documents.add_document"),
    ("documents/application/<int:pk>/corrections/", "post", "documents.add_correctionrequest"),
    ("documents/corrections/<int:pk>/cancel/", "post", "documents.add_correctionrequest"),
    ("documents/<int:pk>/file/", "get", "documents.view_document"),
    ("documents/<int:pk>/thumbnail/", "get", "documents.view_document"),
    ("documents/<int:pk>/reject/", "post", "documents.reject_document"),
    ("h5/apply/<int:pk>/documents/", "get", PUBLIC),  # the H5 customer session, not a back-office login
    ("h5/documents/<int:pk>/file/", "get", PUBLIC),
    ("h5/documents/<int:pk>/thumbnail/", "get", PUBLIC),
    ("contracts/", "get", "contracts.view_contract"),
    ("contracts/<int:pk>/", "get", "contracts.view_contract"),
    ("contracts/<int:pk>/generate/", "post", "contracts.generate_contract"),
    ("contracts/<int:pk>/cancel/", "post", "contracts.generate_contract"),
    ("contracts/<int:pk>/guarantors/", "post", "contracts.add_guarantor"),
    ("contracts/files/<int:pk>/download/", "get", "contracts.view_contract"),
    ("contracts/application/<int:pk>/generate/", "post", "contracts.generate_contract"),
    ("contracts/templates/", "get", "contracts.manage_contract_templates"),
    ("contracts/templates/product/<int:pk>/new/", "post", "contracts.manage_contract_templates"),
    ("contracts/templates/<int:pk>/", "get", "contracts.manage_contract_templates"),
    ("contracts/templates/<int:pk>/preview.pdf", "get", "contracts.manage_contract_templates"),
    ("contracts/templates/<int:pk>/publish/", "post", "contracts.manage_contract_templates"),
    ("h5/contract/<str:token>/", "get", PUBLIC),  # the signing link's token, confirmed by an SMS code
    ("h5/contract/<str:token>/pdf/", "get", PUBLIC),
    ("disbursements/", "get", "disbursements.view_disbursementorder"),
    ("disbursements/application/<int:pk>/", "get", "disbursements.view_disbursementorder"),
    ("disbursements/application/<int:pk>/penny/start/", "post", "disbursements.verify_bank_account"),
    ("disbursements/application/<int:pk>/penny/confirm/", "post", "disbursements.verify_bank_account"),
    ("disbursements/application/<int:pk>/request/", "post", "disbursements.request_disbursement"),
    ("disbursements/order/<int:pk>/retry/", "post", "disbursements.request_disbursement"),
    ("disbursements/order/<int:pk>/cancel/", "post", "disbursements.request_disbursement"),
    ("underwriting/", "get", "underwriting.view_reviewcase"),
    ("underwriting/rules/", "get", "underwriting.manage_routing"),
    ("underwriting/rules/<int:pk>/", "get", "underwriting.manage_routing"),
    ("underwriting/rules/new/", "get", "underwriting.manage_routing"),
    ("underwriting/case/<int:pk>/", "get", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/claim/", "post", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/release/", "post", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/reassign/", "post", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/opinion/", "post", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/call/", "post", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/phone/", "post", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/document/<int:doc_pk>/", "get", "underwriting.view_reviewcase"),
    ("underwriting/case/<int:pk>/document/<int:doc_pk>/thumbnail/", "get", "underwriting.view_reviewcase"),
    ("underwriting/recording/<int:pk>/", "get", "underwriting.view_reviewcase"),
    ("underwriting/condition/<int:pk>/met/", "post", "underwriting.mark_condition_met"),
]
API = [
    ("/api/v1/documents/applications/{application_id}", "get", "documents.view_document"),
    ("/api/v1/documents/applications/{application_id}", "post", "documents.add_document"),
    ("/api/v1/documents/{document_id}/file", "get", "documents.view_document"),
    ("/api/v1/documents/applications/{application_id}/corrections", "post", "documents.add_correctionrequest"),
    ("/api/v1/calendar/business-date", "get", ANY),
    ("/api/v1/calendar/business-date", "put", "core.change_businessdate"),
    ("/api/v1/calendar/days", "get", ANY),
    ("/api/v1/calendar/days", "post", "core.manage_calendar"),
    ("/api/v1/calendar/days/{day_id}", "delete", "core.manage_calendar"),
    ("/api/v1/calendar/working-day", "get", ANY),
    ("/api/v1/pii/reveal", "post", ANY),
    ("/api/v1/accounts/me", "get", ANY),
    ("/api/v1/accounts/users", "get", "accounts.view_user"),
    ("/api/v1/accounts/users", "post", "accounts.manage_users"),
    ("/api/v1/accounts/users/{user_id}", "get", "accounts.view_user"),
    ("/api/v1/accounts/users/{user_id}", "put", "accounts.manage_users"),
    ("/api/v1/accounts/users/{user_id}/disable", "post", "accounts.manage_users"),
    ("/api/v1/accounts/roles", "get", ANY),
    ("/api/v1/accounts/org-units", "get", ANY),
    ("/api/v1/jobs/", "get", "jobs.view_jobrun"),
    ("/api/v1/jobs/runs", "get", "jobs.view_jobrun"),
    ("/api/v1/jobs/runs", "post", "jobs.run_job"),
    ("/api/v1/jobs/runs/{run_id}", "get", "jobs.view_jobrun"),
    ("/api/v1/compliance/consent-texts", "get", ANY),
    ("/api/v1/leads", "post", "leads.intake_lead"),
    ("/api/v1/leads", "get", "leads.view_lead"),
    ("/api/v1/leads/batch", "post", "leads.intake_lead"),
    ("/api/v1/leads/funnel", "get", "leads.view_lead"),
    ("/api/v1/leads/{lead_id}", "get", "leads.view_lead"),
    ("/api/v1/sales/follow-ups", "post", "sales.add_followup"),
    ("/api/v1/sales/tasks", "get", "sales.view_followuptask"),
    ("/api/v1/sales/tasks/{task_id}/close", "post", "sales.add_followup"),
    ("/api/v1/sales/timeline/{lead_id}", "get", "leads.view_lead"),
    ("/api/v1/sales/scripts", "get", "sales.view_script"),
    ("/api/v1/customers", "get", "customers.view_customer"),
    ("/api/v1/customers/{customer_id}", "get", "customers.view_customer"),
    ("/api/v1/customers/from-lead/{lead_id}", "post", "customers.add_customer"),
    ("/api/v1/customers/{customer_id}/status", "post", "customers.change_customer"),
    ("/api/v1/applications", "post", "applications.add_application"),
    ("/api/v1/applications/{number}", "get", "applications.add_application"),
    ("/api/v1/applications/{number}/submit", "post", "applications.submit_application"),
    ("/api/v1/imports", "post", "imports.add_leadimport"),
    ("/api/v1/imports", "get", "imports.view_leadimport"),
    ("/api/v1/imports/{import_id}", "get", "imports.view_leadimport"),
    ("/api/v1/imports/{import_id}/mapping", "put", "imports.add_leadimport"),
    ("/api/v1/imports/{import_id}/start", "post", "imports.add_leadimport"),
    ("/api/v1/imports/{import_id}/rejected.xlsx", "get", "imports.view_leadimport"),
    ("/api/v1/calculator/schedule", "post", PUBLIC),
    ("/api/v1/payments/notify/{channel}", "post", PUBLIC),
    ("/api/v1/disbursements/applications/{application_id}/request", "post", "disbursements.request_disbursement"),
    ("/api/v1/disbursements/applications/{application_id}", "get", "disbursements.view_disbursementorder"),
    ("/api/v1/disbursements/callback", "post", PUBLIC),
    ("/api/v1/payments/requests", "post", "loans.post_payment"),
    ("/api/v1/payments/requests", "get", "loans.approve_posting"),
    ("/api/v1/payments/requests/{request_id}/approve", "post", "loans.approve_posting"),
    ("/api/v1/payments/requests/{request_id}/reject", "post", "loans.approve_posting"),
    ("/api/v1/payments/quote", "get", "loans.view_loan"),
    ("/api/v1/loans", "get", "loans.view_loan"),
    ("/api/v1/loans/by-contract/{contract_no}", "get", "loans.view_loan"),
    ("/api/v1/loans/{loan_id}", "get", "loans.view_loan"),
    ("/api/v1/loans/{loan_id}/schedule", "get", "loans.view_loan"),
    ("/api/v1/loans/{loan_id}/transactions", "get", "loans.view_loan"),
    ("/api/v1/servicing/overdue", "get", "loans.view_loan"),
    ("/api/v1/servicing/buckets", "get", "loans.view_loan"),
    ("/api/v1/ledger/trial-balance", "get", "ledger.view_journalentry"),
    ("/api/v1/ledger/entries", "get", "ledger.view_journalentry"),
    ("/api/v1/ledger/entries/{entry_id}", "get", "ledger.view_journalentry"),
    ("/api/v1/ledger/periods", "get", "ledger.view_journalentry"),
    ("/api/v1/ledger/periods/{month}/close", "post", "ledger.close_period"),
    ("/api/v1/ledger/periods/{month}/reopen", "post", "ledger.reopen_period"),
    ("/api/v1/products", "get", "products.view_product"),
    ("/api/v1/products", "post", "products.change_product"),
    ("/api/v1/products/{product_id}", "get", "products.view_product"),
    ("/api/v1/products/{product_id}/versions", "post", "products.change_product"),
    ("/api/v1/products/{product_id}/versions/{version}", "get", "products.view_product"),
    ("/api/v1/products/{product_id}/versions/{version}", "put", "products.change_product"),
    ("/api/v1/products/{product_id}/versions/{version}/publish", "post", "products.change_product"),
    ("/api/v1/approvals/pending", "get", "approvals.act_approvalcase"),
    ("/api/v1/approvals/cases", "get", "approvals.view_approvalcase"),
    ("/api/v1/approvals/cases/{case_id}/act", "post", "approvals.act_approvalcase"),
    ("/api/v1/contracts/{contract_no}", "get", "contracts.view_contract"),
    ("/api/v1/contracts/{contract_no}/verify", "get", "contracts.view_contract"),
    ("/api/v1/underwriting/cases", "get", "underwriting.view_reviewcase"),
    ("/api/v1/underwriting/cases/{case_id}", "get", "underwriting.view_reviewcase"),
    ("/api/v1/underwriting/cases/{case_id}/claim", "post", "underwriting.work_reviewcase"),
    ("/api/v1/underwriting/cases/{case_id}/release", "post", "underwriting.work_reviewcase"),
    ("/api/v1/underwriting/cases/{case_id}/reassign", "post", "underwriting.supervise_reviewcase"),
    ("/api/v1/underwriting/cases/{case_id}/opinion", "post", "underwriting.work_reviewcase"),
    ("/api/v1/underwriting/conditions/{condition_id}/met", "post", "underwriting.mark_condition_met"),
]
# sidebar item key, permission needed to see it (ANY = every signed-in user; a tuple: any one of them)
NAV = [
    ("home", ANY),
    ("leads", "leads.view_lead"),
    ("tasks", "sales.view_followuptask"),
    ("board", "leads.view_lead"),
    ("funnel", "leads.view_lead"),
    ("pool", "leads.intake_lead"),
    ("customers", "customers.view_customer"),
    ("applications", "applications.view_application"),
    ("imports", "imports.view_leadimport"),
    ("scripts", "sales.view_script"),
    ("assignment", "leads.change_assignmentrule"),
    ("tags", "sales.change_tag"),
    ("sales_settings", "sales.change_refusalreason"),
    ("loans", "loans.view_loan"),
    ("overdue_loans", "loans.view_loan"),
    ("bucket_summary", "loans.view_loan"),
    ("loan_calculator", "accounts.view_dashboard"),
    ("loan_postings", ("loans.post_payment", "loans.reverse_payment", "loans.approve_posting")),
    ("payment_channels", "loans.manage_payment_channels"),
    ("loan_statements", "loans.post_payment"),
    ("portfolio_import", "loans.book_loan"),
    ("trial_balance", "ledger.view_journalentry"),
    ("journal", "ledger.view_journalentry"),
    ("periods", "ledger.view_journalentry"),
    ("audit", "accounts.view_audit"),
    ("consent_texts", "compliance.view_consenttext"),
    ("consents", "compliance.view_consent"),
    ("jobs", "jobs.view_jobrun"),
    ("calendar", "core.view_calendarday"),
    ("users", "accounts.view_user"),
    ("roles", "accounts.manage_users"),
    ("org", "accounts.manage_users"),
    ("tokens", "accounts.manage_tokens"),
    ("products", "products.view_product"),
    ("rule_sets", "rules.view_ruleset"),
    ("sms_outbox", "messaging.view_smsmessage"),
    ("decisions", "decisioning.view_decision"),
    ("approvals", "approvals.act_approvalcase"),
    ("approval_cases", "approvals.view_approvalcase"),
    ("approval_policies", "approvals.view_approvalpolicyversion"),
    ("contracts", "contracts.view_contract"),
    ("contract_templates", "contracts.manage_contract_templates"),
    ("disbursements", "disbursements.view_disbursementorder"),
    ("review_queue", "underwriting.view_reviewcase"),
    ("review_routing", "underwriting.manage_routing"),
]


def _walk(patterns: list, prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_endpoint_is_in_the_matrix():
    from config.api import api

    pages = {path for path in _walk(get_resolver().url_patterns) if not path.startswith("api/v1/")}
    assert pages == {path for path, _m, _p in PAGES}
    operations = {(path, method) for path, ops in api.get_openapi_schema()["paths"].items() for method in ops}
    assert operations == {(path, method) for path, method, _p in API}


def test_every_nav_item_is_in_the_matrix():
    from loancrm.core.navigation import _collect

    assert sorted(item.key for item in _collect("NAV_ITEMS")) == sorted(key for key, _p in NAV)


@pytest.mark.django_db
def test_each_role_sees_exactly_the_nav_items_it_may_open(org):
    from loancrm.core.navigation import nav_for

    users = users_by_role(org.bj_team1)
    for role in ROLES:
        shown = {item["key"] for section in nav_for(users[role.code]) for item in section["items"]}
        granted = set(ROLE_PERMISSIONS[role.code])
        expected = {
            key for key, perm in NAV if perm is ANY or granted & set(perm if isinstance(perm, tuple) else [perm])
        }
        assert shown == expected, role.code


def _url(template: str, pk: int) -> str:
    url = re.sub(r"<int:\w+>|\{\w+\}", str(pk), template).replace("<slug:code>", "collector")
    url = url.replace("<slug:section>", "identity")
    return url if url.startswith("/") else "/" + url


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "perm"), [e for e in PAGES + API if e[2] not in (ANY, PUBLIC)])
def test_roles_without_the_permission_are_refused(org, path, method, perm):
    users = users_by_role(org.bj_team1)
    for role in ROLES:
        granted = perm in ROLE_PERMISSIONS[role.code]
        code = status_for(users[role.code], method, _url(path, users["administrator"].pk))
        if granted:
            assert code not in (401, 403), f"{role.code} has {perm} but got {code} on {method} {path}"
        else:
            assert code in (403, 404), f"{role.code} lacks {perm} but got {code} on {method} {path}"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), [(p, m) for p, m, perm in PAGES + API if perm is ANY])
def test_signed_in_endpoints_refuse_anonymous_visitors(path, method):
    code = status_for(None, method, _url(path, 1))
    assert code in ((401,) if path.startswith("/api/") else (302, 401, 403))


@pytest.fixture
def branch_hr(org):
    """A custom role that may view users of its own branch only (built-in viewers all see everything)."""
    from django.contrib.auth.models import Group, Permission

    from loancrm.accounts.models import RoleProfile

    group = Group.objects.create(name="role:branch_hr")
    group.permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="accounts"))
    RoleProfile.objects.create(group=group, code="branch_hr", name="分行人事", data_scope="branch")
    bj_hr = make_user("bj_hr", unit=org.bj)
    sh_hr = make_user("sh_hr", unit=org.sh)
    for user in (bj_hr, sh_hr):
        user.groups.add(group)
    return bj_hr, sh_hr


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["/accounts/users/{pk}/", "/api/v1/accounts/users/{pk}"])
def test_user_records_are_scoped_by_branch(org, branch_hr, template):
    bj_hr, sh_hr = branch_hr
    subject = make_user("subject", role="sales_agent", unit=org.bj_team1)
    compliance = make_user("comp", role="compliance_officer", unit=org.hq)
    agent = make_user("agent2", role="sales_agent", unit=org.bj_team1)
    assert_scoped(
        template.format(pk=subject.pk), allowed=[compliance, bj_hr], other_scope=[sh_hr], no_permission=[agent]
    )
    assert_scoped(template.format(pk=999999), other_scope=[compliance, bj_hr])


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["/loans/statements/{pk}/", "/loans/statements/{pk}/unmatched.xlsx"])
def test_bank_statements_are_shown_to_company_wide_viewers_only(org, template, tmp_path, settings):
    """A statement lists payments of every branch: viewers with the whole company in scope (and its uploader) see
    it; a loan viewer with a narrower scope gets the same 404 as for a missing statement."""
    from loancrm.loans.statements.services import statement_upload
    from loancrm.loans.tests.statement_factories import csv_file, make_channel

    settings.MEDIA_ROOT = tmp_path
    operations = make_user("ops_st", role="operations", unit=org.hq)
    compliance = make_user("comp_st", role="compliance_officer", unit=org.hq)
    collector = make_user("coll_st", role="collector", unit=org.bj_team1)
    qa = make_user("qa_st", role="qa_inspector", unit=org.bj)
    channel = make_channel("ICBC")
    statement = statement_upload(actor=operations, upload=csv_file([["T1", "HT1", "1.00", "2026-01-15", ""]]),
                                 channel_id=channel.pk)  # fmt: skip
    assert_scoped(template.format(pk=statement.pk), allowed=[operations, compliance], other_scope=[collector],
                  no_permission=[qa])  # fmt: skip
    assert_scoped(template.format(pk=999999), other_scope=[operations])
