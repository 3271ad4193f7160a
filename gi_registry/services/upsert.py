"""INSERT … ON CONFLICT DO NOTHING on both supported databases.

For rows that two writers may create at the same moment (a picture's asset, a named lock row): the
second writer's insert waits for the first one's transaction and then does nothing (PostgreSQL), or
runs after its commit under the database's write lock (SQLite), instead of failing on the key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from gi_registry.extensions import db

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_unless_present(model: type, key: str, **values: Any) -> None:
    """Insert a ``model`` row with ``values`` unless one with the same unique ``key`` exists."""
    insert = INSERTS[db.session.get_bind().dialect.name]
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]))
