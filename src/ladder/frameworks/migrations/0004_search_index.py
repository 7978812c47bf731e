"""The search index: a row per searched line of a version, and the database's full-text index.

SQLite gets an FTS5 table over the rows' words, kept by triggers; PostgreSQL a GIN index over
their tsvector, and the unaccent extension the vectors are made with. Each database skips the
other's part, so one chain of migrations serves both.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

# An external-content FTS5 table: it indexes frameworks_searchline.words without a second copy,
# and the triggers keep it in step with every insert, update and delete of the rows (a version's
# rows go when the version is deleted). remove_diacritics 2 takes accents off every letter
# that has them; the words arrive folded already, so it agrees with the search's own folding.
SQLITE_FORWARDS = [
    """CREATE VIRTUAL TABLE frameworks_searchline_fts USING fts5(
        words, content='frameworks_searchline', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER frameworks_searchline_fts_insert AFTER INSERT ON frameworks_searchline
    BEGIN
        INSERT INTO frameworks_searchline_fts(rowid, words) VALUES (new.id, new.words);
    END""",
    """CREATE TRIGGER frameworks_searchline_fts_delete AFTER DELETE ON frameworks_searchline
    BEGIN
        INSERT INTO frameworks_searchline_fts(frameworks_searchline_fts, rowid, words)
        VALUES ('delete', old.id, old.words);
    END""",
    """CREATE TRIGGER frameworks_searchline_fts_update AFTER UPDATE ON frameworks_searchline
    BEGIN
        INSERT INTO frameworks_searchline_fts(frameworks_searchline_fts, rowid, words)
        VALUES ('delete', old.id, old.words);
        INSERT INTO frameworks_searchline_fts(rowid, words) VALUES (new.id, new.words);
    END""",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS frameworks_searchline_fts_update",
    "DROP TRIGGER IF EXISTS frameworks_searchline_fts_delete",
    "DROP TRIGGER IF EXISTS frameworks_searchline_fts_insert",
    "DROP TABLE IF EXISTS frameworks_searchline_fts",
]
# Django's GinIndex in Meta.indexes would be created on SQLite too, which has no GIN.
POSTGRESQL_FORWARDS = [
    "CREATE INDEX frameworks_searchline_vector ON frameworks_searchline USING gin (vector)",
]
POSTGRESQL_BACKWARDS = ["DROP INDEX IF EXISTS frameworks_searchline_vector"]


class UnaccentOnPostgreSQL(UnaccentExtension):
    """UnaccentExtension, whose undoing Django would also run on SQLite (it asks pg_extension)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0003_repair_ladder_slugs"),
    ]

    operations = [
        UnaccentOnPostgreSQL(),
        migrations.AddField(
            model_name="ladderversion",
            name="synonyms",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name="SearchLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("section", models.CharField(max_length=20)),
                ("position", models.PositiveIntegerField()),
                ("words", models.TextField()),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                (
                    "level",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="frameworks.level",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_lines",
                        to="frameworks.ladderversion",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("level", "section", "position"), name="unique_search_line"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRESQL_FORWARDS}),
            _run({"sqlite": SQLITE_BACKWARDS, "postgresql": POSTGRESQL_BACKWARDS}),
        ),
    ]
