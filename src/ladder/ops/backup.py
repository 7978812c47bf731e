"""A backup of the whole database as one portable archive, and its restore into an empty one.

The archive is a zip holding manifest.json and one JSON Lines file per table: every concrete
table of every installed app (Django's own and Ladder's, many-to-many tables included), its
rows in primary-key order, each a JSON object of column name to value. Values are written so
that they mean the same whichever database they came from: dates and times in ISO 8601, Decimal
as a string, bytes in base64, UUID as a string, JSON fields as JSON, keys sorted. A backup of
SQLite and one of PostgreSQL holding the same rows have the same table files, byte for byte.

What is derived from other rows is not copied but made again on restore: the search index
(frameworks_searchline.vector on PostgreSQL, the FTS5 table frameworks_searchline_fts on SQLite;
neither is a model's field anyone writes). Stored readiness is a plain table and is copied.

The manifest holds the format's version, Ladder's version, the database it came from, when it
was made, the migrations applied to that database, and per table its row count and the sha256
of its data file; the restore checks all of them before it writes anything.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

from django.apps import apps
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_string

from ladder.frameworks.search import index_rebuild

FORMAT = "ladder-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Rows read from the database, and written to it, at a time: a big table never sits in memory.
CHUNK = 2000
DERIVED = (
    "The search index is not copied: frameworks_searchline.vector (PostgreSQL) and the FTS5 "
    "table frameworks_searchline_fts (SQLite) are made again from the rows' words on restore."
)
# The tables `migrate` fills by itself (its post_migrate handlers), so an empty database has
# rows in them. Other tables refer to their ids, so the archive's rows replace them.
FILLED_BY_MIGRATE = ("contenttypes.contenttype", "auth.permission")

Progress = Callable[[int], object]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says which table and why."""


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    name: str  # the table's name in the database
    fields: tuple[models.Field, ...]  # the columns copied, derived ones left out

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"

    @property
    def columns(self) -> list[str]:
        return [field.column for field in self.fields]


def tables(using: str = "default") -> list[Table]:
    """Every table the installed apps keep in `using`, by name: the archive's contents."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or not router.allow_migrate_model(using, model):
            continue
        fields = tuple(
            field
            for field in meta.local_concrete_fields
            # A tsvector is the index's copy of the words, made again on restore.
            if not isinstance(field, SearchVectorField)
        )
        found.setdefault(meta.db_table, Table(model, meta.db_table, fields))
    return [found[name] for name in sorted(found)]


def applied_migrations(using: str = "default") -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def code_migrations(using: str = "default") -> dict[str, list[str]]:
    """The migrations of this code, per app: what a database migrated by it has applied."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    known: dict[str, list[str]] = {}
    for app, name in sorted(loader.graph.nodes):
        known.setdefault(app, []).append(name)
    return known


# -- values ---------------------------------------------------------------------------------


def encode(field: models.Field, value):
    """A value as read by Django, as JSON that means the same on every database."""
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(
        f"{field.model._meta.db_table}.{field.column}: a {type(value).__name__} value, "
        "which the archive has no portable form for."
    )


def decode(field: models.Field, value):
    """The Python value of a JSON value written by encode()."""
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _line(row: dict) -> bytes:
    return (json.dumps(row, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode()


# -- backup ---------------------------------------------------------------------------------


def backup_write(
    path: Path, *, force: bool = False, using: str = "default", progress: Progress | None = None
) -> dict:
    """Write the archive of the whole database to `path` and return its manifest.

    It is written to a temporary file beside `path` and renamed onto it only when whole, so a
    failed backup leaves no half archive (and an older archive under that name untouched).
    """
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"{path} exists already: add --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            manifest = _write_tables(archive, using=using, progress=progress)
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def backup_rows(using: str = "default") -> int:
    return sum(table.model._base_manager.using(using).count() for table in tables(using))


def _write_tables(archive: zipfile.ZipFile, *, using: str, progress: Progress | None) -> dict:
    connection = connections[using]
    # Inside a caller's transaction the tables are read as that transaction sees them.
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            # Every table as of one moment, while the site goes on writing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # On SQLite the transaction's first read fixes what the rest of it sees.
        entries = [
            _write_table(archive, table, using=using, progress=progress) for table in tables(using)
        ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ladder_version": package_version("ladder"),
        "database_vendor": connection.vendor,
        "created_at": timezone.now().isoformat(),
        "migrations": applied_migrations(using),
        "derived": DERIVED,
        "tables": entries,
    }


def _write_table(
    archive: zipfile.ZipFile, table: Table, *, using: str, progress: Progress | None
) -> dict:
    digest, count = hashlib.sha256(), 0
    rows = (
        table.model._base_manager.using(using)
        .order_by("pk")
        .values_list(*(field.attname for field in table.fields))
        .iterator(chunk_size=CHUNK)
    )
    # Closed here, not when collected: on PostgreSQL the rows come through a named cursor that
    # must be closed before its transaction ends, a failed one too.
    with closing(rows), archive.open(table.member, "w", force_zip64=True) as member:
        for values in rows:
            line = _line(
                {
                    field.column: encode(field, value)
                    for field, value in zip(table.fields, values, strict=True)
                }
            )
            member.write(line)
            digest.update(line)
            count += 1
            if progress and count % CHUNK == 0:
                progress(CHUNK)
    if progress:
        progress(count % CHUNK)
    return {
        "table": table.name,
        "model": table.label,
        "file": table.member,
        "columns": table.columns,
        "rows": count,
        "sha256": digest.hexdigest(),
    }


# -- restore --------------------------------------------------------------------------------


def restore_read(path: Path, *, using: str = "default") -> dict:
    """The archive's manifest, once the archive is found whole and made by this code's
    migrations: every table's row count and checksum verified. Nothing is written."""
    archive = _open(path)
    with archive:
        manifest = _manifest(archive)
        _check_migrations(manifest["migrations"], code_migrations(using))
        _check_tables(manifest, tables(using))
        for entry in manifest["tables"]:
            digest, count = hashlib.sha256(), 0
            for line in _member_lines(archive, entry):
                digest.update(line)
                count += 1
            if digest.hexdigest() != entry["sha256"]:
                raise BackupError(
                    f"{entry['file']} is not the file the backup wrote: its sha256 differs "
                    "from the manifest's, so the archive is damaged or was changed."
                )
            if count != entry["rows"]:
                raise BackupError(
                    f"{entry['file']} holds {count} rows; the manifest says {entry['rows']}."
                )
    return manifest


def restore_load(path: Path, *, using: str = "default", progress: Progress | None = None) -> dict:
    """Load a verified archive into an empty, migrated database, all in one transaction.

    Foreign keys are checked once every row is in; then PostgreSQL's sequences are moved past
    the ids loaded, the search index is made again, and every table is counted against the
    manifest. Any failure rolls everything back.
    """
    manifest = restore_read(path, using=using)
    _migrate(using)
    by_name = {table.name: table for table in tables(using)}
    _check_empty(by_name.values(), using=using)
    connection = connections[using]
    with _open(path) as archive, transaction.atomic(using=using):
        quote = connection.ops.quote_name
        for table in by_name.values():
            if table.label in FILLED_BY_MIGRATE:
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {quote(table.name)}")  # noqa: S608
        with connection.constraint_checks_disabled():
            for entry in manifest["tables"]:
                _load_table(archive, entry, by_name[entry["table"]], using, progress)
        try:
            connection.check_constraints(table_names=list(by_name))
        except DatabaseError as error:  # IntegrityError included
            raise BackupError(f"The rows refer to rows that are not there: {error}") from error
        models_loaded = [table.model for table in by_name.values()]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_loaded):
                cursor.execute(statement)
        index_rebuild()
        for entry in manifest["tables"]:
            table = by_name[entry["table"]]
            found = table.model._base_manager.using(using).count()
            if found != entry["rows"]:
                raise BackupError(
                    f"{table.name} holds {found} rows after the restore; the archive "
                    f"{entry['rows']}. Nothing was restored."
                )
    return manifest


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as error:
        raise BackupError(f"There is no file {path}.") from error
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{path} is not a Ladder backup: {error}.") from error


def _manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError as error:
        raise BackupError(f"The archive has no {MANIFEST}: it is not a Ladder backup.") from error
    except ValueError as error:
        raise BackupError(f"The archive's {MANIFEST} is not JSON: {error}.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"The archive's {MANIFEST} is not a Ladder backup's manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The archive is in backup format {manifest.get('format_version')!r}; this Ladder "
            f"reads format {FORMAT_VERSION}."
        )
    return manifest


def _check_migrations(archived: dict, known: dict) -> None:
    def pairs(migrations):
        return {(app, name) for app, names in migrations.items() for name in names}

    only_archive = sorted(pairs(archived) - pairs(known))
    only_code = sorted(pairs(known) - pairs(archived))
    if not (only_archive or only_code):
        return
    lines = ["The archive's database was migrated differently from this Ladder's code."]
    if only_archive:
        lines.append("Applied there, unknown here: " + _names(only_archive) + ".")
    if only_code:
        lines.append("Here, not applied there: " + _names(only_code) + ".")
    lines.append(
        "Restore it with the Ladder version that made it (see its manifest.json), or migrate "
        "its database to this version's migrations and back it up again."
    )
    raise BackupError(" ".join(lines))


def _names(pairs) -> str:
    return ", ".join(f"{app}.{name}" for app, name in pairs)


def _check_tables(manifest: dict, here: list[Table]) -> None:
    archived = {entry["table"]: entry for entry in manifest["tables"]}
    missing = sorted({table.name for table in here} - set(archived))
    extra = sorted(set(archived) - {table.name for table in here})
    if missing or extra:
        raise BackupError(
            f"The archive's tables are not this Ladder's: missing {missing or 'none'}, "
            f"unknown {extra or 'none'}."
        )
    for table in here:
        if archived[table.name]["columns"] != table.columns:
            raise BackupError(
                f"{table.name} has the columns {archived[table.name]['columns']} in the archive "
                f"and {table.columns} here."
            )


def _member_lines(archive: zipfile.ZipFile, entry: dict) -> Iterator[bytes]:
    try:
        member = archive.open(entry["file"])
    except KeyError as error:
        raise BackupError(f"The archive has no {entry['file']}.") from error
    with member:
        yield from member


def _migrate(using: str) -> None:
    """Bring an empty database's schema up to this code's: `migrate`, which does nothing when
    every migration is applied already."""
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", database=using, interactive=False, verbosity=0)


def _check_empty(here, *, using: str) -> None:
    holding = [
        f"{table.name} ({count})"
        for table in here
        if table.label not in FILLED_BY_MIGRATE
        and (count := table.model._base_manager.using(using).count())
    ]
    if holding:
        shown = ", ".join(holding[:5]) + (f" and {len(holding) - 5} more" if holding[5:] else "")
        raise BackupError(
            f"The database is not empty: {shown} hold rows. Restore into a new, empty database."
        )


def _load_table(
    archive: zipfile.ZipFile, entry: dict, table: Table, using: str, progress: Progress | None
) -> None:
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = table.fields
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the models)
        quote(table.name),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    batch, start = [], 1
    with connection.cursor() as cursor:
        for number, line in enumerate(_member_lines(archive, entry), start=1):
            batch.append(_row_params(table, number, json.loads(line), connection))
            if len(batch) == CHUNK:
                _insert(cursor, sql, batch, table, start)
                start += len(batch)
                batch = []
                if progress:
                    progress(CHUNK)
        if batch:
            _insert(cursor, sql, batch, table, start)
            if progress:
                progress(len(batch))


def _row_params(table: Table, number: int, row: dict, connection) -> list:
    params = []
    for field in table.fields:
        try:
            value = decode(field, row[field.column])
            params.append(field.get_db_prep_save(value, connection))
        except KeyError as error:
            raise BackupError(f"{table.name}, row {number}: no {field.column}.") from error
        except (ValidationError, ValueError, TypeError) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            raise BackupError(
                f"{table.name}, row {number}, {field.column}: {row[field.column]!r} cannot be "
                f"read: {message}"
            ) from error
    return params


def _insert(cursor, sql: str, batch: list, table: Table, start: int) -> None:
    try:
        cursor.executemany(sql, batch)
    except DatabaseError as error:
        raise BackupError(
            f"{table.name}, rows {start} to {start + len(batch) - 1}: {error}".strip()
        ) from error
