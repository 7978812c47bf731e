"""`ladder backup` and `ladder restore`: a demo organisation goes from SQLite to PostgreSQL and
back, row for row; and a restore writes nothing when the target holds rows, the archive was
changed, or it comes from other migrations; a failed backup leaves no half archive.

The round trip needs PostgreSQL at 127.0.0.1 (CI always has it); it fails, never skips, when it
does not answer. It makes a database of its own, whichever the suite runs on.
"""

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command

from ladder.ops import backup
from tests.conftest import run_ladder
from tests.ops.conftest import own_postgres_database


def ladder(*args: str, database: str) -> str:
    result = run_ladder(*args, env={"DEBUG": "1", "DATABASE_URL": database})
    assert result.returncode == 0, f"ladder {' '.join(args)}: {result.stderr}"
    return result.stdout


def refused(*args: str, database: str) -> str:
    result = run_ladder(*args, env={"DEBUG": "1", "DATABASE_URL": database})
    assert result.returncode != 0, f"ladder {' '.join(args)} succeeded: {result.stdout}"
    return result.stderr


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def decoded_tables(archive_path: Path) -> dict[str, list[tuple]]:
    """Every table's rows in the archive, in primary-key order, as Python values."""
    by_name = {table.name: table for table in backup.tables()}
    found = {}
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["tables"]:
            table = by_name[entry["table"]]
            found[table.name] = [
                tuple(backup.decode(field, row[field.column]) for field in table.fields)
                for row in map(json.loads, archive.read(entry["file"]).splitlines())
            ]
    return found


def tables_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]


def manifest_of(archive_path: Path) -> dict:
    with zipfile.ZipFile(archive_path) as archive:
        return json.loads(archive.read("manifest.json"))


def rewrite(source: Path, target: Path, change) -> None:
    """A copy of an archive with `change(name, data) -> data` applied to every member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change(name, old.read(name)))


@pytest.fixture(scope="module")
def postgres_database():
    """A PostgreSQL database of this module's own, dropped at the end."""
    with own_postgres_database("ladder_backup") as url:
        yield url


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory, postgres_database):
    """A demo on SQLite, backed up; restored into PostgreSQL and backed up there; that backup
    restored into a second SQLite database and backed up there."""
    folder = tmp_path_factory.mktemp("backup")
    source = sqlite_url(folder / "source.sqlite3")
    ladder("migrate", "-v0", database=source)
    ladder("seed-demo", "--people", "30", database=source)
    ladder("backup", str(folder / "sqlite.zip"), database=source)
    ladder("restore", str(folder / "sqlite.zip"), database=postgres_database)
    ladder("backup", str(folder / "postgresql.zip"), database=postgres_database)
    again = folder / "again.sqlite3"
    # Migrated beforehand, so it holds the content types and permissions `migrate` makes; the
    # PostgreSQL database was left for `restore` to migrate.
    ladder("migrate", "-v0", database=sqlite_url(again))
    ladder("restore", str(folder / "postgresql.zip"), database=sqlite_url(again))
    ladder("backup", str(folder / "again.zip"), database=sqlite_url(again))
    return folder, postgres_database


def test_a_demo_goes_from_sqlite_to_postgresql_and_back_row_for_row(round_trip):
    folder, _ = round_trip
    from_sqlite = decoded_tables(folder / "sqlite.zip")
    from_postgresql = decoded_tables(folder / "postgresql.zip")
    from_sqlite_again = decoded_tables(folder / "again.zip")

    assert set(from_sqlite) == {table.name for table in backup.tables()}
    for name, rows in from_sqlite.items():
        assert from_postgresql[name] == rows, name
        assert from_sqlite_again[name] == rows, name
    assert len(from_sqlite["people_person"]) == 30
    assert from_sqlite["auth_user_groups"] is not None  # many-to-many tables are there too
    assert from_sqlite["axes_accessattempt"] == []


def test_the_table_files_are_the_same_bytes_whichever_database_wrote_them(round_trip):
    folder, _ = round_trip
    manifests = [manifest_of(folder / name) for name in ("sqlite.zip", "postgresql.zip")]

    assert [m["database_vendor"] for m in manifests] == ["sqlite", "postgresql"]
    assert manifests[0]["tables"] == manifests[1]["tables"]
    assert manifests[0]["migrations"] == manifests[1]["migrations"]


def test_the_restored_databases_hold_what_the_manifest_counts(round_trip):
    folder, postgres_database = round_trip
    counts = {
        entry["table"]: entry["rows"] for entry in manifest_of(folder / "sqlite.zip")["tables"]
    }

    with psycopg.connect(postgres_database) as connection:
        for name, rows in counts.items():
            assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == rows
        # The search index is made again, and new rows get ids after the restored ones.
        assert connection.execute(
            "SELECT count(*) FROM frameworks_searchline WHERE vector IS NULL"
        ).fetchone() == (0,)
        next_id = connection.execute("SELECT nextval('people_person_id_seq')").fetchone()[0]
        assert next_id > connection.execute("SELECT max(id) FROM people_person").fetchone()[0]
    with sqlite3.connect(folder / "again.sqlite3") as connection:
        for name, rows in counts.items():
            assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == rows
        found = connection.execute(
            "SELECT count(*) FROM frameworks_searchline_fts "
            "WHERE frameworks_searchline_fts MATCH 'architecture'"
        ).fetchone()[0]
        assert found > 0


def test_restore_refuses_a_database_that_holds_rows(round_trip):
    folder, _ = round_trip

    error = refused(
        "restore", str(folder / "postgresql.zip"), database=sqlite_url(folder / "source.sqlite3")
    )

    assert "The database is not empty: assessments_assessment (" in error
    assert "Restore into a new, empty database. Nothing was restored." in error


def test_restore_refuses_a_changed_archive_before_writing_anything(round_trip, tmp_path):
    folder, _ = round_trip
    changed = tmp_path / "changed.zip"
    rewrite(
        folder / "sqlite.zip",
        changed,
        # The same row, with a space more: the same meaning, but not the bytes backed up.
        lambda name, data: data.replace(b"}\n", b"} \n", 1) if "people_person" in name else data,
    )
    target = tmp_path / "target.sqlite3"

    error = refused("restore", str(changed), database=sqlite_url(target))

    assert "tables/people_person.jsonl is not the file the backup wrote" in error
    assert "Nothing was restored" in error
    assert tables_in(target) == []  # not even migrated


def test_restore_names_the_table_and_row_it_cannot_read(round_trip, tmp_path):
    folder, _ = round_trip
    table = "tables/people_levelassignment.jsonl"

    def break_a_date(name, data):
        if name == table:
            lines = data.splitlines(keepends=True)
            row = json.loads(lines[2])
            row["start"] = "the third of May"
            lines[2] = (json.dumps(row, sort_keys=True) + "\n").encode()
            return b"".join(lines)
        return data

    changed = tmp_path / "changed.zip"
    rewrite(folder / "sqlite.zip", changed, break_a_date)
    manifest = manifest_of(changed)
    with zipfile.ZipFile(changed) as archive:
        data = archive.read(table)
    for entry in manifest["tables"]:
        if entry["file"] == table:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    rewrite(
        changed,
        tmp_path / "resealed.zip",
        lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data,
    )
    target = tmp_path / "target.sqlite3"

    error = refused("restore", str(tmp_path / "resealed.zip"), database=sqlite_url(target))

    assert "people_levelassignment, row 3, start: 'the third of May'" in error
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT count(*) FROM people_person").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)


def test_restore_refuses_an_archive_from_other_migrations(round_trip, tmp_path):
    folder, _ = round_trip
    manifest = manifest_of(folder / "sqlite.zip")
    dropped = manifest["migrations"]["people"].pop()
    manifest["migrations"]["frameworks"].append("9999_from_the_future")
    changed = tmp_path / "other.zip"
    rewrite(
        folder / "sqlite.zip",
        changed,
        lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data,
    )
    target = tmp_path / "target.sqlite3"

    error = refused("restore", str(changed), database=sqlite_url(target))

    assert "migrated differently" in error
    assert "Applied there, unknown here: frameworks.9999_from_the_future." in error
    assert f"Here, not applied there: people.{dropped}." in error
    assert tables_in(target) == []


def test_backup_refuses_to_replace_a_file_without_force(round_trip):
    folder, _ = round_trip
    before = (folder / "sqlite.zip").read_bytes()

    error = refused(
        "backup", str(folder / "sqlite.zip"), database=sqlite_url(folder / "source.sqlite3")
    )

    assert "exists already: add --force" in error
    assert (folder / "sqlite.zip").read_bytes() == before


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_half_archive(dotnet_version, tmp_path, monkeypatch):
    written = 0
    encode = backup.encode

    def fail_midway(field, value):
        nonlocal written
        written += 1
        if written == 500:
            raise OSError("No space left on device")
        return encode(field, value)

    monkeypatch.setattr(backup, "encode", fail_midway)
    archive = tmp_path / "ladder.zip"
    archive.write_bytes(b"last night's backup")

    with pytest.raises(OSError, match="No space left"):
        call_command("backup", str(archive), "--force")

    assert written == 500
    assert archive.read_bytes() == b"last night's backup"
    assert [path.name for path in tmp_path.iterdir()] == ["ladder.zip"]


@pytest.mark.django_db
def test_a_backup_holds_every_table_with_its_count_and_checksum(dotnet_version, tmp_path):
    archive = tmp_path / "ladder.zip"

    call_command("backup", str(archive))

    manifest = manifest_of(archive)
    with zipfile.ZipFile(archive) as opened:
        for entry in manifest["tables"]:
            data = opened.read(entry["file"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data.splitlines()) == entry["rows"]
    rows = {entry["table"]: entry["rows"] for entry in manifest["tables"]}
    assert rows["frameworks_ladderversion"] == 1
    assert rows["frameworks_searchline"] > 0
    assert "vector" not in manifest["tables"][0]["columns"]
    assert manifest["migrations"] == backup.code_migrations()


@pytest.mark.django_db
def test_restore_of_a_file_that_is_not_a_backup_says_so(tmp_path):
    path = tmp_path / "notes.zip"
    path.write_text("not a zip")

    with pytest.raises(CommandError, match="is not a Ladder backup"):
        call_command("restore", str(path))
