"""Writing the demo in bulk: rows go in batches, never a query per person."""

from __future__ import annotations

BATCH_SIZE = 1000


def insert(model, names: list[str], rows: list[tuple]) -> None:
    """`bulk_create` rows given as plain tuples of the named fields' values (ids for keys)."""
    attnames = [model._meta.get_field(name).attname for name in names]
    model.objects.bulk_create(
        (model(**dict(zip(attnames, row, strict=True))) for row in rows), batch_size=BATCH_SIZE
    )
