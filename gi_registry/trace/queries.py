"""Reading an organisation's batches (the portal list and the dashboard panel)."""

from __future__ import annotations

from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import Producer, TraceBatch


def newest_batches(producer: Producer, limit: int) -> list[TraceBatch]:
    query = (
        select(TraceBatch)
        .where(TraceBatch.producer_id == producer.id)
        .order_by(TraceBatch.created_at.desc(), TraceBatch.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
