from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ladder.people"
    label = "people"
    verbose_name = "People"
