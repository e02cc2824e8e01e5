from django.urls import path

from loancrm.compliance import views

app_name = "compliance"

urlpatterns = [
    path("consent-texts/", views.texts, name="texts"),
    path("consents/", views.consents, name="consents"),
]
