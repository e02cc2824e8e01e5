"""Pages of the existing-portfolio import (under /loans/portfolio/)."""

from django.urls import path

from loancrm.loans import portfolio_views as views

urlpatterns = [
    path("portfolio/", views.portfolio_list, name="portfolio_list"),
    path("portfolio/new/", views.portfolio_new, name="portfolio_new"),
    path("portfolio/template.xlsx", views.portfolio_template, name="portfolio_template"),
    path("portfolio/<int:pk>/", views.portfolio_detail, name="portfolio_detail"),
    path("portfolio/<int:pk>/start/", views.portfolio_start, name="portfolio_start"),
    path("portfolio/<int:pk>/errors.xlsx", views.portfolio_errors, name="portfolio_errors"),
]
