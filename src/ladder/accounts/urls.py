from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invite/", views.invite, name="invite"),
    path("invitation/accept/", views.invitation_accept_page, name="invitation_accept"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
