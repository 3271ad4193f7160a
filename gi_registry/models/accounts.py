"""User accounts (producer members, staff, administrators), login throttling and invitations.

Everything here is ``Private``: no public page shows an account, and a login or an invitation must
not move the registry's change marker (docs/caching.md).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import Private, UTCDateTime, choice, now_utc
from gi_registry.models.producers import Producer


class User(UserMixin, Private, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: e-mail addresses are matched case-insensitively in practice.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(choice("user_role", tuple(vocab.USER_ROLES)))
    producer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    # Within the organisation: the owner invites members; both may edit its listings.
    member_role: Mapped[str | None] = mapped_column(
        choice("member_role", tuple(vocab.MEMBER_ROLES))
    )
    display_name: Mapped[str] = mapped_column(sa.String(64), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    producer: Mapped[Producer | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot sign in
        return bool(self.active)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class LoginFailure(Private, db.Model):
    """One refused password for an e-mail address. Throttling counts these rows in the database, so
    the count holds across worker processes and hosts."""

    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Invitation(Private, db.Model):
    """An owner's invitation to join an organisation: a single-use token, stored only as its hash."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    producer: Mapped[Producer] = relationship()
