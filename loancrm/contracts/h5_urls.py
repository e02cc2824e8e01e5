from django.urls import path

from loancrm.contracts import h5

app_name = "contracts_h5"

urlpatterns = [
    path("<str:token>/", h5.sign, name="sign"),
    path("<str:token>/pdf/", h5.contract_pdf, name="pdf"),
]
