from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "ladder.frameworks"
    label = "frameworks"
    verbose_name = "Ladders"

    def ready(self):
        from ladder import checks  # noqa: F401  (registers the settings checks)
