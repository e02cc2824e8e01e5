from django.urls import path

from loancrm.decisioning import views

app_name = "decisioning"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("application/<int:pk>/", views.application_decision, name="application_decision"),
    path("application/<int:pk>/replay/", views.decision_replay_view, name="replay"),
    path("backtest/<int:rule_set_pk>/", views.rule_set_backtest, name="rule_set_backtest"),
]
