"""Index the lines of every version imported before the search index was made."""

from django.db import migrations

from ladder.frameworks.words import words

# As search.SEARCHED_SECTIONS: the criteria, then the guidance. Written out here, as a data
# migration must not change with the code after it.
CRITERIA_SECTIONS = ("responsibilities", "skills", "soft_skills")
GUIDANCE_SECTIONS = ("next_actions", "scenario")


def index_versions(apps, schema_editor):
    LadderVersion = apps.get_model("frameworks", "LadderVersion")
    Level = apps.get_model("frameworks", "Level")
    Criterion = apps.get_model("frameworks", "Criterion")
    SearchLine = apps.get_model("frameworks", "SearchLine")
    for version in LadderVersion.objects.order_by("pk").iterator():
        if SearchLine.objects.filter(version=version).exists():
            continue
        levels = list(Level.objects.filter(version=version).order_by("position"))
        texts = {(level.pk, section): [] for level in levels for section in CRITERIA_SECTIONS}
        for criterion in Criterion.objects.filter(level__version=version).order_by("position"):
            texts[criterion.level_id, criterion.section].append(criterion.text)
        for level in levels:
            for section in GUIDANCE_SECTIONS:
                texts[level.pk, section] = getattr(level, section)
        SearchLine.objects.bulk_create(
            SearchLine(
                version=version,
                level_id=level_id,
                section=section,
                position=position,
                words=" ".join(words(text)),
            )
            for (level_id, section), lines in texts.items()
            for position, text in enumerate(lines)
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE frameworks_searchline SET vector = to_tsvector('simple', unaccent(words)) "
            "WHERE vector IS NULL"
        )


def forget_versions(apps, schema_editor):
    apps.get_model("frameworks", "SearchLine").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0004_search_index"),
    ]

    operations = [migrations.RunPython(index_versions, forget_versions)]
