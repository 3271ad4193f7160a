"""Count the SQL statements an application runs, e.g. to show a request never reached the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from gi_registry.extensions import db


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Yield a list that fills with every statement sent to ``app``'s database inside the block."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
