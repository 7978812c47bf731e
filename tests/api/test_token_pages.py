"""The token pages: a signed-in person makes, sees once and revokes their own tokens; admins make
service accounts and their tokens. What one may not touch answers 404."""

import hashlib

import pytest

from ladder.api.models import ApiToken, ServiceAccount
from ladder.api.tokens import service_account_create, token_create
from ladder.audit.models import AuditEvent
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

PAGE = "/settings/api-tokens/"
NEW_ACCOUNT = PAGE + "service-accounts/"


def revoke_url(token) -> str:
    return f"{PAGE}{token.pk}/revoke/"


def account_url(account) -> str:
    return f"{NEW_ACCOUNT}{account.pk}/"


def own_token(user, name="Laptop"):
    return token_create(by=user, owner=user, name=name, scopes="read")


@pytest.fixture
def bot(org):
    return service_account_create(by=org.admin.user, name="HR system")


def test_signing_in_comes_first(client, org, bot):
    token, _ = own_token(org.engineer.user)

    for answer in [
        client.get(PAGE),
        client.post(PAGE, {"name": "x", "scopes": "read", "days": 30}),
        client.post(revoke_url(token)),
        client.get(account_url(bot)),
        client.post(NEW_ACCOUNT, {"account-name": "Bot", "account-admin": "no"}),
    ]:
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert ApiToken.objects.count() == 1 and ServiceAccount.objects.count() == 1


def test_the_page_is_linked_from_the_header_of_every_signed_in_page(client, org):
    client.force_login(org.engineer.user)

    page = client.get(f"/people/{org.engineer.pk}/").content.decode()

    assert f'href="{PAGE}"' in page


def test_a_person_sees_their_own_tokens_only(client, org):
    own_token(org.engineer.user, "Eve's laptop")
    own_token(org.peer.user, "Pat's laptop")
    client.force_login(org.engineer.user)

    response = client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Eve&#x27;s laptop" in page and "Pat" not in page
    assert list(response.context["tokens"]) == list(org.engineer.user.api_tokens.all())


def test_the_admin_scope_and_service_accounts_are_offered_to_admins_only(client, org):
    client.force_login(org.engineer.user)
    engineers = client.get(PAGE).content.decode()
    client.force_login(org.admin.user)
    admins = client.get(PAGE).content.decode()

    assert 'value="admin"' not in engineers and "Service accounts" not in engineers
    assert 'value="admin"' in admins and "Service accounts" in admins


def test_a_token_made_on_the_page_is_shown_once_and_stored_as_its_digest(client, org):
    client.force_login(org.engineer.user)

    response = client.post(PAGE, {"name": "HR sync", "scopes": ["read", "write"], "days": "30"})

    token, text = response.context["created"]
    assert response.status_code == 200 and text in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token.owner == org.engineer.user and token.scope_set == {"read", "write"}
    assert (token.expires_at - token.created_at).days == 30
    assert ApiToken.objects.get().digest == hashlib.sha256(text.encode()).hexdigest()
    again = client.get(PAGE).content.decode()
    assert text not in again and token.prefix in again
    assert AuditEvent.objects.get(action="api_token.created").actor == org.engineer.user
    assert Api(client, text).get("me").json()["scopes"] == ["read", "write"]


def test_the_expiry_is_ninety_days_unless_chosen(client, org):
    client.force_login(org.engineer.user)

    page = client.get(PAGE).content.decode()
    client.post(PAGE, {"name": "HR sync", "scopes": "read", "days": "90"})

    assert 'value="90"' in page
    token = ApiToken.objects.get()
    assert (token.expires_at - token.created_at).days == 90


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "scopes": "read", "days": "30"}, "Give the token a name."),
        ({"name": "a\x07b", "scopes": "read", "days": "30"}, "control character"),
        ({"name": "x", "days": "30"}, "Choose at least one scope"),
        ({"name": "x", "scopes": "sudo", "days": "30"}, "is no scope this token may have"),
        ({"name": "x", "scopes": "admin", "days": "30"}, "is no scope this token may have"),
        ({"name": "x", "scopes": "read", "days": "0"}, "A token lasts from 1 to 366 days."),
        ({"name": "x", "scopes": "read", "days": "9999"}, "A token lasts from 1 to 366 days."),
        ({"name": "x", "scopes": "read", "days": "soon"}, "as a whole number"),
    ],
)
def test_bad_input_is_refused_with_a_message_by_the_field(client, org, data, message):
    client.force_login(org.engineer.user)

    response = client.post(PAGE, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_empty_form_is_refused_with_a_message_for_each_field(client, org):
    client.force_login(org.engineer.user)

    response = client.post(PAGE, {})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scopes", "days"}
    assert not ApiToken.objects.exists()


def test_an_id_past_any_integer_is_a_404(client, org, bot):
    huge = "9" * 30
    client.force_login(org.admin.user)

    assert client.post(f"{PAGE}{huge}/revoke/").status_code == 404
    assert client.get(f"{NEW_ACCOUNT}{huge}/").status_code == 404


def test_an_admin_gets_the_admin_scope_on_their_token(client, org):
    client.force_login(org.admin.user)

    client.post(PAGE, {"name": "Reports", "scopes": ["read", "admin"], "days": "7"})

    assert ApiToken.objects.get().scope_set == {"read", "admin"}


def test_a_token_revoked_on_the_page_stops_working(client, org):
    token, text = own_token(org.engineer.user)
    client.force_login(org.engineer.user)

    response = client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.state == "revoked"
    assert Api(client, text).get("me").status_code == 401
    assert AuditEvent.objects.get(action="api_token.revoked").actor == org.engineer.user


def test_revoking_anothers_token_is_a_404(client, org, bot):
    token, text = own_token(org.engineer.user)

    for other in [org.peer.user, org.manager.user, org.admin.user]:
        client.force_login(other)
        assert client.post(revoke_url(token)).status_code == 404
    client.force_login(org.engineer.user)
    assert client.post(f"{PAGE}999999/revoke/").status_code == 404
    assert client.get(revoke_url(token)).status_code == 405

    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_service_account_pages_are_404_to_everyone_but_admins(client, org, bot):
    for person in [org.engineer, org.manager, org.skip]:
        client.force_login(person.user)
        assert client.get(account_url(bot)).status_code == 404
        assert client.post(account_url(bot), {"name": "x", "scopes": "read"}).status_code == 404
        created = client.post(NEW_ACCOUNT, {"account-name": "Bot", "account-admin": "no"})
        assert created.status_code == 404
    assert ServiceAccount.objects.count() == 1 and not ApiToken.objects.exists()


def test_an_admin_makes_a_service_account_then_its_token(client, org):
    client.force_login(org.admin.user)

    made = client.post(NEW_ACCOUNT, {"account-name": "HR system", "account-admin": "yes"})

    account = ServiceAccount.objects.get()
    assert made.status_code == 302 and made["Location"] == account_url(account)
    assert account.user.is_superuser and account.created_by == org.admin.user
    page = client.get(account_url(account))
    assert 'value="admin"' in page.content.decode()

    response = client.post(
        account_url(account), {"name": "Nightly sync", "scopes": ["read", "admin"], "days": "30"}
    )

    token, text = response.context["created"]
    assert token.owner == account.user and token.created_by == org.admin.user
    assert Api(client, text).get("me").json()["service_account"] == "HR system"
    assert "HR system" in client.get(PAGE).content.decode()
    events = AuditEvent.objects.exclude(action="ladder.imported").order_by("pk")
    assert [(event.action, event.actor) for event in events] == [
        ("service_account.created", org.admin.user),
        ("api_token.created", org.admin.user),
    ]


def test_a_service_account_without_admin_rights_is_offered_no_admin_scope(client, org, bot):
    client.force_login(org.admin.user)

    page = client.get(account_url(bot)).content.decode()
    refused = client.post(account_url(bot), {"name": "x", "scopes": "admin", "days": "30"})

    assert 'value="admin"' not in page
    assert refused.status_code == 400 and not ApiToken.objects.exists()


def test_a_service_account_name_is_refused_twice_with_a_message(client, org, bot):
    client.force_login(org.admin.user)

    response = client.post(NEW_ACCOUNT, {"account-name": "hr SYSTEM", "account-admin": "no"})

    assert response.status_code == 400
    assert "There is a service account named" in response.content.decode()
    assert ServiceAccount.objects.count() == 1


def test_a_nameless_service_account_is_refused_with_a_message(client, org):
    client.force_login(org.admin.user)

    response = client.post(NEW_ACCOUNT, {"account-name": " ", "account-admin": "no"})

    assert response.status_code == 400
    assert "Give the service account a name." in response.content.decode()
    assert not ServiceAccount.objects.exists()


def test_an_admin_revokes_a_service_accounts_token_from_its_page(client, org, bot):
    token, text = token_create(by=org.admin.user, owner=bot.user, name="Sync", scopes="read")
    client.force_login(org.admin.user)

    page = client.get(account_url(bot)).content.decode()
    response = client.post(revoke_url(token))

    assert token.prefix in page and "by ada@example.com" in page
    assert response.status_code == 302 and response["Location"] == account_url(bot)
    assert Api(client, text).get("me").status_code == 401


def test_the_token_list_shows_scopes_dates_last_use_and_state(client, org):
    used, text = own_token(org.engineer.user, "Used")
    revoked, _ = own_token(org.engineer.user, "Gone")
    Api(client, text).get("me")
    client.force_login(org.engineer.user)
    client.post(revoke_url(revoked))

    rows = client.get(PAGE).content.decode().split("<tr>")[2:]

    gone, used_row = rows
    assert "Gone" in gone and "revoked" in gone and "Revoke" not in gone
    assert "Used" in used_row and "read" in used_row and "never" not in used_row
    assert "Revoke" in used_row and used.prefix in used_row


def test_the_audit_log_names_the_token_and_the_service_account(client, org, bot):
    token, _ = token_create(by=org.admin.user, owner=bot.user, name="Sync", scopes="read")
    client.force_login(org.admin.user)
    client.post(revoke_url(token))

    page = client.get("/audit/", {"action": "api_token"}).content.decode()
    accounts = client.get("/audit/", {"action": "service_account"}).content.decode()

    assert "api_token.created" in page and "api_token.revoked" in page
    assert f"Sync ({token.prefix}…)" in page and "HR system" in page
    assert "service_account.created" in accounts and "HR system" in accounts
