from django.urls import include, path

app_name = "promotions"
# Each part of the round keeps its routes beside its views; the names are all "promotions:...".
urlpatterns = [
    path("", include("ladder.promotions.views.cycles")),
    path("", include("ladder.promotions.views.cases")),
    path("", include("ladder.promotions.views.calibration")),
    path("", include("ladder.promotions.views.reminders")),
]
