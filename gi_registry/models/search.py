"""The search outbox: documents to re-index, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gi_registry.extensions import db
from gi_registry.models.base import Private, UTCDateTime, now_utc


class SearchOutbox(Private, db.Model):
    """One row per (kind, entity) touched by a committed write; drained into the index after commit.

    Rows are appended, never upserted: two transactions touching the same record must not block each
    other on a unique key. The drain reads distinct pairs and deletes exactly the rows it processed.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    entity_id: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
