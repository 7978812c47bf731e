from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ladder.audit"
    label = "audit"
    verbose_name = "Audit log"
