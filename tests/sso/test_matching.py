"""Whom verified claims sign in, given claims as Authlib hands them over after verification."""

import pytest
from django.contrib.auth import get_user_model

from ladder.people.models import Person
from ladder.sso.services import SignInRefused, sign_in_user
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

VERIFIED = {"sub": "1", "email": "eve@example.com", "email_verified": True}


def test_claims_without_an_address_are_refused():
    with pytest.raises(SignInRefused, match="sent no email address \\(in the claim 'email'\\)"):
        sign_in_user(claims={"sub": "1", "email_verified": True})


def test_a_login_of_that_name_belonging_to_no_one_is_not_taken_over():
    make_person("Eve Engineer", "eve@example.com", login=False)
    stray = get_user_model().objects.create_user(username="eve@example.com", password="x")

    with pytest.raises(SignInRefused, match="exists but is not linked to you"):
        sign_in_user(claims=VERIFIED)

    assert Person.objects.get(email="eve@example.com").user is None
    assert stray.has_usable_password()


def test_a_new_person_is_named_from_the_given_and_family_names_or_else_the_address(settings):
    settings.OIDC_CREATE_PEOPLE = True

    sign_in_user(claims={**VERIFIED, "given_name": "Eve", "family_name": " Engineer "})
    sign_in_user(claims={**VERIFIED, "email": "nia@example.com"})

    names = dict(Person.objects.values_list("email", "name"))
    assert names == {"eve@example.com": "Eve Engineer", "nia@example.com": "nia"}


def test_a_new_person_whose_name_cannot_be_stored_is_refused_and_nothing_is_written(settings):
    settings.OIDC_CREATE_PEOPLE = True

    with pytest.raises(SignInRefused, match="Ladder could not add eve@example.com"):
        sign_in_user(claims={**VERIFIED, "name": "Eve\x07Engineer"})

    assert not Person.objects.exists()
    assert not get_user_model().objects.exists()
