"""Keeping the materialised paths of the manager tree right after bulk changes."""

from __future__ import annotations

from .models import Person


def find_cycle(managers: dict[str, str | None], start: str) -> list[str] | None:
    """The cycle reached by walking up from `start` through `managers`, if any."""
    seen: list[str] = []
    current: str | None = start
    while current is not None:
        if current in seen:
            return seen[seen.index(current) :] + [current]
        seen.append(current)
        current = managers.get(current)
    return None


def rebuild_paths() -> int:
    """Recompute every person's path from the manager links; returns how many changed."""
    rows = list(Person.objects.values_list("pk", "manager_id", "path"))
    parent = {pk: manager for pk, manager, _ in rows}
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        # Iterative, so a deep tree cannot exhaust the recursion limit.
        chain = []
        node = pk
        while node is not None and node not in paths:
            if node in chain:
                raise ValueError(f"the manager tree has a cycle through person {node}")
            chain.append(node)
            node = parent[node]
        prefix = paths[node] if node is not None else "/"
        for item in reversed(chain):
            prefix = f"{prefix}{item}/"
            paths[item] = prefix
        return paths[pk]

    changed = [Person(pk=pk, path=path_of(pk)) for pk, _, old in rows if path_of(pk) != old]
    Person.objects.bulk_update(changed, ["path"], batch_size=1000)
    return len(changed)
