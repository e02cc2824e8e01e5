"""Pages of bank statement files (under /loans/, namespace ``loans``)."""

from django.urls import path

from loancrm.loans import statements_views as views

urlpatterns = [
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/new/", views.statement_new, name="statement_new"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/start/", views.statement_start, name="statement_start"),
    path("statements/<int:pk>/unmatched.xlsx", views.statement_export, name="statement_export"),
]
