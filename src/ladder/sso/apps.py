from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "ladder.sso"
    label = "sso"
    verbose_name = "Single sign-on"
