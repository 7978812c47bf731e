"""What operations ask of a running site: health checks for load balancers and orchestrators
(cheap, unauthenticated, never cached), metrics for Prometheus, and the error page."""

import hmac
import ipaddress
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ladder import metrics as site_metrics
from ladder.logs import ENVIRON_REQUEST_ID, NO_REQUEST, current_request_id

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


def metrics_allowed(request) -> int:
    """200 when this request may read the metrics, else the status that says why not: 404 while
    metrics are off, 401 without a token, 403 with a wrong one or from an address not allowed."""
    token, networks = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS
    if not (token or networks):
        return 404
    if networks:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            address = None
        if address is not None and any(address in network for network in networks):
            return 200
    if not token:
        return 403
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return 401
    # Compared in constant time, so the answer's timing tells nothing of the token.
    if hmac.compare_digest(given.strip().encode(), token.encode()):
        return 200
    return 403


@never_cache
@require_safe
def metrics(request):
    """Prometheus's text format: every worker's counts added up under `ladder serve`."""
    status = metrics_allowed(request)
    if status == 404:
        raise Http404("metrics are off: set METRICS_TOKEN or METRICS_ALLOWED_IPS")
    if status == 401:
        response = plain("a metrics token is required: Authorization: Bearer <token>", 401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if status == 403:
        return plain("not allowed to read the metrics", 403)
    return HttpResponse(generate_latest(site_metrics.registry()), content_type=CONTENT_TYPE_LATEST)


@requires_csrf_token
def server_error(request):
    """The 500 page, with the request's id for the user to quote. It runs after something failed
    already, so it asks nothing of the database or the context processors, and should even the
    template fail it still answers, with a page of its own."""
    request_id = request.META.get(ENVIRON_REQUEST_ID) or current_request_id.get()
    request_id = None if request_id == NO_REQUEST else request_id
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        logger.exception("the error page could not be shown")
        body = "<!doctype html><title>Server error</title><h1>Something went wrong</h1>"
        if request_id:
            body += f"<p>Quote reference {escape(request_id)} when you report this.</p>"
    return HttpResponseServerError(body)
