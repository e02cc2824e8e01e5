"""Pages of loan accounts."""

urlpatterns: list = []
