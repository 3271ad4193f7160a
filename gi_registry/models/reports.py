"""Misuse reports (侵权投诉举报): the public tells staff where the GI mark or a GI name is misused.

A report is written by an anonymous form and handled by staff; the reporter follows it by an
unguessable tracking code. No public page lists reports: the status page shows one report, to
whoever holds its code, and is never cached. So both models are ``Private`` and a report moves no
cached public answer.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.accounts import User
from gi_registry.models.base import (
    JSONType,
    Private,
    Timestamped,
    UTCDateTime,
    Versioned,
    choice,
    now_utc,
)
from gi_registry.models.catalog import GIProduct
from gi_registry.models.producers import Producer


class MisuseReport(Timestamped, Versioned, Private, db.Model):
    """What a visitor saw: which product, sold by whom, where, and photos of it.

    ``product_text`` and ``seller`` are the reporter's own words; ``product`` and ``producer`` are
    the registry records staff (or the form, for a product picked from its list) linked them to.
    The reporter's name and contact and the evidence photos are for staff only.
    """

    __tablename__ = "misuse_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    product_text: Mapped[str] = mapped_column(sa.String(200), default="")
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gi_products.id"), index=True)
    seller: Mapped[str] = mapped_column(sa.String(300))
    producer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    location: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text)
    # Paths under PRIVATE_MEDIA_ROOT (``reports/ab/abcd….jpg``), verified and re-encoded on upload.
    evidence: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reporter_name: Mapped[str] = mapped_column(sa.String(100), default="")
    reporter_contact: Mapped[str] = mapped_column(sa.String(254), default="")
    status: Mapped[str] = mapped_column(
        choice("report_status", tuple(vocab.REPORT_STATUSES)), default="received", index=True
    )
    # What the reporter reads on the status page; written by staff with each change of status.
    public_answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A keyed hash of the sender's address (services.stations.client_hash), for the rate limit.
    client_hash: Mapped[str] = mapped_column(sa.String(64), default="", index=True)

    product: Mapped[GIProduct | None] = relationship()
    producer: Mapped[Producer | None] = relationship()
    notes: Mapped[list[ReportNote]] = relationship(
        back_populates="report", order_by="ReportNote.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<MisuseReport {self.tracking_code} {self.status}>"


class ReportNote(Private, db.Model):
    """A staff member's internal note on a report; never shown to the reporter."""

    __tablename__ = "report_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("misuse_reports.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The author's e-mail as it was, so the note still reads right after an account changes.
    author: Mapped[str] = mapped_column(sa.String(254))
    body: Mapped[str] = mapped_column(sa.Text)

    report: Mapped[MisuseReport] = relationship(back_populates="notes")
    author_user: Mapped[User | None] = relationship()
