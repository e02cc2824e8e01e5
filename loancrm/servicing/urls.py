"""Pages of overdue loans: the list (and its export) and the bucket summary."""

from django.urls import path

from loancrm.servicing import views

app_name = "servicing"

urlpatterns = [
    path("overdue/", views.overdue_list, name="overdue"),
    path("overdue/export/", views.overdue_export, name="overdue_export"),
    path("buckets/", views.bucket_summary, name="buckets"),
]
