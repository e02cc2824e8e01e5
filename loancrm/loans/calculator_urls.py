"""Pages of the calculator."""

urlpatterns: list = []
