"""Promotion content of the showcase: stories (讲好地理标志故事), events and the home page's featured slots."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import (
    Archivable,
    JSONType,
    Timestamped,
    UTCDateTime,
    Versioned,
    choice,
)
from gi_registry.models.brands import Brand
from gi_registry.models.catalog import GIProduct
from gi_registry.models.media import MediaAsset
from gi_registry.models.regions import Region

story_products = sa.Table(
    "story_products",
    db.metadata,
    sa.Column("story_id", sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("gi_products.id"), primary_key=True, index=True),
)

story_brands = sa.Table(
    "story_brands",
    db.metadata,
    sa.Column("story_id", sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("brand_id", sa.ForeignKey("brands.id"), primary_key=True, index=True),
)


class Publishable(Archivable, Versioned):
    """Content that goes public at ``published_at``: now, or at a scheduled time in the future.

    A scheduled item needs no job to appear: every public query asks "published and due by now".
    """

    status: Mapped[str] = mapped_column(
        choice("content_status", tuple(vocab.CONTENT_STATUSES)), default="draft", index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # [{"url", "title", "confidence", "note"}]: every fact told comes from somewhere, shown on the page.
    sources: Mapped[list[dict]] = mapped_column(JSONType, default=list)
    # Written for the sample data rather than from a public record: pages label it.
    sample: Mapped[bool] = mapped_column(default=False)

    def is_public_at(self, moment: datetime) -> bool:
        return (
            self.status == "published"
            and not self.is_archived
            and self.published_at is not None
            and self.published_at <= moment
        )


class Story(Publishable, db.Model):
    """A GI's story told to the public: Markdown, sanitised when rendered."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_zh: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    summary_zh: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    body_zh: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    body_en: Mapped[str | None] = mapped_column(sa.Text)  # Markdown
    cover_id: Mapped[int | None] = mapped_column(sa.ForeignKey("media_assets.id"))
    cover_alt: Mapped[str] = mapped_column(sa.String(200), default="")

    cover: Mapped[MediaAsset | None] = relationship()
    products: Mapped[list[GIProduct]] = relationship(
        secondary=story_products, order_by=GIProduct.slug
    )
    brands: Mapped[list[Brand]] = relationship(secondary=story_brands, order_by=Brand.slug)

    def __repr__(self) -> str:
        return f"<Story {self.slug}>"


class Event(Publishable, db.Model):
    """An exhibition, fair or promotion week (展会、产销对接会、推介活动), with its dates and place."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_zh: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    summary_zh: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    body_zh: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    # Days in the province's calendar; an event known only to the month keeps both ends empty
    # rather than inventing days.
    starts_on: Mapped[date | None] = mapped_column(index=True)
    ends_on: Mapped[date | None]
    place_zh: Mapped[str] = mapped_column(sa.String(300), default="")
    place_en: Mapped[str | None] = mapped_column(sa.String(300))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    url: Mapped[str | None] = mapped_column(sa.String(1000))

    region: Mapped[Region | None] = relationship()

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class FeatureSlot(Timestamped, db.Model):
    """One featured place on the home page: a position, a schedule and exactly one target.

    One foreign key per target kind (not a kind + id pair), so the database keeps every slot
    pointing at a row that exists.
    """

    __tablename__ = "feature_slots"
    __table_args__ = (
        sa.CheckConstraint(
            # CAST, because PostgreSQL has no boolean + boolean; SQLite and PostgreSQL both read this.
            " + ".join(
                f"CAST({column} IS NOT NULL AS INTEGER)"
                for column in ("product_id", "brand_id", "story_id", "event_id")
            )
            + " = 1",
            name="feature_slot_one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0, index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optional words shown instead of the target's own title and summary.
    headline_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    headline_en: Mapped[str | None] = mapped_column(sa.String(300))
    product_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("gi_products.id", ondelete="CASCADE")
    )
    brand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("brands.id", ondelete="CASCADE"))
    story_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stories.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))

    product: Mapped[GIProduct | None] = relationship()
    brand: Mapped[Brand | None] = relationship()
    story: Mapped[Story | None] = relationship()
    event: Mapped[Event | None] = relationship()

    @property
    def target_kind(self) -> str:
        for kind in vocab.FEATURE_TARGETS:
            if getattr(self, f"{kind}_id") is not None:
                return kind
        raise ValueError("feature slot without a target")

    @property
    def target(self) -> GIProduct | Brand | Story | Event:
        return getattr(self, self.target_kind)

    def is_showing_at(self, moment: datetime) -> bool:
        if self.starts_at and moment < self.starts_at:
            return False
        return not (self.ends_at and moment >= self.ends_at)
