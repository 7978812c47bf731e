"""Addresses are stored in one canonical spelling, and people are unique on it.

Rows written before keep the spelling they were typed in; they are rewritten here. Two people
whose addresses become one would break the unique constraint, so the migration stops and names
them: an admin decides which person keeps the address.
"""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import CommandError
from django.db import migrations, models

from ladder.people.emails import CanonicalEmailField, canonical_email


def _refuse_clashes(rows, kind: str) -> None:
    """`rows` are (pk, stored value, canonical value); refuse two rows with one canonical value."""
    by_value = defaultdict(list)
    for pk, stored, canonical in rows:
        by_value[canonical].append(f"#{pk} {stored!r}")
    clashes = [
        f"{', '.join(found)} are all {value!r}"
        for value, found in by_value.items()
        if len(found) > 1
    ]
    if clashes:
        raise CommandError(
            f"Cannot store addresses in one spelling: these {kind} would share one. "
            "Change or merge them, then migrate again.\n  " + "\n  ".join(clashes)
        )


def canonicalise_addresses(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    people = [
        (pk, email, canonical_email(email))
        for pk, email in Person.objects.values_list("pk", "email").order_by("pk")
    ]
    _refuse_clashes(people, "people")

    User = apps.get_model(settings.AUTH_USER_MODEL)
    logins = []
    for pk, username, email in User.objects.values_list("pk", "username", "email").order_by("pk"):
        address = canonical_email(email) if email else email
        # A username that is the address follows it, as `canonicalise_login_email` does.
        username_after = address if email and canonical_email(username) == address else username
        logins.append((pk, username, username_after, email, address))
    _refuse_clashes([(pk, before, after) for pk, before, after, *_ in logins], "logins' usernames")

    for pk, stored, canonical in people:
        if stored != canonical:
            Person.objects.filter(pk=pk).update(email=canonical)
    for pk, username, username_after, email, address in logins:
        if (username, email) != (username_after, address):
            User.objects.filter(pk=pk).update(username=username_after, email=address)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="person",
            name="unique_person_email_ci",
        ),
        migrations.AlterField(
            model_name="person",
            name="email",
            field=CanonicalEmailField(max_length=254),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(fields=("email",), name="unique_person_email"),
        ),
        # After the schema changes: PostgreSQL refuses to alter a table with pending updates.
        # Going back keeps the canonical spelling, which the old constraint accepts as well.
        migrations.RunPython(canonicalise_addresses, migrations.RunPython.noop),
    ]
