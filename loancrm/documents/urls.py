from django.urls import path

from loancrm.documents import views

app_name = "documents"

urlpatterns = [
    path("application/<int:pk>/", views.application_documents, name="application_documents"),
    path("application/<int:pk>/upload/", views.upload, name="upload"),
    path("application/<int:pk>/corrections/", views.correction_create, name="correction_create"),
    path("corrections/<int:pk>/cancel/", views.correction_cancel, name="correction_cancel"),
    path("<int:pk>/file/", views.document_file, name="file"),
    path("<int:pk>/thumbnail/", views.document_thumbnail, name="thumbnail"),
    path("<int:pk>/reject/", views.reject, name="reject"),
]
