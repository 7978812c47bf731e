from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "ladder.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Stored readiness follows every change below this layer, in the change's transaction.
        from ladder.frameworks.signals import version_imported
        from ladder.people.signals import levels_changed

        from . import stored

        levels_changed.connect(stored.on_levels_changed, dispatch_uid="readiness.levels")
        version_imported.connect(stored.on_version_imported, dispatch_uid="readiness.version")
        post_migrate.connect(stored.on_migrated, sender=self, dispatch_uid="readiness.migrated")
