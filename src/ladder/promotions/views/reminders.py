"""Turning reminders off and on for oneself."""

urlpatterns: list = []
