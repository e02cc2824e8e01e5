from django.urls import path

from loancrm.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new-corporate/", views.corporate_new, name="new_corporate"),
    path("from-lead/<int:lead_id>/", views.convert_lead, name="convert_lead"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/<slug:section>/", views.section_edit, name="edit"),
    path("<int:pk>/status/", views.status_change, name="status"),
    path("<int:pk>/credit-report/", views.credit_report, name="credit_report"),
]
