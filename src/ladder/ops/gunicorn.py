"""gunicorn's logging under `ladder serve`: one access line per request, written through the
site's logging (plain or JSON, with the request's id), and gunicorn's own lines alike."""

import logging

from gunicorn import glogging
from prometheus_client import multiprocess

from ladder.logs import ENVIRON_REQUEST_ID, ENVIRON_USER_ID, NO_REQUEST, printable

access_logger = logging.getLogger("ladder.access")


def response_header(resp, name: str) -> str | None:
    return next((value for key, value in resp.headers if key.lower() == name.lower()), None)


class Logger(glogging.Logger):
    """gunicorn's logger, with the access line written as the site writes any other."""

    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn's own lines (a worker booting, or killed for taking too long) go through the
        # site's handlers, so that with LOG_FORMAT=json every line on stderr is JSON.
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True

    def _compute_access_log_enabled(self):
        return True

    def access(self, resp, req, environ, request_time):
        try:
            user_id = environ.get(ENVIRON_USER_ID)
            fields = {
                # Found by the middleware; a request Django never saw still has its own id.
                "request_id": environ.get(ENVIRON_REQUEST_ID)
                or response_header(resp, "X-Request-ID")
                or NO_REQUEST,
                "method": req.method,
                # As sent, without the query string, which may hold what belongs in no log.
                "path": (environ.get("RAW_URI") or req.path or "").partition("?")[0],
                "status": resp.status_code,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": resp.sent,
                "user_id": user_id,
            }
            access_logger.info(
                "%s %s %s %.1f ms %s bytes%s",
                fields["method"],
                printable(fields["path"]),
                fields["status"],
                fields["duration_ms"],
                fields["bytes"],
                f" user {user_id}" if user_id is not None else "",
                extra=fields,
            )
        except Exception:
            # A line that cannot be written must not cost the request its answer.
            self.error_log.exception("the access line could not be written")


def child_exit(server, worker):
    """Let the metrics of a worker that is gone be added up without it: its counters stay,
    its gauges (none yet) go."""
    multiprocess.mark_process_dead(worker.pid)
