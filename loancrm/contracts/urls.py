from django.urls import path

from loancrm.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/generate/", views.contract_generate_view, name="generate"),
    path("<int:pk>/cancel/", views.contract_cancel_view, name="cancel"),
    path("<int:pk>/guarantors/", views.guarantor_add_view, name="guarantor_add"),
    path("files/<int:pk>/download/", views.file_download, name="file_download"),
    path("application/<int:pk>/generate/", views.application_generate_view, name="application_generate"),
    path("templates/", views.template_list, name="templates"),
    path("templates/product/<int:pk>/new/", views.template_new, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/preview.pdf", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/publish/", views.template_publish_view, name="template_publish"),
]
