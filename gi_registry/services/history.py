"""Audit entries for an import: each record's fields before and after, in the interchange format's terms.

Snapshots use the export's record builders, so the audit trail, the export and the import agree on what
a field is. Records whose snapshot did not change get no entry and count as unchanged.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from gi_registry.extensions import db
from gi_registry.models import AuditEntry
from gi_registry.services.snapshots import (
    authorization_record,
    brand_record,
    listing_record,
    producer_record,
    product_record,
)

SNAPSHOTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "products": product_record,
    "brands": brand_record,
    "producers": producer_record,
    "authorizations": authorization_record,
    "listings": listing_record,
}


def entity_key(kind: str, record: dict[str, Any]) -> str:
    if kind == "authorizations":
        return f"{record['producer']}/{record['product']}"
    return record["slug"]


class AuditTrail:
    def __init__(self, actor: str):
        self.actor = actor[:254]
        self.batch = uuid.uuid4().hex
        self.tracked: dict[int, tuple[str, Any, dict[str, Any] | None]] = {}

    def track(self, kind: str, obj: Any, *, is_new: bool) -> None:
        """Remember ``obj`` and, for an existing record, how it looked before this import touched it."""
        if id(obj) not in self.tracked:
            before = None if is_new else SNAPSHOTS[kind](obj)
            self.tracked[id(obj)] = (kind, obj, before)

    def write(self) -> dict[str, Counter]:
        """Add one entry per changed record; return counts of create/update/archive/unchanged per kind."""
        counts: dict[str, Counter] = {}
        for kind, obj, before in self.tracked.values():
            after = SNAPSHOTS[kind](obj)
            action, changes = classify(before, after)
            counts.setdefault(kind, Counter())[action] += 1
            if action != "unchanged":
                db.session.add(
                    AuditEntry(
                        actor=self.actor,
                        action=action,
                        entity=kind,
                        entity_key=entity_key(kind, after),
                        entity_id=obj.id,
                        changes=changes,
                        batch=self.batch,
                    )
                )
        return counts


def classify(before: dict | None, after: dict) -> tuple[str, dict[str, list]]:
    if before is None:
        return "create", {k: [None, v] for k, v in after.items() if not is_blank(v)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if not changes:
        return "unchanged", {}
    archived = changes.get("status", [None, None])[1] == "archived"
    return ("archive" if archived else "update"), changes


def is_blank(value: Any) -> bool:
    """Empty for an audit "create": None, "", [] or False, but not the number 0."""
    return value is None or value is False or (isinstance(value, str | list) and not value)
