from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication


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


class Command(BaseCommand):
    help = (
        "Serve Ladder in production with gunicorn: SERVE_BIND, SERVE_WORKERS and SERVE_TIMEOUT "
        "from the environment, one log line per request on stdout, errors on stderr."
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
        Gunicorn(
            {
                "bind": [bind or settings.SERVE_BIND],
                "workers": workers or settings.SERVE_WORKERS,
                "timeout": timeout or settings.SERVE_TIMEOUT,
                "accesslog": "-",
                "errorlog": "-",
                # Let the load balancer's keep-alive connections be reused for a while.
                "keepalive": 5,
                "proc_name": "ladder",
            }
        ).run()
