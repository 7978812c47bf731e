from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ladder.assessments"
    label = "assessments"
    verbose_name = "Assessments"
