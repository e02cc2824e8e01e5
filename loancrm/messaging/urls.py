from django.urls import path

from loancrm.messaging import views

app_name = "messaging"

urlpatterns = [
    path("sms/", views.sms_list, name="sms_list"),
    path("email/", views.email_list, name="email_list"),
]
