"""Batch trace codes (溯源): a producer's batch of one GI product, under a valid authorisation, with
an unguessable token printed on its QR labels."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry.extensions import db
from gi_registry.models.base import Private, Timestamped, UTCDateTime, Versioned
from gi_registry.models.catalog import GIProduct
from gi_registry.models.producers import Authorization, Producer


def new_batch_token() -> str:
    """128 random bits, URL-safe: labels cannot be enumerated by counting."""
    return secrets.token_urlsafe(16)


class TraceBatch(Timestamped, Versioned, db.Model):
    __tablename__ = "trace_batches"
    __table_args__ = (sa.UniqueConstraint("producer_id", "batch_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_batch_token)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("gi_products.id"), index=True)
    authorization_id: Mapped[int] = mapped_column(sa.ForeignKey("authorizations.id"), index=True)
    # The producer's own lot number (GS1 AI 10: up to 20 characters).
    batch_code: Mapped[str] = mapped_column(sa.String(20))
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 3))
    unit: Mapped[str] = mapped_column(sa.String(16), default="")
    produced_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # GS1 GTIN-14 (shorter GTINs are left-padded with zeros), for /01/<GTIN>/10/<batch>.
    gtin: Mapped[str | None] = mapped_column(sa.String(14), index=True)
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recall_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    producer: Mapped[Producer] = relationship()
    product: Mapped[GIProduct] = relationship()
    authorization: Mapped[Authorization] = relationship()


class TraceScan(Private, db.Model):
    """How often a batch's code was opened: counted on every scan, so kept out of the change marker."""

    __tablename__ = "trace_scans"

    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("trace_batches.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
