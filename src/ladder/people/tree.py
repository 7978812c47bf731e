"""The manager tree: its shape (depths, cycles) and the materialised paths that keep it.

A path lists the primary keys from the top of the tree down, so it grows with the depth. The
tree is limited to `MAX_DEPTH` levels everywhere it changes (the CSV import, moving a person,
rebuilding the paths), and the path column holds the longest path of that depth: a change that
would go deeper is refused, never cut short.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Max, Value
from django.db.models.functions import Length, Replace

from .models import MAX_DEPTH, Person, path_below

Node = TypeVar("Node", bound=Hashable)


def tree_shape(managers: dict[Node, Node | None]) -> tuple[dict[Node, int], list[list[Node]]]:
    """The depth of every node of `managers` (1 at the top) and every cycle, in walk order.

    Linear in the number of nodes whatever the tree's shape: each node is walked once. A node on
    a cycle, or below one, has no depth. A manager missing from `managers` counts as a top.
    """
    depth: dict[Node, int] = {}
    stuck: set[Node] = set()  # on a cycle or below one
    cycles: list[list[Node]] = []
    for start in managers:
        chain: list[Node] = []
        on_chain: dict[Node, int] = {}
        node = start
        while node is not None and node not in depth and node not in stuck:
            if node in on_chain:
                cycles.append(chain[on_chain[node] :])
                break
            on_chain[node] = len(chain)
            chain.append(node)
            node = managers.get(node)
        if node is not None and node not in depth:
            stuck.update(chain)
            continue
        level = depth[node] if node is not None else 0
        for item in reversed(chain):
            level += 1
            depth[item] = level
    return depth, cycles


def chain_text(chain: list, *, keep: int = 4) -> str:
    """A chain of people for a message, "a -> b -> c", its middle left out when it is long."""
    names = [str(item) for item in chain]
    if len(names) > 2 * keep + 1:
        names = [*names[:keep], f"… {len(names) - 2 * keep} more …", *names[-keep:]]
    return " -> ".join(names)


def too_deep(depth: int) -> str:
    return f"{depth} levels deep, past the limit of {MAX_DEPTH} levels in the manager tree"


class BrokenTree(ValueError):
    """Manager links that no path can describe: a cycle, or a chain past `MAX_DEPTH`."""


def tree_paths(parent: dict[int, int | None]) -> dict[int, str]:
    """Every person's path from the manager links `parent` (primary key to manager's).

    Raises BrokenTree on a cycle or a chain deeper than `MAX_DEPTH`: a path that does not fit
    must never be cut short, or two people would share it. The services and the import refuse
    such changes before they are written, so this is the last line, not the message admins see.
    """
    depth, cycles = tree_shape(parent)
    if cycles:
        raise BrokenTree(f"the manager tree has a cycle through people {chain_text(cycles[0])}")
    deepest = max(depth, key=depth.__getitem__, default=None)
    if deepest is not None and depth[deepest] > MAX_DEPTH:
        raise BrokenTree(f"person {deepest} would be {too_deep(depth[deepest])}")
    paths: dict[int, str] = {}
    # Managers before their reports: each path extends its manager's.
    for pk in sorted(depth, key=depth.__getitem__):
        manager = parent[pk]
        paths[pk] = path_below(paths[manager] if manager is not None else None, pk)
    return paths


def subtree_height(person: Person) -> int:
    """How many levels `person` and the people below them span (1 with no reports): one query."""
    slashes = Length("path") - Length(Replace("path", Value("/"), Value("")))
    deepest = Person.objects.filter(path__startswith=person.path).aggregate(deepest=Max(slashes))
    return (deepest["deepest"] or person.path.count("/")) - person.path.count("/") + 1


def check_depth(email: str, manager: Person | None, height: int = 1) -> None:
    """Refuse to put a person (`email`, spanning `height` levels with the people below them)
    under `manager` if the deepest would be past `MAX_DEPTH`."""
    depth = (manager.depth if manager else 0) + height
    if depth > MAX_DEPTH:
        below = f", with the {height - 1} levels below them," if height > 1 else ""
        place = f"report to {manager.email}" if manager else "be at the top"
        raise ValidationError(
            f"{email}{below} cannot {place}: the deepest would be {too_deep(depth)}."
        )


def save_paths(paths: dict[int, str], old: Iterable[tuple[int, str]]) -> int:
    """Write the paths that differ from `old` (primary key, stored path); returns how many."""
    changed = [(paths[pk], pk) for pk, was in old if paths[pk] != was]
    update_rows(Person, ["path"], changed)
    return len(changed)


def update_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """UPDATE `columns` of `model` by primary key: each row is the values, then the key.

    Django's `bulk_update` builds a CASE branch per row per field, which takes seconds for ten
    thousand people. Here PostgreSQL gets one statement joined to the values as arrays, and
    SQLite, which runs in-process, one prepared statement run for every row. Values go through
    each field's `get_db_prep_save`, as the ORM's own writes do.
    """
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in columns]
    values = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row[:-1], strict=True)
        ]
        + [row[-1]]
        for row in rows
    ]
    table, key = quote(meta.db_table), quote(meta.pk.column)
    names = [quote(field.column) for field in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Text arrays for text columns: an explicit cast to varchar(n) would cut a long value
            # silently, where assigning text to the column refuses it.
            arrays = ", ".join(
                f"%s::{'text' if isinstance(field, CharField) else field.db_type(connection)}[]"
                for field in [*fields, meta.pk]
            )
            assignments = ", ".join(f"{name} = v.{name}" for name in names)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}, "
                f"{key}) WHERE {table}.{key} = v.{key}",
                [list(column) for column in zip(*values, strict=True)],
            )
        else:
            assignments = ", ".join(f"{name} = %s" for name in names)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", values)


def rebuild_paths() -> int:
    """Recompute every person's path from the manager links; returns how many changed."""
    rows = list(Person.objects.values_list("pk", "manager_id", "path"))
    paths = tree_paths({pk: manager for pk, manager, _ in rows})
    return save_paths(paths, [(pk, path) for pk, _, path in rows])
