from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "ladder.insights"
    label = "insights"
    verbose_name = "Insights"
