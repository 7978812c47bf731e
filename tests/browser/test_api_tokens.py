"""A person makes an API token on their tokens page, sees it once, uses it, revokes it and sees
it refused; an admin makes a service account and its token. Each page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from ladder.api.models import ApiToken
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations
from tests.conftest import make_person

pytestmark = pytest.mark.browser


def make_token(page, name: str, *scopes: str) -> str:
    """Fill the token form on the page open, submit it, and read the text shown once."""
    form = page.get_by_role("form", name=re.compile(r"^Make a token"))
    form.get_by_label("Name", exact=True).fill(name)
    for scope in scopes:
        form.get_by_label(f"{scope}:").check()
    form.get_by_label("Expires in (days)").fill("30")
    form.get_by_role("button", name="Make the token").click()
    shown = page.locator("#new-token")
    expect(shown).to_have_text(re.compile(r"^ladder_pat_\S{40,}$"))
    return shown.inner_text()


def test_a_person_makes_a_token_uses_it_once_shown_and_revokes_it(page, dotnet_site, artifacts):
    make_person("Eve Engineer", "eve@example.com")
    sign_in(page, dotnet_site, "eve@example.com", "correct horse")
    me = dotnet_site + "/api/v1/me"

    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_label("admin:")).to_have_count(0)
    text = make_token(page, "Laptop script", "write")

    expect(page.get_by_role("status")).to_contain_text("it is not shown again")
    assert violations(page) == []
    page.screenshot(path=artifacts / "api-token-made.png", full_page=True)
    answer = page.request.get(me, headers={"Authorization": f"Bearer {text}"})
    assert answer.status == 200
    assert answer.json()["username"] == "eve@example.com"
    assert answer.json()["scopes"] == ["read", "write"]

    page.goto(dotnet_site + "/settings/api-tokens/")
    assert text not in page.content()
    row = page.get_by_role("row").filter(has_text="Laptop script")
    expect(row).to_contain_text(ApiToken.objects.get().prefix)
    expect(row).to_contain_text("read write")
    expect(row).not_to_contain_text("never")
    row.get_by_role("button", name="Revoke Laptop script").click()

    expect(page.get_by_role("status")).to_contain_text("The token Laptop script is revoked")
    expect(row).to_contain_text("revoked")
    expect(row.get_by_role("button")).to_have_count(0)
    assert violations(page) == []
    refused = page.request.get(me, headers={"Authorization": f"Bearer {text}"})
    assert refused.status == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_an_admin_makes_a_service_account_and_its_token(page, dotnet_site):
    make_person("Ada Admin", "ada@example.com", admin=True)
    sign_in(page, dotnet_site, "ada@example.com", "correct horse")

    page.goto(dotnet_site + "/settings/api-tokens/")
    assert violations(page) == []
    form = page.get_by_role("form", name="Make a service account")
    form.get_by_label("Name", exact=True).fill("HR system")
    form.get_by_label("Yes:").check()
    form.get_by_role("button", name="Make the service account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("HR system")
    text = make_token(page, "Nightly sync", "admin")
    assert violations(page) == []
    answer = page.request.get(
        dotnet_site + "/api/v1/me", headers={"Authorization": f"Bearer {text}"}
    )
    assert answer.json()["service_account"] == "HR system"
    assert answer.json()["admin"] is True
