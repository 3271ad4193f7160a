"""The guidance stations' directory and pages in sitemap.xml (their forms and status pages stay out)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for

from gi_registry.seo import Entry, sitemap_source
from gi_registry.stations.queries import public_stations


@sitemap_source
def station_pages() -> Iterator[Entry]:
    yield Entry(url_for("stations.directory"))
    for station in public_stations():
        yield Entry(url_for("stations.station", slug=station.slug), station.updated_at)
