"""Give every ladder a slug its URLs can be built from.

Before slugs were checked, `ladder import --slug "Dotnet 2025"` was accepted, and from then on
every page that links to the ladder answered 500. This renames each slug that breaks today's
rule to the nearest one that keeps it, unique among ladders, and records each rename in the
audit log. The rule is copied here rather than imported, so this migration keeps meaning what
it meant when it was written (the live rule is `check_ladder_slug` in frameworks/services.py).
"""

import re
import unicodedata

from django.db import migrations

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slug_from(text, limit):
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", folded))[:limit].rstrip("-") or "ladder"


def repair_slugs(apps, schema_editor):
    Ladder = apps.get_model("frameworks", "Ladder")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    limit = Ladder._meta.get_field("slug").max_length
    taken = set(Ladder.objects.values_list("slug", flat=True))
    for ladder in Ladder.objects.order_by("pk"):
        old = ladder.slug
        if len(old) <= limit and SLUG.fullmatch(old):
            continue
        base = slug_from(old, limit)
        slug, n = base, 1
        while slug in taken:
            n += 1
            suffix = f"-{n}"
            slug = base[: limit - len(suffix)].rstrip("-") + suffix
        taken.add(slug)
        ladder.slug = slug
        ladder.save(update_fields=["slug"])
        AuditEvent.objects.create(
            # `ladder migrate` is run from the command line, like the other commands that
            # change ladders without a signed-in person.
            actor=None,
            actor_label="command line",
            action="ladder.slug_repaired",
            target_type="ladder",
            target_id=str(ladder.pk),
            target_label=ladder.title[:300],
            before={"slug": old},
            after={"slug": slug},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0002_ladder_retired_at"),
        ("audit", "0001_initial"),
    ]

    operations = [
        # Going back leaves the repaired slugs: the old ones broke every page that linked them.
        migrations.RunPython(repair_slugs, migrations.RunPython.noop),
    ]
