"""SCIM tokens: made by admins on a page or with `ladder scim-token`, shown once, stored as a
hash, revocable, and every use recorded."""

import hashlib

import pytest

from ladder.audit.models import AuditEvent
from ladder.scim.models import ScimToken
from tests.conftest import run_ladder
from tests.scim.conftest import new_user

pytestmark = pytest.mark.django_db

PAGE = "/settings/scim-tokens/"


@pytest.mark.parametrize(
    "actor, method, expected",
    [
        ("anonymous", "get", 302),
        ("engineer", "get", 404),
        ("manager", "get", 404),
        ("admin", "get", 200),
        ("anonymous", "post", 302),
        ("engineer", "post", 404),
        ("manager", "post", 404),
        ("admin", "post", 200),
    ],
)
def test_only_admins_reach_the_token_page(client, org, actor, method, expected):
    if actor != "anonymous":
        client.force_login(getattr(org, actor).user)

    response = getattr(client, method)(PAGE, {"name": "Okta"} if method == "post" else None)

    assert response.status_code == expected
    assert ScimToken.objects.exists() == (actor == "admin" and method == "post")


@pytest.mark.parametrize("actor", ["anonymous", "engineer", "manager", "admin"])
def test_a_session_opens_no_scim_endpoint_whoever_it_is(client, org, actor):
    if actor != "anonymous":
        client.force_login(getattr(org, actor).user)

    assert client.get("/scim/v2/Users").status_code == 401


def test_a_token_is_shown_once_and_stored_only_as_its_hash(client, org):
    client.force_login(org.admin.user)

    response = client.post(PAGE, {"name": "Entra ID"})

    text = response.context["created"][1]
    token = ScimToken.objects.get()
    assert text.startswith("ladder_scim_") and len(text) > 40
    assert token.digest == hashlib.sha256(text.encode()).hexdigest()
    assert text not in str(ScimToken.objects.values().get())
    assert text not in client.get(PAGE).content.decode()
    assert AuditEvent.objects.get(action="scim_token.created").actor == org.admin.user


def test_a_token_revoked_on_the_page_stops_working(client, org, scim, scim_token):
    client.force_login(org.admin.user)

    client.post(PAGE, {"revoke": scim_token[0].pk})

    assert scim.get("Users").status_code == 401
    assert AuditEvent.objects.filter(action="scim_token.revoked").count() == 1


def test_a_nameless_token_is_refused_with_a_message(client, org):
    client.force_login(org.admin.user)

    response = client.post(PAGE, {"name": "  "})

    assert response.status_code == 400 and "Name the token" in response.content.decode()
    assert not ScimToken.objects.exists()


def test_every_use_marks_the_token_used_and_is_audited_refused_or_not(scim, scim_token, org):
    scim.get("Users", QUERY_STRING='filter=userName eq "eve@example.com"')
    assert ScimToken.objects.get().last_used_at is not None

    scim.post("Users", new_user())
    scim.post("Users", new_user())  # a duplicate: 409

    uses = AuditEvent.objects.filter(action="scim.request").order_by("id")
    assert [(e.after["method"], e.after["status"]) for e in uses] == [
        ("GET", 200),
        ("POST", 201),
        ("POST", 409),
    ]
    assert uses[0].after["query"] == 'filter=userName eq "eve@example.com"'
    assert {e.target_label for e in uses} == {"SCIM token Okta"}
    assert {e.actor for e in uses} == {org.admin.user}


@pytest.mark.django_db(transaction=True)
def test_the_command_creates_lists_and_revokes_tokens(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0

    created = run_ladder("scim-token", "create", "Okta", env=env)
    listed = run_ladder("scim-token", "list", env=env)
    revoked = run_ladder("scim-token", "revoke", "1", env=env)
    missing = run_ladder("scim-token", "revoke", "99", env=env)

    assert created.returncode == 0 and "ladder_scim_" in created.stdout
    assert "1\tOkta\t" in listed.stdout and "active" in listed.stdout
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert missing.returncode != 0 and "No SCIM token has the id 99" in missing.stderr
    relisted = run_ladder("scim-token", "list", env=env)
    assert "revoked" in relisted.stdout
