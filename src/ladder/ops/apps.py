from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Ladder in production: serving, health checks, logs, metrics, backups."""

    name = "ladder.ops"
    label = "ops"
    verbose_name = "Operations"
