"""Producers (经营主体) and their authorisations to use the GI special mark (专用标志使用核准)."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import Archivable, Timestamped, Versioned, choice
from gi_registry.models.catalog import GIProduct
from gi_registry.models.regions import Region

# How to reach a producer. Shown on the producer's own page and nowhere in bulk (lists, API lists,
# public exports): a directory of phone numbers and addresses is what harvesters come for.
CONTACT_FIELDS = ("address", "phone", "website")


class Producer(Archivable, Versioned, db.Model):
    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(128), index=True)
    name_pinyin: Mapped[str] = mapped_column(sa.String(1024), default="")  # 7 per Han character
    name_initials: Mapped[str] = mapped_column(sa.String(128), default="")
    # 统一社会信用代码 (GB 32100-2015), normalised to upper-case ASCII; check digit verified on write.
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    kind: Mapped[str] = mapped_column(choice("producer_kind", tuple(vocab.PRODUCER_KINDS)))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(64), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    verified: Mapped[bool] = mapped_column(default=False)
    # Who the centre talks to. Never public: only staff and the organisation's members see these.
    contact_name: Mapped[str] = mapped_column(sa.String(64), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(64), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # The business licence (营业执照): re-encoded by the media pipeline but kept outside the public
    # media folder; the path is relative to PRIVATE_MEDIA_ROOT and only staff and members can open it.
    licence_file: Mapped[str] = mapped_column(sa.String(200), default="")
    # Why staff rejected or suspended the organisation: shown to its members.
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # Fictional records shipped as sample data; pages label them so nobody mistakes them for real.
    sample: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        choice("producer_status", tuple(vocab.PRODUCER_STATUSES)), default="pending", index=True
    )

    region: Mapped[Region] = relationship()
    authorizations: Mapped[list[Authorization]] = relationship(
        back_populates="producer", order_by="Authorization.id"
    )
    brands: Mapped[list[Brand]] = relationship(  # noqa: F821 (models.brands)
        secondary="brand_producers", back_populates="producers", order_by="Brand.slug"
    )

    @property
    def is_public(self) -> bool:
        return self.status == "active" and not self.is_archived

    def __repr__(self) -> str:
        return f"<Producer {self.slug}>"


class Authorization(Timestamped, Versioned, db.Model):
    """Permission for one producer to use the GI special mark on one product.

    One row per (producer, product): a renewal updates the validity rather than adding a row.
    """

    __tablename__ = "authorizations"
    __table_args__ = (sa.UniqueConstraint("producer_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("gi_products.id"), index=True)
    number: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    status: Mapped[str] = mapped_column(
        choice("authorization_status", tuple(vocab.AUTHORIZATION_STATUSES)), default="active"
    )
    # The token in the QR code printed on packs (/verify/<token>). Random, so that nobody can walk the
    # register by counting; a new token (after labels leak, say) makes the old labels answer "unknown".
    verify_token: Mapped[str] = mapped_column(
        sa.String(32), unique=True, default=lambda: new_verify_token()
    )

    producer: Mapped[Producer] = relationship(back_populates="authorizations")
    product: Mapped[GIProduct] = relationship()

    def is_valid_on(self, day: date) -> bool:
        """May the producer use the mark on ``day``? Status and validity window must both allow it."""
        if self.status != "active":
            return False
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_to and day > self.valid_to)


def new_verify_token() -> str:
    """128 random bits, URL-safe: 22 characters, short enough for a small QR code."""
    return secrets.token_urlsafe(16)
