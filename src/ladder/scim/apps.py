from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "ladder.scim"
    label = "scim"
    verbose_name = "SCIM provisioning"
