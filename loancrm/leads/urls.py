from django.urls import path

from loancrm.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("pool/", views.pool_list, name="pool"),
    path("board/", views.lead_board, name="board"),
    path("funnel/", views.lead_funnel, name="funnel"),
    path("assignment/", views.assignment_settings, name="assignment"),
    path("<int:pk>/stage/", views.stage_change, name="stage"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
]
