"""One spelling of an address everywhere: signing in, counting failures, storing people.

Every test here runs on SQLite and on PostgreSQL, whose case folding differ (UPPER() turns the
dotless "ı" into "I", SQLite folds ASCII only); the app must not depend on either.
"""

import importlib
import unicodedata

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ladder.audit.models import AuditEvent
from ladder.people.emails import canonical_email
from ladder.people.imports import people_import
from ladder.people.models import Person
from ladder.people.services import person_create
from tests.conftest import make_person, run_ladder

pytestmark = pytest.mark.django_db

STORED = "kim.sims@strasse.café.example"
PASSWORD = "correct horse"

# (spelling, whether it is the same address): the same address reaches the account and counts
# against its lockout; another never reaches it. The Turkish dotted and dotless i are letters
# of their own in Unicode's case folding, so they spell other addresses, on every database.
SPELLINGS = [
    ("kim.sims@strasse.café.example", True),  # composed é
    ("kim.sims@strasse.cafe\u0301.example", True),  # e + combining acute
    ("KIM.SIMS@STRASSE.CAFÉ.EXAMPLE", True),
    ("  Kim.Sims@Strasse.Café.Example\t", True),
    ("\u212aim.sims@strasse.café.example", True),  # Kelvin sign
    ("kim.\u017fims@\u017ftra\u017f\u017fe.café.example", True),  # long s
    ("kim.sims@straße.café.example", True),  # sharp s folds to ss
    ("ｋｉｍ.ｓｉｍｓ@ｓｔｒａｓｓｅ.ｃａｆé.ｅｘａｍｐｌｅ", True),  # fullwidth
    ("kım.sıms@strasse.café.example", False),  # dotless ı
    ("KİM.SİMS@STRASSE.CAFÉ.EXAMPLE", False),  # dotted İ
]
IDS = [ascii(spelling) for spelling, _ in SPELLINGS]
SAME_ADDRESS = [spelling for spelling, same in SPELLINGS if same]


@pytest.fixture
def kim(db):
    return make_person("Kim Sims", STORED)


def sign_in(client, username, password=PASSWORD, **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_until_locked(client, username, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "wrong", **headers)


def test_an_address_is_stored_in_its_canonical_spelling(db):
    typed = unicodedata.normalize("NFD", " KIM.\u017fims@STRAßE.Café.Example ")

    kim = make_person("Kim Sims", typed)

    assert Person.objects.get(pk=kim.pk).email == STORED
    kim.user.refresh_from_db()
    assert (kim.user.email, kim.user.username) == (STORED, STORED)


@pytest.mark.parametrize(("spelling", "same"), SPELLINGS, ids=IDS)
def test_a_spelling_reaches_the_account_only_if_it_is_the_same_address(client, kim, spelling, same):
    response = sign_in(client, spelling)

    assert signed_in(client) == same, response.status_code


@pytest.mark.parametrize(("spelling", "same"), SPELLINGS, ids=IDS)
def test_failures_under_another_spelling_of_the_address_count_against_the_account(
    client, kim, spelling, same
):
    fail_until_locked(client, spelling)

    response = sign_in(client, STORED)

    assert signed_in(client) == (not same)
    assert (response.status_code == 429) == same


@pytest.mark.parametrize(("spelling", "same"), SPELLINGS, ids=IDS)
def test_an_account_locked_under_one_spelling_cannot_be_signed_into_with_another(
    client, kim, spelling, same
):
    fail_until_locked(client, STORED)

    sign_in(client, spelling)

    assert not signed_in(client)


def _spellings_of(address: str):
    """Mixed spellings of `address`: each letter as itself, upper case, fullwidth, or one of the
    look-alikes that case folding or PostgreSQL's UPPER() maps onto it; white space around."""
    variants = {
        "i": ["i", "I", "ı", "İ", "ｉ"],
        "k": ["k", "K", "\u212a", "ｋ"],
        "s": ["s", "S", "\u017f", "ｓ"],
        "é": ["é", "É", "e\u0301", "E\u0301"],
    }

    def letter(ch):
        return st.sampled_from(variants.get(ch, [ch, ch.upper(), chr(ord(ch) + 0xFEE0)]))

    letters = [letter(ch) if ch.isalpha() else st.just(ch) for ch in address]
    space = st.sampled_from(["", " ", "\t", "\u00a0"])
    return st.tuples(space, *letters, space).map("".join)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spelling=_spellings_of("kim.sims@café.example"))
def test_any_spelling_either_shares_the_accounts_lockout_or_never_reaches_it(db, spelling):
    AccessAttempt.objects.all().delete()
    get_user_model().objects.all().delete()
    user = get_user_model().objects.create_user(
        "kim.sims@café.example", "kim.sims@café.example", PASSWORD
    )
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.1")

    reaches = authenticate(request, username=spelling, password=PASSWORD) == user
    for _ in range(settings.AXES_FAILURE_LIMIT):
        authenticate(request, username=spelling, password="wrong")
    locked = authenticate(request, username="kim.sims@café.example", password=PASSWORD) is None

    assert locked == reaches


@given(text=st.text())
def test_the_canonical_spelling_is_its_own_canonical_spelling(text):
    assert canonical_email(canonical_email(text)) == canonical_email(text)


@pytest.mark.parametrize(("spelling", "same"), SPELLINGS, ids=IDS)
def test_a_second_person_with_another_spelling_of_an_address_is_refused(kim, spelling, same):
    if same:
        with pytest.raises(ValidationError, match=f"already has the email {STORED}"):
            person_create(by=None, name="Kim Again", email=spelling)
        # The database refuses it too, whatever path writes the row.
        with pytest.raises(IntegrityError), transaction.atomic():
            Person.objects.create(name="Kim Again", email=spelling)
    else:
        other = person_create(by=None, name="Another Kim", email=spelling)
        assert other.email == canonical_email(spelling) != STORED


@pytest.fixture
def import_csv(dotnet_version):
    def run(*rows, apply=True):
        text = "email,name,manager_email,team,level_code,level_since\n" + "".join(
            f"{row}\n" for row in rows
        )
        return people_import(
            by=None, text=text, path="people.csv", version=dotnet_version, apply=apply
        )

    return run


@pytest.mark.parametrize("spelling", SAME_ADDRESS, ids=map(ascii, SAME_ADDRESS))
def test_an_import_row_in_another_spelling_is_the_same_person(kim, import_csv, spelling):
    plan = import_csv(f"{spelling.strip()},Kim Sims,,,,")

    assert plan.ok and plan.changes == [], plan.errors
    assert list(Person.objects.values_list("email", flat=True)) == [STORED]


def test_an_import_refuses_two_rows_spelling_one_address(import_csv):
    plan = import_csv(
        "kim.sims@strasse.café.example,Kim,,,,",
        "\u212aIM.\u017fIMS@STRAßE.CAFE\u0301.EXAMPLE,Kim Again,,,,",
    )

    assert plan.errors == [
        "people.csv:3: duplicate email \u212aIM.\u017fIMS@STRAßE.CAFE\u0301.EXAMPLE "
        "(first on line 2)"
    ]
    assert Person.objects.count() == 0


def test_an_import_finds_a_manager_by_any_spelling_of_their_address(kim, import_csv):
    plan = import_csv("new@example.com,New Person,KIM.\u017fIMS@STRASSE.CAFÉ.EXAMPLE,,,")

    assert plan.ok, plan.errors
    assert Person.objects.get(email="new@example.com").manager == kim


def test_the_admin_refuses_a_person_with_another_spelling_of_an_address(client, org, kim):
    client.force_login(org.admin.user)

    response = client.post(
        "/admin/people/person/add/",
        {
            "name": "Kim Again",
            "email": "KIM.SIMS@STRASSE.CAFÉ.EXAMPLE",
            "level_history-TOTAL_FORMS": "0",
            "level_history-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert f"Someone already has the email {STORED}." in response.content.decode()
    assert Person.objects.filter(name="Kim Again").count() == 0


def test_the_admin_refuses_a_login_with_another_spelling_of_an_address(client, org, kim):
    other = org.peer.user
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/auth/user/{other.pk}/change/",
        {
            "username": other.username,
            "email": "\u212aim.sims@strasse.café.example",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert f"Another login already has the email {STORED}." in response.content.decode()
    other.refresh_from_db()
    assert other.email == "pat@example.com"


def test_a_login_made_on_the_command_line_is_stored_in_the_canonical_spelling(db):
    user = get_user_model().objects.create_superuser("Root@Example.COM", "Root@Example.COM", "pw")

    user.refresh_from_db()
    assert (user.username, user.email) == ("root@example.com", "root@example.com")


# -- the migration that rewrites addresses stored before


def _canonicalise_addresses():
    migration = importlib.import_module("ladder.people.migrations.0002_canonical_emails")
    migration.canonicalise_addresses(apps, connection.schema_editor())


def _store_raw(person, email):
    # Write past the field's own canonicalisation, as rows from before the migration were.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET email = %s WHERE id = %s", [email, person.pk]
        )


def test_the_migration_rewrites_addresses_stored_in_other_spellings(kim):
    _store_raw(kim, "Kim.Sims@Strasse.Cafe\u0301.Example")
    get_user_model().objects.filter(pk=kim.user.pk).update(
        username="KIM.sims@strasse.café.example", email="\u212aim.sims@strasse.café.example"
    )

    _canonicalise_addresses()

    kim.refresh_from_db()
    kim.user.refresh_from_db()
    assert (kim.email, kim.user.username, kim.user.email) == (STORED, STORED, STORED)


def test_the_migration_refuses_two_people_whose_addresses_become_one(kim):
    twin = make_person("Kim Twin", "twin@example.com", login=False)
    _store_raw(twin, "kim.\u017fims@strasse.café.example")

    with pytest.raises(CommandError) as refused:
        _canonicalise_addresses()

    message = str(refused.value)
    assert f"#{kim.pk} " in message and f"#{twin.pk} 'kim.\u017fims" in message
    assert f"are all '{STORED}'" in message


# -- where a failed attempt comes from


def test_without_a_configured_header_a_forwarded_address_earns_no_new_attempts(
    client, kim, settings
):
    settings.SIGN_IN_CLIENT_IP_HEADER = ""
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, STORED, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = sign_in(client, STORED, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429 and not signed_in(client)


def test_behind_a_proxy_one_address_cannot_lock_the_owner_out_at_another(client, kim, settings):
    settings.SIGN_IN_CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    fail_until_locked(client, STORED, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    assert sign_in(client, STORED, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    assert not signed_in(client)
    owner = sign_in(client, STORED, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert owner.status_code == 302 and signed_in(client)


def test_behind_a_proxy_a_client_cannot_choose_its_address(client, kim, settings):
    settings.SIGN_IN_CLIENT_IP_HEADER = "X-Forwarded-For"
    # The proxy appends the address it saw; whatever comes before is the client's own claim.
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, STORED, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")

    response = sign_in(client, STORED, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")

    assert response.status_code == 429 and not signed_in(client)


def test_a_client_ip_header_that_is_no_header_name_is_refused_at_start():
    result = run_ladder("check", env={"SIGN_IN_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR"})

    assert result.returncode != 0
    assert "SIGN_IN_CLIENT_IP_HEADER='HTTP_X_FORWARDED_FOR' is not a header name" in result.stderr


# -- passwords


def change_password(client, old, new="N3w-lad-pass-2026"):
    return client.post(
        "/accounts/password_change/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_changing_ones_own_password_is_audited(client, kim):
    client.force_login(kim.user)

    response = change_password(client, PASSWORD)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="password.changed")
    assert (event.actor_label, event.target_id) == (STORED, str(kim.user.pk))
    kim.user.refresh_from_db()
    assert kim.user.check_password("N3w-lad-pass-2026")


def test_guesses_at_the_current_password_are_paused_like_sign_in(client, kim):
    client.force_login(kim.user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert change_password(client, "wrong").status_code == 200
    # Another session of the same person, from the same address, shares the count.
    other_session = type(client)()
    other_session.force_login(kim.user)

    response = change_password(other_session, PASSWORD)

    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    kim.user.refresh_from_db()
    assert kim.user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password.changed").exists()
    # The same password is being guessed, so signing in from here pauses as well.
    assert sign_in(type(client)(), STORED).status_code == 429


def test_guesses_at_the_current_password_pause_only_the_guessing_address(client, kim, settings):
    settings.SIGN_IN_CLIENT_IP_HEADER = "X-Real-IP"
    client.force_login(kim.user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/password_change/",
            {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
            HTTP_X_REAL_IP="203.0.113.9",
        )

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "N3w-lad-pass-2026",
            "new_password2": "N3w-lad-pass-2026",
        },
        HTTP_X_REAL_IP="198.51.100.7",
    )

    assert response.status_code == 302


def test_setting_a_password_in_the_admin_is_audited(client, org, kim):
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/auth/user/{kim.user.pk}/password/",
        {
            "usable_password": "true",
            "password1": "N3w-lad-pass-2026",
            "password2": "N3w-lad-pass-2026",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="password.set")
    assert (event.actor_label, event.target_id) == ("ada@example.com", str(kim.user.pk))
    assert (event.before, event.after) == ({"usable": True}, {"usable": True})


def test_a_refused_admin_password_form_records_nothing(client, org, kim):
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/auth/user/{kim.user.pk}/password/",
        {"usable_password": "true", "password1": "N3w-lad-pass-2026", "password2": "other"},
    )

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="password.set").exists()


def test_an_address_too_long_to_be_any_account_is_an_ordinary_failed_sign_in(client, kim):
    # Each of these characters is 18 once normalised: far past the counter's column.
    response = sign_in(client, "\ufdfa" * 150)

    assert response.status_code == 200 and not signed_in(client)
    assert AccessAttempt.objects.get().failures_since_start == 1


# -- where signing in lands


def test_signing_in_lands_on_ones_own_page(client, org):
    response = sign_in(client, "eve@example.com")

    assert response.status_code == 302 and response.url == "/me/"
    assert client.get(response.url).url == f"/people/{org.engineer.pk}/"


def test_a_login_without_a_person_lands_on_a_page_saying_so(client, db):
    get_user_model().objects.create_user(
        username="lone@example.com", email="lone@example.com", password=PASSWORD
    )

    response = sign_in(client, "lone@example.com", follow=True)

    assert response.redirect_chain == [("/me/", 302)]
    assert "Your login is not linked to a person" in response.content.decode()


def test_a_next_address_asked_for_still_wins_over_ones_own_page(client, org):
    response = client.post(
        "/accounts/login/",
        {"username": "eve@example.com", "password": PASSWORD, "next": "/reports/"},
    )

    assert response.url == "/reports/"


def test_a_next_address_on_another_site_lands_on_ones_own_page_instead(client, org):
    response = client.post(
        "/accounts/login/",
        {"username": "eve@example.com", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.url == "/me/"
