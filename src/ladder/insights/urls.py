from django.urls import path

from . import views_gaps, views_levels, views_promotions, views_readiness, views_time

app_name = "insights"

urlpatterns = [
    path("", views_levels.levels_view, name="levels"),
    path("readiness/", views_readiness.readiness_view, name="readiness"),
    path("time-in-level/", views_time.time_view, name="time"),
    path("promotions/", views_promotions.promotions_view, name="promotions"),
    path("gaps/", views_gaps.gaps_view, name="gaps"),
]
