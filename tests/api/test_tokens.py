"""API tokens: made, stored as a digest, scoped, expiring, revoked, audited; how the API
authenticates them; and the throttle that counts each token's requests."""

import datetime
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from ladder.api.auth import without_admin_rights
from ladder.api.models import ApiToken
from ladder.api.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    may_make_token_for,
    may_revoke,
    parse_scopes,
    service_account_create,
    token_create,
    token_for,
    token_revoke,
)
from ladder.audit.models import AuditEvent
from ladder.people.models import Person
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def make(user, scopes="read", by=None, **kw):
    return token_create(by=by or user, owner=user, name=kw.pop("name", "CI"), scopes=scopes, **kw)


def refused_fields(call) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        call()
    return set(refused.value.message_dict)


# -- making tokens ----------------------------------------------------------------------------


def test_only_the_digest_of_a_token_is_stored(org):
    token, text = make(org.engineer.user, "read write")

    assert text.startswith("ladder_pat_") and len(text) >= 50
    assert token.digest == hashlib.sha256(text.encode()).hexdigest()
    assert token.prefix == text[:15] and text.startswith(token.prefix)
    stored = str(list(ApiToken.objects.values())) + str(list(AuditEvent.objects.values()))
    assert text not in stored
    assert text[15:] not in stored


def test_two_tokens_never_share_their_text(org):
    texts = {make(org.engineer.user)[1] for _ in range(5)}

    assert len(texts) == 5


def test_scopes_are_read_in_a_fixed_order_whatever_their_case_or_spacing():
    assert parse_scopes("write  READ") == ["read", "write"]
    assert parse_scopes(["admin", " read ", ""]) == ["read", "admin"]


@pytest.mark.parametrize("scopes", ["", "  ", [], ["delete"], "read sudo"])
def test_an_unknown_scope_or_none_is_refused_naming_the_scopes(org, scopes):
    assert refused_fields(lambda: make(org.engineer.user, scopes)) == {"scopes"}
    assert not ApiToken.objects.exists()


def test_the_admin_scope_is_for_admins_tokens_only(org):
    assert refused_fields(lambda: make(org.engineer.user, "read admin")) == {"scopes"}

    token, _ = make(org.admin.user, "read admin")

    assert token.scope_set == {"read", "admin"}
    assert ApiToken.objects.count() == 1


def test_a_token_lasts_ninety_days_unless_told(org):
    token, _ = make(org.engineer.user)
    week, _ = make(org.engineer.user, days=7)

    assert token.expires_at - token.created_at == datetime.timedelta(days=DEFAULT_DAYS)
    assert week.expires_at - week.created_at == datetime.timedelta(days=7)


@pytest.mark.parametrize("days", [0, -1, MAX_DAYS + 1, "soon", None])
def test_an_expiry_out_of_bounds_is_refused_naming_the_days(org, days):
    assert refused_fields(lambda: make(org.engineer.user, days=days)) == {"days"}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "tab\there", "x" * 101])
def test_a_missing_or_unsafe_name_is_refused_naming_the_name(org, name):
    assert refused_fields(lambda: make(org.engineer.user, name=name)) == {"name"}
    assert not ApiToken.objects.exists()


def test_nobody_makes_a_token_for_another_person(org):
    for by in [org.manager.user, org.admin.user]:
        with pytest.raises(ValidationError):
            make(org.engineer.user, by=by)

    assert not may_make_token_for(org.admin.user, org.engineer.user)
    assert not ApiToken.objects.exists()


def test_an_inactive_login_makes_no_token(org):
    user = org.engineer.user
    user.is_active = False
    user.save()

    with pytest.raises(ValidationError):
        make(user)


def test_making_a_token_is_audited_with_its_owner_scopes_and_expiry(org):
    token, _ = make(org.engineer.user, "read write", name="Laptop")

    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == org.engineer.user
    assert event.target_id == str(token.pk)
    assert event.target_label == f"Laptop ({token.prefix}…)"
    assert event.after["owner"] == org.engineer.user.get_username()
    assert event.after["scopes"] == ["read", "write"]
    assert event.after["expires_at"] == token.expires_at.isoformat()


# -- revoking ---------------------------------------------------------------------------------


def test_revoking_is_audited_once_and_stops_the_token(org):
    token, text = make(org.engineer.user)

    token_revoke(by=org.engineer.user, token=token)
    again = token_revoke(by=org.engineer.user, token=token)

    assert again.revoked_at is not None and again.state == "revoked"
    assert token_for(text) is None
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_only_the_owner_revokes_a_persons_token(org):
    token, text = make(org.engineer.user)

    for other in [org.manager.user, org.peer.user, org.admin.user]:
        assert not may_revoke(other, token)
        with pytest.raises(ValidationError):
            token_revoke(by=other, token=token)

    assert token_for(text) is not None
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


# -- finding the token a request sends ---------------------------------------------------------


def test_a_token_is_found_by_its_text_and_nothing_else(org):
    token, text = make(org.engineer.user)

    assert token_for(text) == token
    assert token_for(f"  {text} ") == token
    for other in ["", "ladder_pat_", text[:-1], text + "x", text.removeprefix("ladder_pat_")]:
        assert token_for(other) is None


def test_an_expired_token_is_found_no_more(org):
    token, text = make(org.engineer.user, days=1)

    assert token_for(text, now=token.expires_at - datetime.timedelta(seconds=1)) == token
    assert token_for(text, now=token.expires_at) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    token.refresh_from_db()
    assert token.state == "expired"


def test_the_token_of_a_deactivated_login_is_found_no_more(org):
    _, text = make(org.engineer.user)
    get_user_model().objects.filter(pk=org.engineer.user.pk).update(is_active=False)

    assert token_for(text) is None


def test_the_last_use_is_written_at_most_once_a_minute(org):
    token, text = make(org.engineer.user)
    start = timezone.now()

    token_for(text, now=start)
    token_for(text, now=start + datetime.timedelta(seconds=59))
    token.refresh_from_db()
    assert token.last_used_at == start

    later = start + datetime.timedelta(minutes=1)
    token_for(text, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


# -- service accounts ---------------------------------------------------------------------------


def test_only_admins_make_service_accounts(org):
    with pytest.raises(ValidationError):
        service_account_create(by=org.manager.user, name="HR system")


def test_a_service_account_signs_in_nowhere_and_is_no_person(org):
    account = service_account_create(by=org.admin.user, name="HR system")

    user = account.user
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    assert not Person.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="service_account.created")
    assert (event.actor, event.target_label) == (org.admin.user, "HR system")
    assert event.after == {"name": "HR system", "admin": False}


def test_admin_rights_are_given_to_a_service_account_only_when_asked(org):
    plain = service_account_create(by=org.admin.user, name="Bot", admin="yes")
    admin = service_account_create(by=org.admin.user, name="HR system", admin=True)

    assert not plain.user.is_superuser
    assert admin.user.is_superuser


def test_a_service_account_name_is_unique_whatever_its_case(org):
    service_account_create(by=org.admin.user, name="HR system")

    assert refused_fields(lambda: service_account_create(by=org.admin.user, name="hr SYSTEM")) == {
        "name"
    }


def test_admins_make_and_revoke_a_service_accounts_tokens_and_no_one_else(org):
    account = service_account_create(by=org.admin.user, name="Bot")

    token, text = make(account.user, "read write", by=org.admin.user)

    assert token.created_by == org.admin.user
    assert AuditEvent.objects.get(action="api_token.created").after["owner"] == "Bot"
    assert not may_make_token_for(org.manager.user, account.user)
    assert not may_revoke(org.manager.user, token)
    assert may_revoke(org.admin.user, token)
    token_revoke(by=org.admin.user, token=token)
    assert token_for(text) is None


def test_a_service_account_without_admin_rights_gets_no_admin_scope(org):
    plain = service_account_create(by=org.admin.user, name="Bot")
    admin = service_account_create(by=org.admin.user, name="HR system", admin=True)

    assert refused_fields(lambda: make(plain.user, "read admin", by=org.admin.user)) == {"scopes"}
    assert make(admin.user, "read admin", by=org.admin.user)[0].has_scope("admin")


def test_a_service_accounts_token_acts_as_the_service(org, api):
    account = service_account_create(by=org.admin.user, name="HR system", admin=True)
    _, text = make(account.user, "read admin", by=org.admin.user)

    me = Api(api.client, text).get("me").json()

    assert me["service_account"] == "HR system"
    assert me["person"] is None and me["admin"] is True
    assert Api(api.client, text).get(f"people/{org.engineer.pk}/").status_code == 200


# -- authentication -----------------------------------------------------------------------------


def assert_unauthenticated(response):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_an_unknown_expired_or_revoked_token_is_a_401_problem(org, api):
    user = org.engineer.user
    unknown = "ladder_pat_" + "x" * 43
    _, expired = make(user)
    ApiToken.objects.filter(digest=hashlib.sha256(expired.encode()).hexdigest()).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    revoked_token, revoked = make(user)
    token_revoke(by=user, token=revoked_token)

    for text in [unknown, expired, revoked]:
        assert_unauthenticated(Api(api.client, text).get("me"))


def test_a_deactivated_owners_token_is_a_401_problem(org, api):
    _, text = make(org.engineer.user)
    get_user_model().objects.filter(pk=org.engineer.user.pk).update(is_active=False)

    assert_unauthenticated(Api(api.client, text).get("me"))


def test_a_token_sent_without_the_bearer_scheme_is_a_401_problem(org, client):
    _, text = make(org.engineer.user)

    assert_unauthenticated(client.get("/api/v1/me", HTTP_AUTHORIZATION=text))
    assert_unauthenticated(client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {text}"))


def test_a_read_tokens_write_is_a_404_problem(org, api):
    path = f"people/{org.engineer.pk}/cases/"

    read = api.as_(org.manager.user, "read").post(path, {})
    write_only = api.as_(org.manager.user, "write").get(f"people/{org.engineer.pk}/")
    read_write = api.as_(org.manager.user, "read write").post(path, {})

    assert read.status_code == 404 and read["Content-Type"] == "application/problem+json"
    assert write_only.status_code == 404
    # The same request with the write scope reaches the operation, which checks the body.
    assert read_write.status_code == 422


def test_an_admin_without_the_admin_scope_acts_as_no_admin(org, api):
    path = f"people/{org.outsider.pk}/"

    assert api.as_(org.admin.user, "read").get(path).status_code == 404
    assert api.as_(org.admin.user, "read admin").get(path).status_code == 200
    org.admin.user.refresh_from_db()
    assert org.admin.user.is_superuser


def test_the_narrowed_owner_is_never_saved(org):
    narrowed = without_admin_rights(org.admin.user)

    with pytest.raises(RuntimeError):
        narrowed.save()
    assert not narrowed.is_superuser and org.admin.user.is_superuser


def test_a_request_marks_its_token_used_once_a_minute_at_most(org, api):
    token, text = make(org.engineer.user)
    caller = Api(api.client, text)
    assert token.last_used_at is None

    caller.get("me")
    token.refresh_from_db()
    first = token.last_used_at
    caller.get("me")
    token.refresh_from_db()

    assert first is not None and token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    caller.get("me")
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=2)


# -- throttling ---------------------------------------------------------------------------------


def test_the_request_past_the_rate_is_a_429_problem_with_retry_after(org, api, settings):
    settings.API_THROTTLE_RATE = "3/min"
    caller = api.as_(org.engineer.user, "read")

    answers = [caller.get("me") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    throttled = answers[-1]
    assert throttled["Content-Type"] == "application/problem+json"
    assert throttled.json()["status"] == 429
    assert throttled["Retry-After"].isdigit() and 1 <= int(throttled["Retry-After"]) <= 60


def test_each_token_is_counted_on_its_own(org, api, settings):
    settings.API_THROTTLE_RATE = "3/min"
    first, second = api.as_(org.engineer.user, "read"), api.as_(org.engineer.user, "read")

    assert [first.get("me").status_code for _ in range(4)][-1] == 429

    assert [second.get("me").status_code for _ in range(3)] == [200, 200, 200]
    assert api.as_(org.peer.user, "read").get("me").status_code == 200


def test_the_rate_may_name_its_period_in_full(org, api, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    caller = api.as_(org.engineer.user, "read")

    assert [caller.get("me").status_code for _ in range(3)] == [200, 200, 429]
