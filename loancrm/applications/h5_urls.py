app_name = "applications_h5"
urlpatterns: list = []
