from django.urls import path

from loancrm.leads import h5

app_name = "h5"

urlpatterns = [
    path("apply/", h5.landing, name="apply"),
    path("thanks/", h5.thanks, name="thanks"),
]
