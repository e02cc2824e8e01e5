from django.urls import path

from loancrm.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.trial_balance, name="trial_balance"),
    path("journal/", views.journal, name="journal"),
    path("journal/<int:pk>/", views.entry_detail, name="entry"),
    path("periods/", views.period_list, name="periods"),
    path("periods/close/", views.period_close, name="period_close"),
    path("periods/reopen/", views.period_reopen, name="period_reopen"),
]
