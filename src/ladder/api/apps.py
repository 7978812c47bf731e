from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ladder.api"
    label = "api"
    verbose_name = "JSON API"
