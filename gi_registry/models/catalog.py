"""GI products (地理标志产品) and their legal protections."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import (
    Archivable,
    JSONType,
    PartialDate,
    Timestamped,
    Versioned,
    choice,
)
from gi_registry.models.regions import Category, Region

product_regions = sa.Table(
    "product_regions",
    db.metadata,
    sa.Column("product_id", sa.ForeignKey("gi_products.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_code", sa.ForeignKey("regions.code"), primary_key=True, index=True),
)


class GIProduct(Archivable, Versioned, db.Model):
    """A geographical-indication product and its protected area."""

    __tablename__ = "gi_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(64), index=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(128))
    # Derived from name_zh on every save (see services.naming); stored so search and sorting can use it.
    # A syllable and its space take up to 7 characters, so 64 Han characters need 448.
    name_pinyin: Mapped[str] = mapped_column(sa.String(512), default="")
    name_initials: Mapped[str] = mapped_column(sa.String(64), default="")
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown: the product's story
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    quality_requirements: Mapped[str] = mapped_column(sa.Text, default="")
    programmes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # [{"url", "title", "confidence", "note"}]: where every fact on the page comes from.
    sources: Mapped[list[dict]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(
        choice("product_status", tuple(vocab.PRODUCT_STATUSES)), default="draft", index=True
    )

    category: Mapped[Category] = relationship()
    regions: Mapped[list[Region]] = relationship(secondary=product_regions, order_by=Region.code)
    protections: Mapped[list[Protection]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Protection.position"
    )
    # Read-only mirror of Brand.products, for search documents; brands are edited from the brand side.
    brands: Mapped[list[Brand]] = relationship(  # noqa: F821 (models.brands)
        secondary="brand_products", viewonly=True, order_by="Brand.slug"
    )
    images: Mapped[list[ProductImage]] = relationship(  # noqa: F821 (defined in models.media)
        cascade="all, delete-orphan", order_by="ProductImage.position"
    )

    @property
    def is_public(self) -> bool:
        return self.status == "published" and not self.is_archived

    @property
    def protection_kinds(self) -> list[str]:
        return sorted({p.kind for p in self.protections})

    def __repr__(self) -> str:
        return f"<GIProduct {self.slug}>"


class Protection(Timestamped, db.Model):
    """One legal protection of a product: a GI product notice, a certification mark, an agri GI…

    ``number`` is stored exactly as the source publishes it (traditional characters and odd spacing
    included) and is left empty when no source prints one: an official number is never invented.
    """

    __tablename__ = "protections"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("gi_products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(choice("protection_kind", tuple(vocab.PROTECTION_KINDS)))
    authority: Mapped[str | None] = mapped_column(sa.String(200))
    number: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    applied_on: Mapped[str | None] = mapped_column(PartialDate)
    approved_on: Mapped[str | None] = mapped_column(PartialDate)
    status: Mapped[str] = mapped_column(
        choice("protection_status", tuple(vocab.PROTECTION_STATUSES)), default="approved"
    )
    holder: Mapped[str | None] = mapped_column(sa.String(200))
    source_url: Mapped[str | None] = mapped_column(sa.String(1000))
    note: Mapped[str | None] = mapped_column(sa.Text)

    product: Mapped[GIProduct] = relationship(back_populates="protections")

    @property
    def kind_label(self) -> str:
        return vocab.PROTECTION_KINDS[self.kind]
