"""The audit trail: registry data is evidence, so every change records who, when and what."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry.extensions import db
from gi_registry.models.base import JSONType, Private, UTCDateTime, choice, now_utc

AUDIT_ACTIONS = ("create", "update", "archive")


class AuditEntry(Private, db.Model):
    """One change to one record, as field → [before, after] in the interchange format's terms."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    # Who: the signed-in user for changes made through the web; none for commands and imports,
    # whose ``actor`` says what ran them ("cli:<login>", "load-sample"). ``actor`` also keeps the
    # user's e-mail as it was, so the trail still reads right after an account is renamed or removed.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
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

    user: Mapped[User | None] = relationship()  # noqa: F821 (models.accounts)

    __table_args__ = (
        sa.Index("ix_audit_entries_entity_key", "entity", "entity_key"),
        # A record's history is read by kind and row id, newest first.
        sa.Index("ix_audit_entries_entity_id", "entity", "entity_id"),
    )


class WriteLock(Private, db.Model):
    """A named lock row that serialises whole-registry writers such as imports.

    Taking it is an UPDATE of this row inside the writer's transaction, so it is held until that
    transaction commits or rolls back, and a killed process releases it with its connection. On
    PostgreSQL a second writer waits for the row; on SQLite it waits for the database's write lock.
    Either way two imports can never interleave their reads and writes.
    """

    __tablename__ = "write_locks"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(254), default="")
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
