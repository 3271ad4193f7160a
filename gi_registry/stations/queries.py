"""What the station pages read: public stations by prefecture, and what each one serves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import Brand, GuidanceStation, Producer, Region
from gi_registry.models.stations import station_brands, station_producers
from gi_registry.models.visibility import (
    brand_is_public,
    producer_is_public,
    station_is_public,
)


@dataclass
class RegionGroup:
    """The public stations of one prefecture (地级行政区), for the directory."""

    region: Region
    stations: list[GuidanceStation]


def public_stations() -> list[GuidanceStation]:
    query = (
        select(GuidanceStation)
        .where(station_is_public())
        .options(selectinload(GuidanceStation.region))
        .order_by(GuidanceStation.region_code, GuidanceStation.slug)
    )
    return list(db.session.scalars(query))


def get_public_station(slug: str) -> GuidanceStation | None:
    return db.session.scalar(
        select(GuidanceStation).where(GuidanceStation.slug == slug, station_is_public())
    )


def prefecture_of(region: Region) -> Region:
    """The prefecture a station's county lies in; a station placed at province level stays there."""
    lineage = region.lineage()
    return next((r for r in lineage if r.level == "prefecture"), lineage[-1])


def directory(prefecture: str | None = None) -> tuple[list[RegionGroup], list[RegionGroup]]:
    """Every prefecture with public stations (for the filter), and the groups to show: all of
    them, or only the chosen prefecture's."""
    groups: dict[str, RegionGroup] = {}
    for station in public_stations():
        pref = prefecture_of(station.region)
        groups.setdefault(pref.code, RegionGroup(pref, [])).stations.append(station)
    every = sorted(groups.values(), key=lambda g: g.region.code)
    shown = [g for g in every if prefecture is None or g.region.code == prefecture]
    return every, shown


def served_brands(station: GuidanceStation) -> list[Brand]:
    query = (
        select(Brand)
        .join(station_brands, station_brands.c.brand_id == Brand.id)
        .where(station_brands.c.station_id == station.id, brand_is_public())
        .order_by(Brand.slug)
    )
    return list(db.session.scalars(query))


def served_producers(station: GuidanceStation) -> list[Producer]:
    query = (
        select(Producer)
        .join(station_producers, station_producers.c.producer_id == Producer.id)
        .where(station_producers.c.station_id == station.id, producer_is_public())
        .options(selectinload(Producer.region))
        .order_by(Producer.name_pinyin, Producer.id)
    )
    return list(db.session.scalars(query))
