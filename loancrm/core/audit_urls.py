from django.urls import path

from loancrm.core import audit_views as views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("export/", views.event_export, name="export"),
    path("<int:pk>/", views.event_detail, name="detail"),
]
