"""User accounts: producer members, staff and administrators."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import Private, UTCDateTime, choice, now_utc
from gi_registry.models.producers import Producer


class User(Private, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: e-mail addresses are matched case-insensitively in practice.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(choice("user_role", tuple(vocab.USER_ROLES)))
    producer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    producer: Mapped[Producer | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
