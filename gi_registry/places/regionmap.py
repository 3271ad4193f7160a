"""The offline map of a province's prefectures, shaded by how many public GIs each has.

The outlines are ``gi_registry/data/jilin_prefectures.json``: SVG path data made once from the
echarts 4.9.0 npm package by ``tools/make_region_map.py`` (provenance and licence in
``gi_registry/data/README.md``). Nothing is fetched at run time: no tiles, fonts or scripts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select

from gi_registry.catalog import queries
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name, region_short_name
from gi_registry.models import Region

GEOMETRY = Path(__file__).resolve().parent.parent / "data" / "jilin_prefectures.json"
SHADES = 4  # shades for counts above zero; shade 0 is "none yet"


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    short_name: str
    path: str
    label_x: float
    label_y: float
    count: int
    shade: int


@dataclass(frozen=True)
class RegionMap:
    province: Region
    view_box: str
    areas: list[MapArea]

    @property
    def highest(self) -> int:
        return max((a.count for a in self.areas), default=0)


@cache
def geometry() -> dict:
    """The shipped outlines, read once per process."""
    return json.loads(GEOMETRY.read_text(encoding="utf-8"))


def shade(count: int, highest: int) -> int:
    """0 for none, else 1..SHADES in equal steps up to the highest count on the map."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, math.ceil(SHADES * count / highest))


def region_map(province_code: str) -> RegionMap | None:
    """The province's prefectures with their counts, or None when no outlines are shipped for it."""
    shapes = geometry()
    if shapes["province"] != province_code:
        return None
    province = db.session.get(Region, province_code)
    if province is None:
        return None
    prefectures = db.session.scalars(
        select(Region).where(Region.parent_code == province_code).order_by(Region.code)
    ).all()
    counts = queries.product_counts_below(province_code)
    highest = max((counts.get(r.code, 0) for r in prefectures), default=0)
    areas = [
        MapArea(
            code=r.code,
            name=display_name(r),  # the page's language: 通化市, or Tonghua City
            short_name=region_short_name(r),
            path=shapes["regions"][r.code]["d"],
            label_x=shapes["regions"][r.code]["label"][0],
            label_y=shapes["regions"][r.code]["label"][1],
            count=counts.get(r.code, 0),
            shade=shade(counts.get(r.code, 0), highest),
        )
        for r in prefectures
        if r.code in shapes["regions"]  # a division created after the outlines were drawn
    ]
    return RegionMap(province, " ".join(f"{v:g}" for v in shapes["view_box"]), areas)
