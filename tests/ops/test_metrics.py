"""/metrics: off unless a token or addresses are set, and then the site's requests, queries and
work in Prometheus's text format."""

import ipaddress
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from prometheus_client import REGISTRY

from ladder import settings as site_settings
from ladder.assessments.stored import readiness_refresh
from ladder.frameworks.services import ladder_import
from ladder.metrics import UNRESOLVED
from tests.conftest import run_ladder
from tests.test_production import production

TOKEN = "a-metrics-token-long-enough-to-take"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def test_metrics_are_off_without_a_token_or_addresses(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404


def test_metrics_without_a_token_ask_for_one(client, metrics_on):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization", [f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", "Bearer  x"]
)
def test_metrics_with_a_wrong_token_are_refused(client, metrics_on, authorization):
    response = client.get("/metrics", headers={"Authorization": authorization})

    assert response.status_code in (401, 403)
    assert b"ladder_" not in response.content


def test_metrics_with_the_token_are_served(client, metrics_on):
    assert "# TYPE ladder_request_duration_seconds histogram" in scrape(client)


def test_metrics_are_served_to_an_allowed_address_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = [ipaddress.ip_network("10.0.0.0/8")]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_metrics_with_both_set_take_the_token_from_another_address(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = [ipaddress.ip_network("10.0.0.0/8")]
    authorised = {"Authorization": f"Bearer {TOKEN}"}

    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", headers=authorised).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 401


def count(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_request_is_timed_under_its_view_name(client, metrics_on):
    before = count("ladder_request_duration_seconds_count", view="ops:healthz")
    client.get("/healthz")

    assert count("ladder_request_duration_seconds_count", view="ops:healthz") == before + 1
    served = scrape(client)
    assert re.search(r'ladder_request_duration_seconds_count\{view="ops:healthz"\} \d', served)
    assert re.search(r'ladder_responses_total\{status="2xx"\} \d', served)


def test_paths_no_url_matches_share_one_label(client, metrics_on):
    before = count("ladder_request_duration_seconds_count", view=UNRESOLVED)
    client.get("/no/such/page-1")
    client.get("/no/such/page-2")

    assert count("ladder_request_duration_seconds_count", view=UNRESOLVED) == before + 2
    assert "page-1" not in scrape(client)


@pytest.mark.django_db
def test_the_queries_of_a_request_are_counted(client, metrics_on):
    before = count("ladder_request_db_queries_sum", view="ops:readyz")
    client.get("/readyz")

    assert count("ladder_request_db_queries_sum", view="ops:readyz") >= before + 1


@pytest.mark.django_db
def test_working_out_readiness_is_counted(client, metrics_on):
    before = count("ladder_readiness_refreshes_total", scope="everyone")
    readiness_refresh()

    assert count("ladder_readiness_refreshes_total", scope="everyone") == before + 1
    assert 'ladder_readiness_refreshes_total{scope="everyone"}' in scrape(client)


@pytest.mark.django_db
def test_a_ladder_import_is_counted(seed_text):
    before = count("ladder_ladder_imports_total", outcome="created")
    ladder_import(source=seed_text, source_name="seed.md", slug="counted")
    ladder_import(source=seed_text, source_name="seed.md", slug="counted")

    assert count("ladder_ladder_imports_total", outcome="created") == before + 1
    assert count("ladder_ladder_imports_total", outcome="unchanged") >= 1


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "localhost", "10.0.0.1 10.0.0.2", "::g"])
def test_allowed_addresses_refuse_what_is_not_an_address(monkeypatch, entry):
    monkeypatch.setenv("METRICS_ALLOWED_IPS", f"127.0.0.1,{entry}")

    with pytest.raises(ImproperlyConfigured, match=rf"^METRICS_ALLOWED_IPS: '{re.escape(entry)}'"):
        site_settings.env_networks("METRICS_ALLOWED_IPS")


def test_allowed_addresses_read_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("METRICS_ALLOWED_IPS", " 127.0.0.1, 10.0.0.0/8 ,::1,")

    assert site_settings.env_networks("METRICS_ALLOWED_IPS") == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]


def test_a_short_metrics_token_stops_the_process():
    result = run_ladder("check", env=production(METRICS_TOKEN="short"))

    assert result.returncode != 0
    assert "METRICS_TOKEN is shorter than 20 characters" in result.stderr
