"""Root URL configuration: pages per app, the JSON API under /api/v1/, language switching."""

from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from config.api import api

handler403 = "loancrm.core.views.permission_denied"
handler404 = "loancrm.core.views.page_not_found"
handler500 = "loancrm.core.views.server_error"

urlpatterns = [
    path("api/v1/", api.urls),  # first: machine clients (payment channels, partners) are the hot path
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("", include("loancrm.core.urls")),
    path("accounts/", include("loancrm.accounts.urls")),
    path("jobs/", include("loancrm.jobs.urls")),
    path("calendar/", include("loancrm.core.calendar_urls")),
    path("audit/", include("loancrm.core.audit_urls")),
    path("compliance/", include("loancrm.compliance.urls")),
    path("leads/", include("loancrm.leads.urls")),
    path("h5/", include("loancrm.leads.h5_urls")),
    path("h5/apply/", include("loancrm.applications.h5_urls")),
    path("applications/", include("loancrm.applications.urls")),
    path("messaging/", include("loancrm.messaging.urls")),
    path("sales/", include("loancrm.sales.urls")),
    path("customers/", include("loancrm.customers.urls")),
    path("imports/", include("loancrm.imports.urls")),
    path("loans/", include("loancrm.loans.urls")),
    path("servicing/", include("loancrm.servicing.urls")),
    path("ledger/", include("loancrm.ledger.urls")),
    path("products/", include("loancrm.products.urls")),
    path("rules/", include("loancrm.rules.urls")),
    path("decisions/", include("loancrm.decisioning.urls")),
    path("approvals/", include("loancrm.approvals.urls")),
    path("disbursements/", include("loancrm.disbursements.urls")),
    path("underwriting/", include("loancrm.underwriting.urls")),
    path("documents/", include("loancrm.documents.urls")),
    path("h5/", include("loancrm.documents.h5_urls")),
    path("contracts/", include("loancrm.contracts.urls")),
    path("h5/contract/", include("loancrm.contracts.h5_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
