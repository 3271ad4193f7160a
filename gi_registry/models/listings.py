"""Supply and demand listings (产销对接), what the public sees of them, and private view counts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import Private, Timestamped, UTCDateTime, Versioned, choice
from gi_registry.models.catalog import GIProduct
from gi_registry.models.producers import Producer
from gi_registry.models.regions import Category, Region


class Listing(Timestamped, Versioned, db.Model):
    __tablename__ = "listings"
    __table_args__ = (
        sa.CheckConstraint(
            "product_id IS NOT NULL OR category_id IS NOT NULL", name="product_or_category"
        ),
        # Matching's candidates: the other side's published listings of one product or category,
        # newest first, and near a region (docs/matching.md): read in index order with a LIMIT, so the
        # work stays bounded however many listings a popular product has.
        sa.Index("ix_listings_match_product", "status", "kind", "product_id", "published_at"),
        sa.Index("ix_listings_match_category", "status", "kind", "category_id", "published_at"),
        sa.Index(
            "ix_listings_match_product_region",
            "status",
            "kind",
            "product_id",
            "region_code",
            "published_at",
        ),
        sa.Index(
            "ix_listings_match_category_region",
            "status",
            "kind",
            "category_id",
            "region_code",
            "published_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(
        choice("listing_kind", tuple(vocab.LISTING_KINDS)), index=True
    )
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gi_products.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 3))
    unit: Mapped[str] = mapped_column(sa.String(16), default="")
    price_min: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    price_max: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    price_unit: Mapped[str] = mapped_column(sa.String(16), default="")
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    available_from: Mapped[date | None]
    available_to: Mapped[date | None]
    status: Mapped[str] = mapped_column(
        choice("listing_status", tuple(vocab.LISTING_STATUSES)), default="draft", index=True
    )
    # Why staff rejected it: shown to the organisation's members, never to the public.
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # When it was last published: matching's freshness boost and the boards' "newest" order.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    producer: Mapped[Producer] = relationship()
    product: Mapped[GIProduct | None] = relationship()
    category: Mapped[Category | None] = relationship()
    region: Mapped[Region | None] = relationship()
    images: Mapped[list[ListingImage]] = relationship(  # noqa: F821 (models.media)
        cascade="all, delete-orphan", order_by="ListingImage.position"
    )

    @property
    def is_public(self) -> bool:
        return self.status == "published"


class ListingStat(Private, db.Model):
    """How often a listing's page was opened: for its owner's dashboard, so a view is a private
    write that does not move the change marker."""

    __tablename__ = "listing_stats"

    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(default=0)
