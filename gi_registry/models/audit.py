"""The audit trail: registry data is evidence, so every change records who, when and what."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gi_registry.extensions import db
from gi_registry.models.base import JSONType, UTCDateTime, choice, now_utc

AUDIT_ACTIONS = ("create", "update", "archive")


class AuditEntry(db.Model):
    """One change to one record, as field → [before, after] in the interchange format's terms."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    # Who: "cli:<login>" for commands, a user's e-mail once people edit through the web.
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(choice("audit_action", AUDIT_ACTIONS))
    # What: the kind in the interchange format ("products", "authorizations" …) and its key.
    entity: Mapped[str] = mapped_column(sa.String(32))
    entity_key: Mapped[str] = mapped_column(sa.String(200))
    # The row id as well as the key: a slug can be renamed, the history must still be found.
    entity_id: Mapped[int | None]
    changes: Mapped[dict] = mapped_column(JSONType)
    # All entries written by one import or one form submission share a batch id.
    batch: Mapped[str] = mapped_column(sa.String(32), index=True)

    __table_args__ = (sa.Index("ix_audit_entries_entity_key", "entity", "entity_key"),)
