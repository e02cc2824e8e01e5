from django.urls import path

from loancrm.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_new, name="new"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("<int:pk>/start/", views.import_start, name="start"),
    path("<int:pk>/rejected.xlsx", views.import_rejected, name="rejected"),
]
