"""Images: one row per uploaded picture, its derived sizes on disk under content-hash names."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry.extensions import db
from gi_registry.models.base import JSONType, Timestamped


class MediaAsset(Timestamped, db.Model):
    __tablename__ = "media_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the re-encoded master: the same picture uploaded twice is stored once.
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    # {"thumb": {"file": "ab/abcd…-thumb.jpg", "width": 320, "height": 200}, "card": …, "hero": …}
    variants: Mapped[dict] = mapped_column(JSONType)
    # Who made the picture and under which licence: facts about the picture itself, so they live here.
    # The alternative text describes a use of it and lives on each link.
    credit: Mapped[str] = mapped_column(sa.String(200), default="")
    licence: Mapped[str] = mapped_column(sa.String(64), default="")

    def file_for(self, variant: str) -> str:
        return self.variants[variant]["file"]


class ProductImage(db.Model):
    __tablename__ = "product_images"

    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("gi_products.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(sa.ForeignKey("media_assets.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    alt: Mapped[str] = mapped_column(sa.String(200), default="")
    media: Mapped[MediaAsset] = relationship()


class BrandImage(db.Model):
    __tablename__ = "brand_images"

    brand_id: Mapped[int] = mapped_column(
        sa.ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(sa.ForeignKey("media_assets.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    alt: Mapped[str] = mapped_column(sa.String(200), default="")
    media: Mapped[MediaAsset] = relationship()


class ListingImage(db.Model):
    __tablename__ = "listing_images"

    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(sa.ForeignKey("media_assets.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    alt: Mapped[str] = mapped_column(sa.String(200), default="")
    media: Mapped[MediaAsset] = relationship()
