from django.db import migrations


def merge_repeated_drafts(apps, schema_editor):
    """Before the constraint: drafts started twice (a double-click) become one.

    The most recently saved draft of each group stays. An earlier one that was never saved
    (revision 1: nothing typed) goes; one that was saved is kept under a cycle of its own,
    "2026 H2 (2)", so nothing anyone typed is lost.
    """
    Assessment = apps.get_model("assessments", "Assessment")
    seen: dict[tuple, int] = {}
    drafts = Assessment.objects.filter(state="draft").order_by("-updated_at", "-revision", "-id")
    for draft in drafts:
        key = (draft.author_id, draft.person_id, draft.level_id, draft.cycle)
        if key not in seen:
            seen[key] = 1
            continue
        if draft.revision == 1:
            draft.delete()
            continue
        seen[key] += 1
        draft.cycle = f"{draft.cycle} ({seen[key]})"[:20]
        draft.save(update_fields=["cycle"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
    ]

    # The constraint comes in the next migration, its own transaction: PostgreSQL cannot build
    # an index on a table with deletions still waiting on deferred foreign-key checks.
    operations = [
        migrations.RunPython(merge_repeated_drafts, migrations.RunPython.noop),
    ]
