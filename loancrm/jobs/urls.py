from django.urls import path

from loancrm.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("start/", views.run_now, name="run_now"),
]
