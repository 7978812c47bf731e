from django.urls import path

from . import pages

app_name = "scim_tokens"
urlpatterns = [path("", pages.tokens, name="tokens")]
