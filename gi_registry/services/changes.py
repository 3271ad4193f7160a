"""The registry's change marker: one row stamped by every commit that changed registry data.

Pages, the API, the sitemap and the bulk downloads are cached per marker (gi_registry/caching,
gi_registry/opendata): when it moves, they are built again; while it stands, they are not.

Why a stamped row and not ``max(audit_entries.id)`` or ``max(updated_at)``: on PostgreSQL two
transactions can commit out of the order in which they took their ids or clocks, so a maximum read
between the two commits stays the same after the second and a cache would keep the older state. The
UPDATE of one row is serialised by the row lock, so every commit that changed something leaves a
new, later value. It is taken at the very end of the transaction (``before_commit``), so it is held
for the commit alone and never while waiting for another lock: no deadlock can form around it.

The hooks listen on every session like the search outbox's, so services, the importer, the CLI and
tests that commit directly are all covered. Writes that only touch models marked ``Private`` (the
search outbox, the lock rows, the audit trail, accounts, the public's guidance requests) do not
count: they change nothing a visitor sees, and a busy form must not empty every worker's cache.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from gi_registry.extensions import db
from gi_registry.models import WriteLock, now_utc
from gi_registry.models.base import Private

REGISTRY_STAMP = "registry"
CHANGED = "registry_changed"


def registry_stamp() -> datetime | None:
    """When registry data last changed (None before the first commit ever stamped it)."""
    return db.session.execute(
        sa.select(WriteLock.taken_at).where(WriteLock.name == REGISTRY_STAMP)
    ).scalar()


def _counts(obj) -> bool:
    return not isinstance(obj, Private)


@cache
def _private_tables() -> frozenset[str]:
    return frozenset(
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, Private)
    )


def _after_flush(session: Session, _flush_context) -> None:
    if any(_counts(obj) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[CHANGED] = True


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk DML through the session (``session.execute(update(...))``) counts as a change too."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in _private_tables():
            state.session.info[CHANGED] = True


def _before_commit(session: Session) -> None:
    pending = any(_counts(obj) for obj in chain(session.new, session.dirty, session.deleted))
    if not (session.info.get(CHANGED) or pending):
        return
    result = session.execute(
        sa.update(WriteLock)
        .where(WriteLock.name == REGISTRY_STAMP)
        .values(holder="", taken_at=now_utc())
    )
    if result.rowcount == 0:  # the first change this database has seen
        session.add(WriteLock(name=REGISTRY_STAMP, holder="", taken_at=now_utc()))
        session.flush()
    session.info.pop(CHANGED, None)


def _forget(session: Session, *_args) -> None:
    session.info.pop(CHANGED, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    if event.contains(Session, "before_commit", _before_commit):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_rollback", _forget)


__all__ = ["REGISTRY_STAMP", "install", "registry_stamp"]
