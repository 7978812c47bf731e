"""With PASSWORD_SIGN_IN off, a password opens an admin's account only, on every sign-in form."""

import pytest
from django.contrib.auth import get_user_model

from ladder.accounts.models import Invitation, token_digest
from ladder.accounts.services import invitations_send
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_send_pending
from tests.conftest import make_person

from .conftest import link_in, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def passwords_off(settings):
    settings.PASSWORD_SIGN_IN = False


def test_the_django_admins_sign_in_refuses_a_staff_members_right_password(client, org):
    get_user_model().objects.filter(pk=org.engineer.user.pk).update(is_staff=True)

    response = client.post(
        "/admin/login/", {"username": "eve@example.com", "password": "correct horse"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_admins_password_still_opens_the_django_admin(client, org):
    response = client.post(
        "/admin/login/", {"username": "ada@example.com", "password": "correct horse"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(org.admin.user.pk)


def test_a_session_begun_before_stays_valid(client, org):
    client.force_login(org.engineer.user, backend="ladder.people.auth.EmailBackend")

    assert client.get("/me/").status_code == 302
    assert client.get(f"/people/{org.engineer.pk}/").status_code == 200


def test_the_sign_in_page_offers_no_password_reset_to_members(client, org):
    page = client.get("/accounts/login/").content.decode()
    assert "Forgot your password?" not in page

    break_glass = client.get("/accounts/login/?break-glass=1").content.decode()
    assert "Forgot your password?" in break_glass


def test_an_invitation_leads_to_the_sign_in_page_and_holds_no_secret(
    client, org, smtp_server, settings
):

    settings.SITE_URL = "http://ladder.test"
    newcomer = make_person("Nina New", "nina@example.com", login=False)

    result = invitations_send(by=org.admin.user, people=[newcomer], send=False)

    mail_send_pending(ids=result.mail_ids)

    [message] = smtp_server.to("nina@example.com")
    text = message.get_content().replace("\r\n", "\n")
    assert "Sign in with your company account here:\n\nhttp://ladder.test/accounts/login/" in text
    assert "/accounts/invitation/" not in text
    assert OutgoingMail.objects.get().body == text


def test_a_link_sent_before_password_sign_in_was_turned_off_sends_to_sign_in(client, org, settings):

    newcomer = make_person("Nina New", "nina@example.com", login=False)
    settings.PASSWORD_SIGN_IN = True

    invitations_send(by=org.admin.user, people=[newcomer], send=False)
    token = "known-token"
    Invitation.objects.update(digest=token_digest(token))
    settings.PASSWORD_SIGN_IN = False

    response = client.get(f"/accounts/invitation/{token}/")

    assert response.status_code == 410
    assert "Sign in with your company account" in response.content.decode()


def test_a_reset_link_mailed_before_password_sign_in_was_turned_off_opens_admins_only(
    client, org, smtp_server, settings
):
    settings.PASSWORD_SIGN_IN = True
    settings.SITE_URL = "http://ladder.test"
    for address in ("eve@example.com", "ada@example.com"):
        client.post("/accounts/password_reset/", {"email": address})
    links = {m["To"]: link_in(m) for m in smtp_server.messages}
    settings.PASSWORD_SIGN_IN = False

    member = client.get(path_of(links["eve@example.com"], "http://ladder.test"), follow=True)
    admin = client.get(path_of(links["ada@example.com"], "http://ladder.test"), follow=True)

    assert "This link does not work" in member.content.decode()
    assert "Choose a new password" in admin.content.decode()
