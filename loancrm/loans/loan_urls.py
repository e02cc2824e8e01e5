"""Pages of loan accounts."""

from django.urls import path

from loancrm.loans import views

urlpatterns = [
    path("", views.loan_list, name="list"),
    path("<int:pk>/", views.loan_detail, name="detail"),
]
