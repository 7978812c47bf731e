"""Invitations: an admin invites, the mail arrives at a real SMTP server, its link sets a password
once and signs the person in."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from ladder.accounts.models import Invitation, token_digest
from ladder.accounts.services import LINK_REMOVED, invitations_send
from ladder.audit.models import AuditEvent
from ladder.notifications.models import OutgoingMail
from ladder.people.models import Person
from tests.conftest import make_person, run_ladder
from tests.smtp import SmtpServer

from .conftest import link_in, path_of

pytestmark = pytest.mark.django_db
SITE = "http://ladder.test"
GOOD_PASSWORD = "quartz lantern meadow 42"


@pytest.fixture
def newcomer(org):
    return make_person("Nina New", "nina@example.com", team=org.core, login=False)


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


def invite(client, admin, *, on_commit, **data):
    client.force_login(admin.user)
    with on_commit(execute=True):
        response = client.post("/accounts/invite/", data)
    client.logout()
    return response


def accept(client, link, password=GOOD_PASSWORD):
    opened = client.get(path_of(link, SITE))
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def test_an_invited_person_sets_a_password_from_the_mail_and_is_signed_in(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    response = invite(
        client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk
    )
    assert response.status_code == 302

    [message] = smtp_server.to("nina@example.com")
    assert message["Subject"] == "You are invited to sign in to Ladder"
    assert "Hello Nina New" in message.get_content()
    response = accept(client, link_in(message))

    assert response.status_code == 302 and response["Location"] == "/me/"
    newcomer.refresh_from_db()
    assert newcomer.user.get_username() == "nina@example.com"
    assert newcomer.user.check_password(GOOD_PASSWORD)
    assert client.get("/me/")["Location"] == f"/people/{newcomer.pk}/"
    actions = list(
        AuditEvent.objects.filter(target_id=str(newcomer.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["invitation.sent", "login.linked", "invitation.accepted"]


def test_the_link_works_once(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    link = link_in(smtp_server.to("nina@example.com")[0])
    accept(client, link)
    client.logout()

    again = client.get(path_of(link, SITE))

    assert again.status_code == 410
    assert "You can sign in already" in again.content.decode()
    assert get_user_model().objects.filter(email="nina@example.com").count() == 1


def test_an_expired_link_says_so_and_writes_nothing(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = accept(client, link_in(smtp_server.to("nina@example.com")[0]))

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_an_invitation_expires_after_the_configured_days(org, newcomer, settings):
    settings.INVITATION_DAYS = 3
    invitations_send(by=org.admin.user, people=[newcomer], send=False)

    invitation = Invitation.objects.get()

    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=3)


def test_inviting_again_replaces_the_old_link(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    for _ in range(2):
        invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    old, new = (link_in(message) for message in smtp_server.to("nina@example.com"))
    assert old != new

    assert accept(client, old).status_code == 404
    assert accept(client, new).status_code == 302
    assert Invitation.objects.count() == 1


def test_a_password_the_validators_refuse_sets_nothing(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    link = link_in(smtp_server.to("nina@example.com")[0])

    for weak in ["password", "12345678901", "nina@example.com", "short"]:
        response = accept(client, link, password=weak)
        assert response.status_code == 200, weak
        assert response.context["form"].errors, weak

    newcomer.refresh_from_db()
    assert newcomer.user is None
    assert accept(client, link).status_code == 302


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "A" * 5000, "ünïcödé", "%00", "..", "a b", "\u202e"],
    ids=["short", "plausible", "huge", "unicode", "percent-nul", "dots", "space", "bidi"],
)
def test_a_link_of_any_other_token_is_not_found(client, org, newcomer, token):
    invitations_send(by=org.admin.user, people=[newcomer], send=False)

    response = client.get(f"/accounts/invitation/{token}/")

    assert response.status_code in (400, 404)
    assert not client.session.get("invitation")


def test_the_password_page_without_a_link_is_not_found(client, org):
    response = client.get("/accounts/invitation/accept/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_login_linked_meanwhile_ends_the_invitation(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    link = link_in(smtp_server.to("nina@example.com")[0])
    opened = client.get(path_of(link, SITE))
    user = get_user_model().objects.create_user("nina@example.com", "nina@example.com", "x")
    Person.objects.filter(pk=newcomer.pk).update(user=user)

    response = client.post(
        opened["Location"], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )

    assert response.status_code == 410
    assert get_user_model().objects.filter(email="nina@example.com").count() == 1


def test_a_stray_login_with_the_same_address_is_named_not_overwritten(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    stray = get_user_model().objects.create_user("NINA@example.com", "nina@example.com", "old")

    response = accept(client, link_in(smtp_server.to("nina@example.com")[0]))

    assert response.status_code == 200
    assert "exists already but is not linked" in response.content.decode()
    stray.refresh_from_db()
    assert stray.check_password("old")
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_the_outbox_keeps_no_working_link_once_the_mail_has_gone(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=newcomer.pk)
    link = link_in(smtp_server.to("nina@example.com")[0])

    stored = OutgoingMail.objects.get(kind=OutgoingMail.Kind.INVITATION)

    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert stored.sent_at is not None
    assert token not in stored.body and LINK_REMOVED in stored.body
    # Nor does the session between the link and the password form.
    client.get(path_of(link, SITE))
    assert not any(token in session.session_data for session in Session.objects.all())
    assert all(token not in str(s.get_decoded()) for s in Session.objects.all())
    assert stored.body_after_send == ""
    assert Invitation.objects.get().digest == token_digest(token)
    assert not Invitation.objects.filter(digest=token).exists()


def test_a_team_is_invited_without_those_who_sign_in_already(
    client, org, newcomer, site, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(org.admin.user)
    preview = client.get("/accounts/invite/", {"team": "core", "everyone": "1"})
    assert preview.context["invitable_count"] == 1
    assert preview.context["has_login_count"] == 3  # Mia, Eve and Pat
    assert "Send 1 invitation" in preview.content.decode()

    invite(
        client, org.admin, on_commit=django_capture_on_commit_callbacks, team="core", everyone="1"
    )

    assert [m["To"] for m in smtp_server.messages] == ["nina@example.com"]


def test_everyone_without_a_login_is_invited_at_once(
    client, org, site, smtp_server, django_capture_on_commit_callbacks
):
    for n in range(12):
        make_person(f"Newcomer {n:02}", f"new{n}@example.com", login=False)

    response = invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, everyone="1")

    assert response["Location"] == "/people/"
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"new{n}@example.com" for n in range(12)
    )
    # One connection to the mail server serves them all.
    assert len(set(smtp_server.peers)) == 1
    assert AuditEvent.objects.filter(action="invitation.sent").count() == 12


def test_the_invite_page_asks_whom_when_nothing_is_chosen(client, org):
    client.force_login(org.admin.user)

    assert client.get("/accounts/invite/").status_code == 200
    response = client.post("/accounts/invite/", {})

    assert response.status_code == 400
    assert "Choose whom to invite" in response.content.decode()


def test_the_person_page_offers_an_admin_to_invite_someone_without_a_login(client, org, newcomer):
    client.force_login(org.admin.user)
    page = client.get(f"/people/{newcomer.pk}/").content.decode()
    assert "Invite to sign in" in page

    invitations_send(by=org.admin.user, people=[newcomer], send=False)
    page = client.get(f"/people/{newcomer.pk}/").content.decode()
    assert "Send a new invitation" in page
    assert "Invite to sign in" not in client.get(f"/people/{org.engineer.pk}/").content.decode()

    client.force_login(org.skip.user)
    assert "Send a new invitation" not in client.get(f"/people/{newcomer.pk}/").content.decode()


def test_the_import_page_offers_to_invite_the_people_it_created(
    client, org, site, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(org.admin.user)
    text = (
        "email,name,manager_email,team,level_code,level_since\n"
        "zoe@example.com,Zoe Zed,mia@example.com,Core,MD1,2024-01-02\n"
        "eve@example.com,Eve Engineer,mia@example.com,Core,MD1,2023-03-01\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(
        "/people/import/",
        {
            "ladder": org.levels["MD1"].version.ladder.pk,
            "file": SimpleUploadedFile("people.csv", text.encode()),
        },
    )
    pending = preview.context["pending"].token
    done = client.post(
        "/people/import/", {"ladder": org.levels["MD1"].version.ladder.pk, "pending": pending}
    )

    assert done.context["created"] == ["zoe@example.com"]
    assert 'name="emails" value="zoe@example.com"' in done.content.decode()
    client.post("/accounts/invite/", {"emails": "zoe@example.com"})
    assert [m["To"] for m in smtp_server.messages] == ["zoe@example.com"]


CLI_SETUP = """
from ladder.people.models import Person, Team
from django.contrib.auth import get_user_model
core = Team.objects.create(name="Core", slug="core")
Person.objects.create(name="Nina New", email="nina@example.com", team=core)
Person.objects.create(name="Olaf Other", email="olaf@example.com")
user = get_user_model().objects.create_user("eve@example.com", "eve@example.com", "x")
Person.objects.create(name="Eve Engineer", email="eve@example.com", team=core, user=user)
"""


def test_the_command_line_lists_invites_and_sends(tmp_path):
    server = SmtpServer()
    server.start()
    env = {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "EMAIL_URL": server.url,
        "SITE_URL": SITE,
    }
    try:
        assert run_ladder("migrate", "-v0", env=env).returncode == 0
        assert run_ladder("shell", "-c", CLI_SETUP, env=env).returncode == 0

        dry = run_ladder("invite", "--team", "CORE", "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout == (
            "1 of those named can sign in already: left out.\n"
            "  nina@example.com: Nina New\n"
            "Would invite 1 person.\n"
        )
        assert server.messages == []

        unknown = run_ladder("invite", "nobody@example.com", env=env)
        assert unknown.returncode == 1
        assert "no one has the address nobody@example.com" in unknown.stderr

        done = run_ladder("invite", "--all", env=env)
        assert done.returncode == 0, done.stderr
        assert "Invited 2 people; the links work for 7 days." in done.stdout
    finally:
        server.stop()
    assert sorted(m["To"] for m in server.messages) == ["nina@example.com", "olaf@example.com"]
    assert all(f"{SITE}/accounts/invitation/" in link_in(m) for m in server.messages)


def test_the_command_line_says_which_mails_stay_queued_when_the_server_is_down(tmp_path):
    env = {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "EMAIL_URL": SmtpServer().url,  # nothing listens there
    }
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    assert run_ladder("shell", "-c", CLI_SETUP, env=env).returncode == 0

    down = run_ladder("invite", "nina@example.com", env=env)

    assert down.returncode == 1
    assert "1 mail could not be sent and stay queued" in down.stderr


def test_the_command_line_needs_to_be_told_whom_to_invite(tmp_path):
    result = run_ladder("invite", env={"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/x"})

    assert result.returncode == 1
    assert "name whom to invite" in result.stderr


def test_an_import_of_thousands_invites_them_all_in_one_field(client, org, site):
    Person.objects.bulk_create(
        Person(name=f"Joiner {n:04}", email=f"joiner{n}@example.com") for n in range(1500)
    )
    addresses = " ".join(f"joiner{n}@example.com" for n in range(1500))
    client.force_login(org.admin.user)

    response = client.post("/accounts/invite/", {"emails": addresses})

    assert response.status_code == 302
    assert Invitation.objects.count() == 1500
    assert OutgoingMail.objects.filter(sent_at__isnull=False).count() == 1500


@pytest.mark.parametrize("value", ["9" * 30, "²", "-1", "1.5", "abc", ""])
def test_a_person_id_that_is_no_id_is_refused_on_the_form(client, org, value):
    client.force_login(org.admin.user)

    shown = client.get("/accounts/invite/", {"person": value})
    sent = client.post("/accounts/invite/", {"person": value})

    assert shown.status_code == 200 and shown.context["form"].errors
    assert sent.status_code == 400
    assert not Invitation.objects.exists()


def test_an_address_too_long_to_name_a_login_is_said_on_the_form_and_nothing_is_written(
    client, org, site, smtp_server, django_capture_on_commit_callbacks
):
    address = "n" * 190 + "@example.com"  # a person's address may be 254 long, a login's 150
    long = make_person("Nina Long", address, login=False)
    invite(client, org.admin, on_commit=django_capture_on_commit_callbacks, person=long.pk)

    response = accept(client, link_in(smtp_server.to(address)[0]))

    assert response.status_code == 200
    assert "too long to name a login" in response.content.decode()
    long.refresh_from_db()
    assert long.user is None
    assert not get_user_model().objects.filter(email=address).exists()
