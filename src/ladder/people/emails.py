"""The one spelling of an email address that the app stores, compares and counts.

Sign-in, the failed sign-in counter, the CSV import, the admin and the unique constraint on
people all use `canonical_email`, and compare its results exactly. Nothing folds case in SQL: a
database's own folding (PostgreSQL's UPPER() turns "ı" into "I", SQLite folds ASCII only) would
make two spellings one account for a lookup and two for the counter.
"""

from __future__ import annotations

import unicodedata

from django.db import models


def canonical_email(address: str) -> str:
    """`address` in Unicode's case-insensitive identity form: NFKC, case folded, NFKC again
    (case folding can undo the normal form), without surrounding white space.

    So "ſ" (long s), "K" (Kelvin sign) and fullwidth "Ａ" are "s", "k" and "a"; "ß" is "ss"; an
    accent typed as a combining mark is the precomposed letter. The Turkish dotless "ı" and
    dotted "İ" fold to letters of their own, so "mıd@" and "mid@" are two addresses.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", address).casefold())
    return folded.strip()


class CanonicalEmailField(models.EmailField):
    """An email address stored, and looked up, only in its canonical spelling: whatever path
    writes a row (a form, a service, a bulk import), the unique constraint sees that spelling."""

    def to_python(self, value):
        value = super().to_python(value)
        return canonical_email(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return canonical_email(value) if isinstance(value, str) else value


def canonicalise_login_email(sender, instance, **kwargs) -> None:
    """Django's user model is not ours to change, so its address is made canonical as it is
    saved, from any path (the admin, `createsuperuser`); a username that is the address too."""
    if instance.email:
        address = canonical_email(instance.email)
        username = instance.get_username()
        if username and canonical_email(username) == address:
            setattr(instance, instance.USERNAME_FIELD, address)
        instance.email = address
