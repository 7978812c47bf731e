"""scim2-tester, an RFC 7643/7644 compliance suite written elsewhere, run against the app served
on a real port: every check it runs must pass."""

import urllib.error
import urllib.request
from wsgiref.headers import Headers

import pytest
from scim2_client.client import BaseSyncSCIMClient
from scim2_client.engines.inprocess import InProcessResponse, _prepare_request
from scim2_tester import Status, check_server

pytestmark = pytest.mark.django_db(transaction=True)


class NetworkSCIMClient(BaseSyncSCIMClient):
    """scim2-client's synchronous client over plain HTTP with the standard library: a real
    connection to the server, as an identity provider makes one."""

    def __init__(self, base_url: str, token: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}

    def _stays_under_base_url(self, endpoint: str) -> bool:
        return endpoint.startswith(self.base_url) or not endpoint.startswith(("http:", "https:"))

    def _parse_json(self, response):
        return response.json()

    def request(self, method: str, url: str, **kwargs) -> InProcessResponse:
        prepared = _prepare_request(self.base_url, self.headers, method, url, **kwargs)
        sent = urllib.request.Request(
            prepared.url.geturl(),
            data=prepared.body or None,
            method=prepared.method,
            headers={name: value for name, value in prepared.headers if name != "Host"},
        )
        try:
            with urllib.request.urlopen(sent, timeout=30) as answer:
                status, headers, content = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as refused:
            status, headers, content = refused.code, refused.headers, refused.read()
        return InProcessResponse(status, Headers(list(headers.items())), content)


def test_every_check_of_scim2_tester_passes_against_the_live_server(live_server, org):
    from ladder.scim.tokens import scim_token_create

    _, token = scim_token_create(by=org.admin.user, name="scim2-tester")
    client = NetworkSCIMClient(f"{live_server.url}/scim/v2", token)

    results = check_server(client)

    failures = [
        f"{result.title}: {result.reason}" for result in results if result.status != Status.SUCCESS
    ]
    assert results and not failures, "\n".join(failures)
