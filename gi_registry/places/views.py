"""/stats, and the map as a template global so any page (the region pages, the home page) can draw
it with ``{% from "places/_map.html" import region_map %}{{ region_map(home_region_map()) }}``."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from gi_registry.extensions import db
from gi_registry.models import Region
from gi_registry.places import statistics
from gi_registry.places.regionmap import RegionMap, region_map

bp = Blueprint("places", __name__)


@bp.app_template_global()
def home_region_map() -> RegionMap | None:
    return region_map(current_app.config["HOME_REGION_CODE"])


@bp.route("/stats")
def stats():
    province = db.session.get(Region, current_app.config["HOME_REGION_CODE"])
    total = statistics.public_total()
    return render_template(
        "places/stats.html",
        province=province,
        total=total,
        figures=statistics.figures(province, total),
    )
