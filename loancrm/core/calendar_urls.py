"""Pages of the business calendar; mounted at ``calendar/`` with the namespace ``calendar``."""

from django.urls import path

from loancrm.core import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("days/", views.day_add, name="day_add"),
    path("days/<int:pk>/remove/", views.day_remove, name="day_remove"),
    path("import/", views.import_year, name="import_year"),
    path("business-date/", views.business_date_set, name="business_date_set"),
]
