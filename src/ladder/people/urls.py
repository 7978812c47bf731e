from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("people/import/", views.upload, name="upload"),
    path("people/export.csv", views.export, name="export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("me/", views.me, name="me"),
    path("teams/", views.teams, name="teams"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
]
