from django.urls import path

from loancrm.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.my_pending, name="mine"),
    path("cases/", views.case_list, name="list"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/authority/", views.authority_set, name="authority_set"),
    path("policies/new/", views.policy_draft, name="policy_draft"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("delegations/", views.delegations, name="delegations"),
]
