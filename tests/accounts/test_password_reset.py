"""Forgot password: Django's reset views, mailed through the outbox to a real SMTP server,
saying nothing about which addresses exist, and throttled."""

import pytest
from django.contrib.auth import get_user_model

from ladder.accounts.services import LINK_REMOVED
from ladder.audit.models import AuditEvent
from ladder.notifications.models import OutgoingMail

from .conftest import link_in, path_of

pytestmark = pytest.mark.django_db
SITE = "http://ladder.test"
NEW_PASSWORD = "violet harbour engine 77"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def ask(client, address, **extra):
    return client.post("/accounts/password_reset/", {"email": address}, **extra)


def test_a_reset_mail_arrives_and_its_link_sets_a_new_password_and_signs_in(
    client, org, smtp_server
):
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()

    response = ask(client, "eve@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    [message] = smtp_server.to("eve@example.com")
    assert message["Subject"] == "Reset your Ladder password"
    assert "Hello Eve Engineer" in message.get_content()
    form = client.get(path_of(link_in(message), SITE), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/me/"
    user = get_user_model().objects.get(email="eve@example.com")
    assert user.check_password(NEW_PASSWORD) and not user.check_password("correct horse")
    assert client.get("/me/")["Location"] == f"/people/{org.engineer.pk}/"
    assert AuditEvent.objects.filter(action="password.reset", target_id=str(user.pk)).exists()

    # Used once: the same link no longer works.
    client.logout()
    again = client.get(path_of(link_in(message), SITE), follow=True)
    assert "This link does not work" in again.content.decode()


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, org, smtp_server):
    known = ask(client, "eve@example.com")
    unknown = ask(client, "nobody@example.com")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    assert [m["To"] for m in smtp_server.messages] == ["eve@example.com"]


def test_the_address_is_matched_however_it_is_spelt(client, org, smtp_server):
    for spelling in ["EVE@EXAMPLE.COM", " Eve@Example.com ", "ＥＶＥ@example.com"]:
        ask(client, spelling)

    assert [m["To"] for m in smtp_server.messages] == ["eve@example.com"] * 3


def test_no_mail_for_a_login_without_a_password_of_its_own_or_an_inactive_one(
    client, org, smtp_server
):
    sso_only = org.engineer.user
    sso_only.set_unusable_password()
    sso_only.save()
    get_user_model().objects.filter(pk=org.peer.user.pk).update(is_active=False)

    ask(client, "eve@example.com")
    ask(client, "pat@example.com")

    assert smtp_server.messages == []


def test_with_password_sign_in_off_only_admins_can_reset(client, org, smtp_server, settings):
    settings.PASSWORD_SIGN_IN = False

    ask(client, "eve@example.com")
    ask(client, "ada@example.com")

    assert [m["To"] for m in smtp_server.messages] == ["ada@example.com"]


def test_one_mailbox_gets_a_few_mails_an_hour_whoever_asks(client, org, smtp_server, settings):
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 2

    for n in range(4):
        response = ask(client, "eve@example.com", REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 302

    assert len(smtp_server.messages) == 2


def test_one_client_address_is_told_to_wait_after_too_many_requests(
    client, org, smtp_server, settings
):
    settings.PASSWORD_RESET_REQUESTS = 3
    settings.PASSWORD_RESET_WINDOW_MINUTES = 10

    answers = [ask(client, f"someone{n}@example.com").status_code for n in range(3)]
    refused = ask(client, "eve@example.com")

    assert answers == [302, 302, 302]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert "Try again in 10 minutes" in refused.content.decode()
    assert smtp_server.messages == []
    # Another address is not held back by this one.
    assert ask(client, "eve@example.com", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_outbox_keeps_no_working_reset_link_once_sent(client, org, smtp_server):
    ask(client, "eve@example.com")
    link = link_in(smtp_server.messages[0])

    stored = OutgoingMail.objects.get(kind=OutgoingMail.Kind.PASSWORD_RESET)

    assert stored.sent_at is not None
    assert link not in stored.body and LINK_REMOVED in stored.body


def test_a_mail_server_that_is_down_leaves_the_reset_queued_and_the_answer_unchanged(
    client, org, smtp_server
):
    smtp_server.stop()

    response = ask(client, "eve@example.com")

    assert response.status_code == 302
    stored = OutgoingMail.objects.get(kind=OutgoingMail.Kind.PASSWORD_RESET)
    assert stored.sent_at is None and stored.attempts == 1


@pytest.mark.parametrize(
    "address", ["", "not-an-address", "a" * 300 + "@example.com", "eve@example.com\u202e"]
)
def test_a_malformed_address_is_answered_on_the_form(client, org, smtp_server, address):
    response = ask(client, address)

    assert response.status_code in (200, 302)
    assert smtp_server.messages == []
