from loancrm.loans import calculator_urls, loan_urls, payments_urls, statements_urls

app_name = "loans"

urlpatterns = [
    *loan_urls.urlpatterns,
    *calculator_urls.urlpatterns,
    *payments_urls.urlpatterns,
    *statements_urls.urlpatterns,
]
