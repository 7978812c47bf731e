import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication
from prometheus_client import values

from ladder.ops.gunicorn import child_exit

METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Gunicorn(BaseApplication):
    """gunicorn, configured here rather than from its own command line or config file."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # ladder.wsgi's own settings check has run already, as part of `check` below.
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def shared_metrics_directory() -> tuple[str, bool]:
    """The folder where every worker keeps its metrics for /metrics to add up, emptied; and
    whether it was made here (and so is removed at the end). A folder named in the environment
    is used, for instance one on a memory file system; else a new temporary one."""
    given = os.environ.get(METRICS_DIR, "").strip()
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        # Counts left by an earlier run would be added to this one's.
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        return given, False
    os.environ[METRICS_DIR] = tempfile.mkdtemp(prefix="ladder-metrics-")
    # prometheus-client read the environment when Django's start imported it; it is read again
    # so that the values the workers make go to the folder. None is made before (every metric
    # has labels, see ladder.metrics), so none is left behind in this process's memory.
    values.ValueClass = values.get_value_class()
    return os.environ[METRICS_DIR], True


class Command(BaseCommand):
    help = (
        "Serve Ladder in production with gunicorn: SERVE_BIND, SERVE_WORKERS and SERVE_TIMEOUT "
        "from the environment, one log line per request on stdout, errors on stderr, "
        "metrics of every worker at /metrics."
    )
    # The deployment checks run below, with their own message, before any worker starts.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", help=f"address:port to listen on (SERVE_BIND; now {settings.SERVE_BIND})"
        )
        parser.add_argument(
            "--workers",
            type=int,
            help=f"worker processes (SERVE_WORKERS; now {settings.SERVE_WORKERS})",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            help=f"seconds a request may take (SERVE_TIMEOUT; now {settings.SERVE_TIMEOUT})",
        )

    def handle(self, *args, bind=None, workers=None, timeout=None, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1")
        if timeout is not None and timeout < 1:
            raise CommandError("--timeout must be at least 1 second")
        # The same checks as `ladder check --deploy`: a production refuses to start unsafe.
        call_command("check", deploy=not settings.DEBUG, fail_level="ERROR")
        directory, made_here = shared_metrics_directory()
        arbiter = os.getpid()
        try:
            Gunicorn(
                {
                    "bind": [bind or settings.SERVE_BIND],
                    "workers": workers or settings.SERVE_WORKERS,
                    "timeout": timeout or settings.SERVE_TIMEOUT,
                    # One line per request, written by this logger through the site's logging
                    # (ladder.access, on stdout), in place of gunicorn's own access log.
                    "logger_class": "ladder.ops.gunicorn.Logger",
                    "accesslog": None,
                    "errorlog": "-",
                    "child_exit": child_exit,
                    # Let the load balancer's keep-alive connections be reused for a while.
                    "keepalive": 5,
                    "proc_name": "ladder",
                    # gunicorn's control socket has one path per user, which several servers
                    # on one machine would fight over; nothing here manages workers through it.
                    "control_socket_disable": True,
                }
            ).run()
        finally:
            # A worker leaves gunicorn by this same way out; only the arbiter cleans up.
            if made_here and os.getpid() == arbiter:
                shutil.rmtree(directory, ignore_errors=True)
