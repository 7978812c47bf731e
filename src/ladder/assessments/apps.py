from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "ladder.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Stored readiness follows every change below this layer, in the change's transaction.
        from ladder.frameworks.signals import version_imported, version_previewed
        from ladder.people.signals import levels_changed

        from . import changes, stored

        levels_changed.connect(stored.on_levels_changed, dispatch_uid="readiness.levels")
        # A new version: stored readiness follows it, and whose verdict moved is kept and told.
        version_imported.connect(changes.on_version_imported, dispatch_uid="readiness.version")
        # A dry run of an import asks whose readiness it would move.
        version_previewed.connect(
            changes.on_version_previewed, dispatch_uid="readiness.version-preview"
        )
        post_migrate.connect(stored.on_migrated, sender=self, dispatch_uid="readiness.migrated")
