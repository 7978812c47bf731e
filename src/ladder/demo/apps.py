from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ladder.demo"
    label = "demo"
    verbose_name = "Demo organisation"
