"""The API's docs page works with no internet access and under the site's Content-Security-
Policy: Swagger UI, served by this site, shows every operation of the API's schema."""

import pytest
from playwright.sync_api import expect

from ladder.api.main import api

pytestmark = pytest.mark.browser

# Runs before any script of the page: keeps every violation the browser reports.
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
METHODS = {"get", "put", "post", "patch", "delete"}


def test_the_docs_page_shows_every_operation_from_this_site_alone(page, dotnet_site):
    schema = api.get_openapi_schema()
    # Swagger UI shows an operation under each of its tags.
    operations = [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        for _ in operation.get("tags") or [None]
    ]
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(LISTEN)

    response = page.goto(dotnet_site + "/api/v1/docs/")

    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock")).to_have_count(len(operations))
    shown = page.locator(".opblock-summary-path").all_inner_texts()
    # Swagger UI breaks long paths with zero-width spaces.
    assert sorted(path.replace("\u200b", "") for path in shown) == sorted(
        path for _, path in operations
    )

    # Opening an operation shows what it answers, the problem document among them.
    page.locator(".opblock-summary", has_text="/api/v1/me").first.click()
    expect(page.get_by_text("application/problem+json").first).to_be_visible()

    assert page.evaluate("window.cspViolations") == []
    # The page, its assets and the schema: all from this site, none from another host.
    network = [url for url in requested if not url.startswith("data:")]
    assert [url for url in network if not url.startswith(dotnet_site + "/")] == []
    assert dotnet_site + "/api/v1/openapi.json" in network
