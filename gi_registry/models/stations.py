"""Trademark-brand guidance stations (商标品牌指导站) and the public's requests to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models.base import (
    Archivable,
    JSONType,
    Private,
    Timestamped,
    UTCDateTime,
    Versioned,
    choice,
)
from gi_registry.models.brands import Brand
from gi_registry.models.producers import Producer
from gi_registry.models.regions import Region

station_brands = sa.Table(
    "station_brands",
    db.metadata,
    sa.Column(
        "station_id", sa.ForeignKey("guidance_stations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("brand_id", sa.ForeignKey("brands.id"), primary_key=True, index=True),
)

station_producers = sa.Table(
    "station_producers",
    db.metadata,
    sa.Column(
        "station_id", sa.ForeignKey("guidance_stations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("producer_id", sa.ForeignKey("producers.id"), primary_key=True, index=True),
)


class GuidanceStation(Archivable, Versioned, db.Model):
    """A station that helps producers with trademarks, GIs and brands in its region.

    Its contact details are published on purpose: a station exists to be reached.
    """

    __tablename__ = "guidance_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    # Codes from vocab.GUIDANCE_TOPICS: what the station helps with.
    services: Mapped[list[str]] = mapped_column(JSONType, default=list)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    hours: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(64), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    sources: Mapped[list[dict]] = mapped_column(JSONType, default=list)
    sample: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        choice("station_status", tuple(vocab.CONTENT_STATUSES)), default="published", index=True
    )

    region: Mapped[Region] = relationship()
    brands: Mapped[list[Brand]] = relationship(secondary=station_brands, order_by=Brand.slug)
    producers: Mapped[list[Producer]] = relationship(
        secondary=station_producers, order_by=Producer.slug
    )

    @property
    def is_public(self) -> bool:
        return self.status == "published" and not self.is_archived

    def __repr__(self) -> str:
        return f"<GuidanceStation {self.slug}>"


class GuidanceRequest(Timestamped, Versioned, Private, db.Model):
    """A question from the public to one station, tracked by an unguessable code.

    The requester's name and contact are for the station only: no public page shows them.
    """

    __tablename__ = "guidance_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("guidance_stations.id"), index=True)
    topic: Mapped[str] = mapped_column(choice("guidance_topic", tuple(vocab.GUIDANCE_TOPICS)))
    question: Mapped[str] = mapped_column(sa.Text)
    requester_name: Mapped[str] = mapped_column(sa.String(100))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    contact: Mapped[str] = mapped_column(sa.String(254))
    status: Mapped[str] = mapped_column(
        choice("guidance_status", tuple(vocab.GUIDANCE_STATUSES)), default="received", index=True
    )
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str] = mapped_column(sa.String(254), default="")
    # A keyed hash of the sender's IP address (never the address itself): how many requests one
    # client sent lately is counted from these rows, so the limit holds across worker processes.
    client_hash: Mapped[str] = mapped_column(
        sa.String(64), default="", server_default="", index=True
    )

    station: Mapped[GuidanceStation] = relationship()
