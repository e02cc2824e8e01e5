"""Pages of the calculator."""

from django.urls import path

from loancrm.loans import calculator_views

urlpatterns = [
    path("calculator/", calculator_views.calculator, name="calculator"),
]
