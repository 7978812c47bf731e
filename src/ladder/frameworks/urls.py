from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.home, name="home"),
]
