"""Promotion case pages: the packet, its PDF, notes and decisions."""

urlpatterns: list = []
