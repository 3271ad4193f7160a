"""Lookups of many keys at once, in batches that stay under every database's bound-parameter limit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select

from gi_registry.extensions import db

BATCH_SIZE = 500


def rows_in(query: Select, column, values: Iterable) -> Iterator[Any]:
    """The rows of ``query`` whose ``column`` is one of ``values``: one statement per batch."""
    keys = sorted(set(values))
    for start in range(0, len(keys), BATCH_SIZE):
        yield from db.session.execute(query.where(column.in_(keys[start : start + BATCH_SIZE])))


def scalars_in(query: Select, column, values: Iterable) -> Iterator[Any]:
    """As ``rows_in``, yielding the first column of each row (an entity or a single value)."""
    for row in rows_in(query, column, values):
        yield row[0]
