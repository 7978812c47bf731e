"""Health checks for load balancers and orchestrators: cheap, unauthenticated, never cached."""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    if status >= 500:
        # Not ready is an expected state while a deployment migrates: a warning, never the
        # error (and mail to ADMINS on every probe) Django logs for other 5xx answers.
        logger.warning("%s", text)
        response._has_been_logged = True
    return response


@never_cache
@require_safe
def healthz(request):
    """The process answers: nothing else is asked, so a slow database never restarts it."""
    return plain("ok")


# Once every migration this code knows is applied, it stays so for the life of the process
# (migrations only move forward), so later checks skip reading the migration files.
_all_applied = False


def unapplied_migrations() -> list[str]:
    global _all_applied
    if _all_applied:
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    _all_applied = not pending
    return pending


@never_cache
@require_safe
def readyz(request):
    """Send traffic here: the database answers and every migration is applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = unapplied_migrations()
    except DatabaseError as error:
        return plain(f"not ready: the database does not answer ({type(error).__name__})", 503)
    if pending:
        return plain(f"not ready: {len(pending)} migrations not applied ({pending[0]}, ...)", 503)
    return plain("ready")
