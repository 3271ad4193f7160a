"""The stories' and events' pages in sitemap.xml: only what is public now."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import url_for

from gi_registry.extensions import db
from gi_registry.models import Event, Story, now_utc
from gi_registry.promotion.queries import is_public_at
from gi_registry.seo import Entry, sitemap_source


@sitemap_source
def promotion_pages() -> Iterator[Entry]:
    yield Entry(url_for("promotion.stories"))
    yield Entry(url_for("promotion.events"))
    moment = now_utc()
    for model, endpoint in ((Story, "promotion.story"), (Event, "promotion.event")):
        query = sa.select(model.slug, model.updated_at).where(is_public_at(model, moment))
        for slug, updated in db.session.execute(query.order_by(model.slug)):
            yield Entry(url_for(endpoint, slug=slug), updated)
