from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_merge_repeated_drafts"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "draft")),
                fields=("author", "person", "level", "cycle"),
                name="one_draft_per_author_person_level_cycle",
            ),
        ),
    ]
