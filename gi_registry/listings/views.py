"""The public side: the supply and demand boards (/listings), the listing page's content, and the
view counter the page calls.

The listing page is public and cacheable (one stored answer per registry change, date and language),
so its view cannot count visits. The page carries a 1×1 image from ``/listings/<slug>/seen``, an
exempt, uncached answer that adds one to the listing's ``ListingStat`` (a private table: counting
moves no cache marker). Browsers count; crawlers that skip images do not, nor do the organisation's
own members.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from gi_registry import paging
from gi_registry.accounts.access import is_member_of
from gi_registry.caching import exempt
from gi_registry.extensions import db
from gi_registry.listings import bp, params, queries
from gi_registry.localtime import local_today
from gi_registry.models import Listing, Region
from gi_registry.services.listings import count_view
from gi_registry.services.unit import unit_of_work

# Features that add to the listing page (matching: its best matches) give a function of the listing
# and the day returning template context; the page's ``{% block matches %}`` shows it.
PageExtra = Callable[[Listing, date], dict[str, Any]]
PAGE_EXTRAS: list[PageExtra] = []
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.route("/listings")
def board():
    try:
        filters = params.board_filters(request.args)
        page = paging.page_number(request.args, strict=True)
    except paging.ParamError as error:
        abort(400, _("参数 %(field)s 有误：%(message)s", field=error.field, message=error.message))
    today = local_today()
    pagination = db.paginate(
        queries.board_query(filters, today),
        page=page,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    province = current_app.config["HOME_REGION_CODE"]
    return render_template(
        "listings/board.html",
        pagination=pagination,
        filters=filters,
        authorised=queries.authorised_ids(list(pagination.items), today),
        region=db.session.get(Region, filters.region) if filters.region else None,
        home=db.session.get(Region, province),
        sorts=queries.SORTS,
        **queries.form_choices(province),
    )


def listing_page(slug: str) -> str:
    """The public listing page (served at ``catalog.listing``, where every link already points)."""
    today = local_today()
    listing = queries.get_live_listing(slug, today) or abort(404)
    context: dict[str, Any] = {}
    for extra in PAGE_EXTRAS:
        context.update(extra(listing, today))
    return render_template(
        "catalog/listing.html",
        listing=listing,
        mark=queries.mark_authorization(listing, today),
        **context,
    )


@bp.route("/listings/<slug:slug>/seen")
@exempt
def seen(slug: str):
    """Count one view of a live listing's page; always the same tiny image."""
    listing = queries.get_live_listing(slug, local_today())
    if listing is not None and not is_member_of(current_user, listing.producer):
        count(listing)
    response = Response(PIXEL, mimetype="image/gif")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def count(listing: Listing) -> None:
    with unit_of_work(actor="listing-view"):
        count_view(listing.id)
