from django.urls import path

from loancrm.disbursements import views

app_name = "disbursements"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("application/<int:pk>/", views.application_page, name="application"),
    path("application/<int:pk>/penny/start/", views.penny_start, name="penny_start"),
    path("application/<int:pk>/penny/confirm/", views.penny_confirm, name="penny_confirm"),
    path("application/<int:pk>/request/", views.request_view, name="request"),
    path("order/<int:pk>/retry/", views.retry_view, name="retry"),
    path("order/<int:pk>/cancel/", views.cancel_view, name="cancel"),
]
