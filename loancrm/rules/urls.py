from django.urls import path

from loancrm.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("new/", views.rule_set_create, name="create"),
    path("check/", views.expression_check, name="check"),
    path("<int:pk>/", views.rule_set_detail, name="detail"),
    path("<int:pk>/rules/new/", views.rule_new, name="rule_new"),
    path("<int:pk>/rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("<int:pk>/rules/<int:rule_id>/move/", views.rule_move, name="rule_move"),
    path("<int:pk>/new-version/", views.rule_set_new_version, name="new_version"),
    path("<int:pk>/publish/", views.rule_set_publish, name="publish"),
    path("<int:pk>/test/", views.rule_set_test, name="test"),
]
