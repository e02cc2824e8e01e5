from django.urls import path

from loancrm.documents import h5

app_name = "documents_h5"

urlpatterns = [
    path("apply/<int:pk>/documents/", h5.upload, name="upload"),
    path("documents/<int:pk>/file/", h5.document_file, name="file"),
    path("documents/<int:pk>/thumbnail/", h5.document_thumbnail, name="thumbnail"),
]
