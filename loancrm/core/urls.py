from django.urls import path

from loancrm.core import pii_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/docs", views.api_docs, name="api-docs"),
    path("pii/reveal/", pii_views.reveal, name="pii-reveal"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notification-read"),
]
