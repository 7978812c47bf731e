"""What a Prometheus server scrapes from /metrics: requests, their queries, and the work Ladder
does (readiness worked out, ladders and people imported).

Every metric here has labels, and that is on purpose: prometheus-client chooses where a value
lives (this process's memory, or a file shared by gunicorn's workers) when the value is made.
A labelled metric makes its values on first use, in the worker that serves the request, after
`ladder serve` has chosen; an unlabelled one would make its value when this module is imported,
before that choice, and its counts would never leave the worker.
"""

import os
import time

from django.db import connection
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

# Pages whose path matches no URL (404s, scanners): one label for all of them, so that made-up
# paths cannot each add a series.
UNRESOLVED = "<unresolved>"

REQUEST_SECONDS = Histogram(
    "ladder_request_duration_seconds",
    "Time from the request entering Django to its response leaving it, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter("ladder_responses", "Responses by status class (2xx, 3xx, ...)", ["status"])
REQUEST_QUERIES = Histogram(
    "ladder_request_db_queries",
    "Database queries one request made, by view",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500),
)
READINESS_REFRESHES = Counter(
    "ladder_readiness_refreshes",
    "Times readiness was worked out and stored, for everyone or for some people",
    ["scope"],
)
READINESS_PEOPLE = Counter(
    "ladder_readiness_people",
    "People whose readiness was worked out and stored",
    ["scope"],
)
LADDER_IMPORTS = Counter(
    "ladder_ladder_imports",
    "Ladder sources imported: a new version created, or unchanged from the latest",
    ["outcome"],
)
PEOPLE_IMPORTS = Counter(
    "ladder_people_imports",
    "People files that passed every check: applied, or only checked (a preview, or no change)",
    ["outcome"],
)


def registry() -> CollectorRegistry:
    """This process's metrics, or under `ladder serve` those of every worker added up."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)
        return shared
    return REGISTRY


class QueryCounter:
    """A database execute wrapper that counts the queries it lets through."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(get_response):
    """Time every request and count its queries, labelled by the view that answered it."""

    def middleware(request):
        queries = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        view = match.view_name if match is not None and match.view_name else UNRESOLVED
        REQUEST_SECONDS.labels(view=view).observe(seconds)
        REQUEST_QUERIES.labels(view=view).observe(queries.count)
        RESPONSES.labels(status=f"{response.status_code // 100}xx").inc()
        return response

    return middleware
