"""Review cycle pages."""

urlpatterns: list = []
