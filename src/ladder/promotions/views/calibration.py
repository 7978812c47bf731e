"""The calibration page of a cycle, and rating adjustments."""

urlpatterns: list = []
