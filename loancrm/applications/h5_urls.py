from django.urls import path

from loancrm.applications import h5

app_name = "applications_h5"

urlpatterns = [
    path("login/", h5.login, name="login"),
    path("login/identity/", h5.identity, name="identity"),
    path("logout/", h5.logout, name="logout"),
    path("my/", h5.home, name="home"),
    path("consent/", h5.consent, name="consent"),
    path("new/", h5.product_choice, name="new"),
    path("new/<int:version_id>/", h5.terms, name="create"),
    path("<int:pk>/", h5.detail, name="detail"),
    path("<int:pk>/terms/", h5.terms, name="terms"),
    path("<int:pk>/declarations/", h5.declarations, name="declarations"),
    path("<int:pk>/review/", h5.review, name="review"),
]
