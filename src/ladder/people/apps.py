from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_save


class PeopleConfig(AppConfig):
    name = "ladder.people"
    label = "people"
    verbose_name = "People"

    def ready(self):
        from .emails import canonicalise_login_email

        pre_save.connect(
            canonicalise_login_email,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="people.canonicalise_login_email",
        )
