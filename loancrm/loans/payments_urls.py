"""Pages of the payments."""

urlpatterns: list = []
