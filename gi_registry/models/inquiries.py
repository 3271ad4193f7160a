"""Inquiries about a listing: one thread per (listing, asker), seen by the asker and the listing's
organisation. Private: no public page shows them, and a message does not move the change marker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry.extensions import db
from gi_registry.models.accounts import User
from gi_registry.models.base import Private, UTCDateTime, now_utc
from gi_registry.models.listings import Listing


class InquiryThread(Private, db.Model):
    __tablename__ = "inquiry_threads"
    __table_args__ = (sa.UniqueConstraint("listing_id", "asker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    asker_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    # Unread counts: messages after these moments, written by the other side.
    asker_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Contact details are shown to the other side only when their owner says so.
    asker_shows_contact: Mapped[bool] = mapped_column(default=False)
    owner_shows_contact: Mapped[bool] = mapped_column(default=False)

    listing: Mapped[Listing] = relationship()
    asker: Mapped[User] = relationship()
    messages: Mapped[list[InquiryMessage]] = relationship(
        back_populates="thread", order_by="InquiryMessage.id", cascade="all, delete-orphan"
    )


class InquiryMessage(Private, db.Model):
    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inquiry_threads.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)

    thread: Mapped[InquiryThread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()
