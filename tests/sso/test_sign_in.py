"""Signing in with OpenID Connect against a real provider process (see conftest.py).

Each test goes the whole way a browser does: Ladder's start URL, the provider's log-in and
approval pages, then the callback with the provider's code, which Ladder exchanges and verifies.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.test import Client

from ladder.audit.models import AuditEvent
from ladder.people.models import Person
from tests.conftest import make_person
from tests.sso.oidc import free_port

pytestmark = pytest.mark.django_db


def leave_for_provider(client, next_url=None):
    response = client.get("/sso/login/", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content
    return response["Location"]


def come_back(client, provider, authorize_url):
    """Approve at the provider and follow it back to Ladder's callback; Ladder's answer and the
    callback's path and query, for a second try."""
    callback = urlsplit(provider.approve(authorize_url))
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == (
        "http://testserver/sso/callback/"
    )
    path = f"{callback.path}?{callback.query}"
    return client.get(path), path


def sign_in_through(client, provider, next_url=None):
    response, _ = come_back(client, provider, leave_for_provider(client, next_url))
    return response


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_the_authorization_request_uses_pkce_a_state_and_a_nonce(client, provider):
    query = parse_qs(urlsplit(leave_for_provider(client)).query)

    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == ["http://testserver/sso/callback/"]


def test_a_person_with_a_login_is_signed_in_and_lands_on_their_page(client, provider):
    eve = make_person("Eve Engineer", "eve@example.com")

    response = sign_in_through(client, provider)

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert signed_in_as(client) == eve.user


def test_the_address_matches_whatever_its_case(client, provider):
    eve = make_person("Eve Engineer", "eve@example.com")
    provider.sends(email="EVE@Example.COM", email_verified=True)

    sign_in_through(client, provider)

    assert signed_in_as(client) == eve.user


def test_a_sign_in_goes_on_to_the_page_asked_for_but_never_off_the_site(client, provider):
    make_person("Eve Engineer", "eve@example.com")

    assert sign_in_through(client, provider, "/teams/")["Location"] == "/teams/"
    client.logout()
    assert sign_in_through(client, provider, "https://evil.example/")["Location"] == "/me/"


def test_a_sign_in_is_recorded_as_a_password_sign_in_is(client, provider):
    make_person("Eve Engineer", "eve@example.com")

    sign_in_through(client, provider)

    assert list(AccessLog.objects.values_list("username", "path_info")) == [
        ("eve@example.com", "/sso/callback/")
    ]


def test_a_person_without_a_login_gets_one_that_opens_only_through_the_provider(client, provider):
    eve = make_person("Eve Engineer", "eve@example.com", login=False)

    sign_in_through(client, provider)

    eve.refresh_from_db()
    assert signed_in_as(client) == eve.user
    assert eve.user.username == eve.user.email == "eve@example.com"
    assert not eve.user.has_usable_password()
    linked = AuditEvent.objects.get(action="login.linked")
    assert (linked.target_id, linked.after) == (str(eve.pk), {"login": "eve@example.com"})


def test_an_unknown_email_is_refused_with_a_clear_page(client, provider):
    make_person("Eve Engineer", "someone.else@example.com")

    response = sign_in_through(client, provider)

    assert response.status_code == 403
    assert "No one in Ladder has the address eve@example.com; ask an admin" in (
        response.content.decode()
    )
    assert signed_in_as(client) is None
    assert not get_user_model().objects.filter(username="eve@example.com").exists()


def test_with_people_created_on_sign_in_an_unknown_email_becomes_a_new_person(
    client, provider, settings
):
    settings.OIDC_CREATE_PEOPLE = True
    provider.sends(email="New.Person@Example.com", email_verified=True, name="Nia New")

    sign_in_through(client, provider)

    nia = Person.objects.get(email="new.person@example.com")
    assert (nia.name, nia.manager, nia.team) == ("Nia New", None, None)
    assert signed_in_as(client) == nia.user
    created = AuditEvent.objects.get(action="person.created")
    assert (created.target_id, created.actor_label) == (str(nia.pk), "new.person@example.com")


def test_an_inactive_login_is_refused(client, provider):
    eve = make_person("Eve Engineer", "eve@example.com")
    eve.user.is_active = False
    eve.user.save()

    response = sign_in_through(client, provider)

    assert response.status_code == 403
    assert "switched off" in response.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.parametrize("verified", [False, None], ids=["false", "missing"])
def test_an_unverified_email_is_never_trusted(client, provider, verified):
    make_person("Eve Engineer", "eve@example.com")
    provider.sends(email="eve@example.com", email_verified=verified)

    response = sign_in_through(client, provider)

    assert response.status_code == 403
    assert "has not verified the address eve@example.com" in response.content.decode()
    assert signed_in_as(client) is None


def test_another_claim_named_as_the_address_is_trusted_without_a_verified_flag(
    client, provider, settings
):
    settings.OIDC_EMAIL_CLAIM = "name"  # the test provider's free-text claim stands in for upn
    eve = make_person("Eve Engineer", "eve@example.com")
    provider.sends(email="mallory@example.com", email_verified=False, name="Eve@Example.com")

    sign_in_through(client, provider)

    assert signed_in_as(client) == eve.user


# How the provider spoils the token, and what Ladder's log then names as the reason.
SPOILT = [
    # Meant for another client, naming this one as `azp`: Authlib's default check lets it by.
    ("wrong_audience", "invalid_claim: Invalid claim: 'aud'"),
    ("wrong_nonce", "invalid_claim: Invalid claim: 'nonce'"),
    ("wrong_issuer", "invalid_claim: Invalid claim: 'iss'"),
    ("expired", "expired_token"),
    ("bad_signature", "bad_signature"),  # signed with another key under the provider's key id
]


@pytest.mark.parametrize(("tamper", "reason"), SPOILT, ids=[t for t, _ in SPOILT])
def test_a_spoilt_id_token_is_refused_with_a_clear_page(client, provider, caplog, tamper, reason):
    make_person("Eve Engineer", "eve@example.com")
    provider.sends(email="eve@example.com", email_verified=True, tamper=tamper)

    response = sign_in_through(client, provider)

    assert response.status_code == 400
    assert "Signing in with Test ID did not complete." in response.content.decode()
    assert signed_in_as(client) is None
    assert f"Single sign-on refused: {reason}" in caplog.text


def test_the_callback_cannot_be_used_twice(client, provider, caplog):
    make_person("Eve Engineer", "eve@example.com")
    _, callback = come_back(client, provider, leave_for_provider(client))
    assert signed_in_as(client) is not None
    client.logout()

    second = client.get(callback)

    assert second.status_code == 400
    assert signed_in_as(client) is None
    assert "mismatching_state" in caplog.text


def test_a_callback_started_in_another_browser_is_refused(client, provider):
    make_person("Eve Engineer", "eve@example.com")
    # An attacker's own approved callback, planted on someone else's browser (login CSRF).
    planted = urlsplit(provider.approve(leave_for_provider(Client())))
    leave_for_provider(client)

    response = client.get(f"{planted.path}?{planted.query}")

    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_a_discovery_document_for_another_issuer_is_refused(client, provider, settings):
    settings.OIDC_ISSUER = provider.issuer + "/"  # same document, but not the issuer it names

    response = client.get("/sso/login/")

    assert response.status_code == 502
    assert "Signing in with Test ID could not start." in response.content.decode()


def test_cancelling_at_the_provider_shows_a_clear_page(client, provider):
    state = parse_qs(urlsplit(leave_for_provider(client)).query)["state"][0]

    response = client.get("/sso/callback/", {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert "Signing in with Test ID did not complete." in response.content.decode()
    assert signed_in_as(client) is None


def test_a_provider_that_does_not_answer_shows_a_clear_page(client, provider, settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"

    response = client.get("/sso/login/")

    assert response.status_code == 502
    assert "Signing in with Test ID could not start." in response.content.decode()
