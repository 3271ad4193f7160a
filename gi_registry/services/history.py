"""History: every change to a registry record, with who made it, when, and each field before and after.

Registry data is evidence. Snapshots are taken with the records' builders in ``snapshots`` (the
interchange format's terms), so the history, the export and the importer agree on what a field is.
A record whose snapshot did not change gets no entry and counts as unchanged. ``history()`` reads a
record's entries back, newest first, and ``state_after()`` rebuilds the record as it was after any
one of them, for the staff console's diff view and restore.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, now_utc
from gi_registry.services.snapshots import (
    authorization_record,
    brand_record,
    event_record,
    guidance_record,
    listing_record,
    producer_record,
    product_record,
    report_record,
    slot_record,
    station_record,
    story_record,
)

SNAPSHOTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "products": product_record,
    "brands": brand_record,
    "producers": producer_record,
    "authorizations": authorization_record,
    "listings": listing_record,
    "stories": story_record,
    "events": event_record,
    # Slots have no row version and no slug: their entries are written by services.promotion itself.
    "slots": slot_record,
    "stations": station_record,
    "guidance": guidance_record,
    "reports": report_record,
}


def entity_key(kind: str, record: dict[str, Any]) -> str:
    if kind == "authorizations":
        return f"{record['producer']}/{record['product']}"
    if kind == "slots":
        return str(record["id"])
    if kind in ("guidance", "reports"):
        return record["tracking_code"]
    return record["slug"]


@dataclass(frozen=True)
class Outcome:
    """What one unit did to one record: for an import's preview (what it would create or change)."""

    kind: str
    key: str
    action: str  # create, update, archive or unchanged
    fields: tuple[str, ...]  # the fields an update or archive changed


@dataclass(frozen=True)
class Revision:
    """One entry of a record's history. ``changes`` maps a field to (before, after)."""

    id: int
    at: datetime
    action: str
    actor: str
    user_id: int | None
    user_email: str | None
    batch: str
    changes: dict[str, tuple[Any, Any]]


class History:
    """The entries one unit of work will write. The actor and user are those of the unit."""

    def __init__(self, actor: str, user_id: int | None = None):
        self.actor = actor[:254]
        self.user_id = user_id
        self.batch = uuid.uuid4().hex
        # id(obj) -> (kind, obj, snapshot before, row version before)
        self.tracked: dict[int, tuple[str, Any, dict[str, Any] | None, int | None]] = {}
        self.entries: list[AuditEntry] = []
        # (kind, row id) -> fields added to that record's entry: what a restore says it restored.
        self.notes: dict[tuple[str, int], dict[str, list]] = {}
        self.outcomes: list[Outcome] = []  # every tracked record, changed or not, as written

    def annotate(self, kind: str, entity_id: int, changes: dict[str, list]) -> None:
        """Add ``changes`` to the entry this unit writes for one record (if it writes one)."""
        self.notes.setdefault((kind, entity_id), {}).update(changes)

    def track(self, kind: str, obj: Any, *, is_new: bool) -> None:
        """Remember ``obj`` and, for an existing record, how it looked before this unit touched it."""
        if id(obj) not in self.tracked:
            before = None if is_new else SNAPSHOTS[kind](obj)
            self.tracked[id(obj)] = (kind, obj, before, None if is_new else obj.version)

    def record(
        self, entity: str, key: str, entity_id: int | None, action: str, changes: dict
    ) -> None:
        """An entry for a change that no snapshot describes (accounts, reference data, images)."""
        self.entries.append(self._entry(entity, key, entity_id, action, changes))

    def write(self) -> dict[str, Counter]:
        """Add one entry per changed record; return create/update/archive/unchanged counts per kind.

        A record whose only change is to its collections still gets its row updated (``updated_at``),
        so its version is checked and bumped like any other change.
        """
        pending, self.tracked = list(self.tracked.values()), {}
        counts: dict[str, Counter] = {}
        changed = []
        for kind, obj, before, version in pending:
            after = SNAPSHOTS[kind](obj)
            action, changes = classify(before, after)
            counts.setdefault(kind, Counter())[action] += 1
            key = entity_key(kind, after)
            fields = tuple(changes) if before is not None else ()
            self.outcomes.append(Outcome(kind, key, action, fields))
            if action == "unchanged":
                continue
            if before is not None:
                touch_row(obj, version)
            changed.append((kind, obj, action, changes, key))
        db.session.flush()  # ids for new records
        for kind, obj, action, changes, key in changed:
            self.entries.append(self._entry(kind, key, obj.id, action, changes))
        db.session.add_all(self.entries)
        self.entries = []
        db.session.flush()
        return counts

    def _entry(self, entity: str, key: str, entity_id, action: str, changes: dict) -> AuditEntry:
        changes = changes | self.notes.get((entity, entity_id), {})
        return AuditEntry(
            actor=self.actor,
            user_id=self.user_id,
            action=action,
            entity=entity,
            entity_key=key[:200],
            entity_id=entity_id,
            changes=changes,
            batch=self.batch,
        )


def touch_row(obj: Any, version_before: int | None) -> None:
    """Make sure a changed record's own row is updated once, so its version is checked and bumped
    even when only its collections (regions, protections, brand members) changed."""
    already_updated = obj.version != version_before
    if not already_updated and not db.session.is_modified(obj, include_collections=False):
        obj.updated_at = now_utc()


def classify(before: dict | None, after: dict) -> tuple[str, dict[str, list]]:
    if before is None:
        return "create", {k: [None, v] for k, v in after.items() if not is_blank(v)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if not changes:
        return "unchanged", {}
    archived = changes.get("status", [None, None])[1] == "archived"
    return ("archive" if archived else "update"), changes


def is_blank(value: Any) -> bool:
    """Empty for a "create" entry: None, "", [] or False, but not the number 0."""
    return value is None or value is False or (isinstance(value, str | list) and not value)


# -- reading history back ---------------------------------------------------------------------------


def history(kind: str, entity_id: int) -> list[Revision]:
    """Every entry for one record, newest first: for the staff console's history and diff view."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == kind, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
        .options(selectinload(AuditEntry.user))
    )
    return [_revision(entry) for entry in db.session.scalars(query)]


def _revision(entry: AuditEntry) -> Revision:
    return Revision(
        id=entry.id,
        at=entry.created_at,
        action=entry.action,
        actor=entry.actor,
        user_id=entry.user_id,
        user_email=entry.user.email if entry.user else None,
        batch=entry.batch,
        changes={name: (pair[0], pair[1]) for name, pair in entry.changes.items()},
    )


def state_after(kind: str, current: dict[str, Any], revisions: list[Revision], revision_id: int):
    """The record as it was right after ``revision_id``: the current snapshot with every later
    change undone. ``revisions`` is ``history()``'s list (newest first)."""
    if not any(r.id == revision_id for r in revisions):
        raise KeyError(revision_id)
    state = dict(current)
    for revision in revisions:
        if revision.id == revision_id:
            break
        for name, (before, _after) in revision.changes.items():
            if name in state:
                state[name] = before
    return state
