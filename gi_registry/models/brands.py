"""Brands: regional public brands (such as the umbrella brand 吉致吉品), enterprise and tourism brands."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import Archivable, JSONType, Versioned, choice
from gi_registry.models.catalog import GIProduct

brand_products = sa.Table(
    "brand_products",
    db.metadata,
    sa.Column("brand_id", sa.ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("gi_products.id"), primary_key=True, index=True),
)

brand_producers = sa.Table(
    "brand_producers",
    db.metadata,
    sa.Column("brand_id", sa.ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("producer_id", sa.ForeignKey("producers.id"), primary_key=True, index=True),
)


class Brand(Archivable, Versioned, db.Model):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(64), index=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(128))
    name_pinyin: Mapped[str] = mapped_column(sa.String(512), default="")  # 7 per Han character
    name_initials: Mapped[str] = mapped_column(sa.String(64), default="")
    kind: Mapped[str] = mapped_column(choice("brand_kind", tuple(vocab.BRAND_KINDS)))
    # An umbrella brand's members point at it; one level is what the province uses, but the model
    # does not forbid deeper trees (the importer rejects cycles).
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("brands.id"), index=True)
    trademark_number: Mapped[str | None] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    sources: Mapped[list[dict]] = mapped_column(JSONType, default=list)
    sample: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        choice("brand_status", tuple(vocab.BRAND_STATUSES)), default="draft", index=True
    )

    parent: Mapped[Brand | None] = relationship(remote_side=[id], back_populates="members")
    members: Mapped[list[Brand]] = relationship(back_populates="parent", order_by="Brand.slug")
    products: Mapped[list[GIProduct]] = relationship(
        secondary=brand_products, order_by=GIProduct.slug
    )
    producers: Mapped[list[Producer]] = relationship(  # noqa: F821 (models.producers)
        secondary=brand_producers, back_populates="brands", order_by="Producer.slug"
    )
    images: Mapped[list[BrandImage]] = relationship(  # noqa: F821 (models.media)
        cascade="all, delete-orphan", order_by="BrandImage.position"
    )

    @property
    def is_public(self) -> bool:
        return self.status == "published" and not self.is_archived

    def __repr__(self) -> str:
        return f"<Brand {self.slug}>"
