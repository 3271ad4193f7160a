"""The search results page, /search: parse the query string, call search(), render.

The web face of the search engine in ``gi_registry.search``: links and HTML are made here (and in
``gi_registry.links``), never in the engine. When the index is lost or damaged the page says it is
being rebuilt and offers browsing instead: a visitor never sees an error for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from gi_registry import vocab
from gi_registry.caching import exempt
from gi_registry.catalog import params, queries
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name, label
from gi_registry.links import record_url
from gi_registry.models import Category, Region
from gi_registry.search import Results, SearchUnavailable, search
from gi_registry.search_pages.english import english_hits

bp = Blueprint("search", __name__)
bp.add_app_template_global(record_url)

EXAMPLES = ("梅河大米", "长白山人参", "mhdm", "Meihe rice")


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int


@bp.route("/search")
@exempt  # the index follows a commit a moment later: a stored answer could miss the change
def results():
    args = params.search_params(request.args, strict=False)
    try:
        found = _search(args)
    except SearchUnavailable as error:
        current_app.logger.warning("search unavailable: %s", error)
        return unavailable_page(args.q)
    if found.page > found.pages:  # a page past the end (an old link, a typed URL) shows the last
        args.page = found.pages
        found = _search(args)
    region = db.session.get(Region, args.region) if args.region else None
    return render_template(
        "search/results.html",
        results=found,
        args=args,
        region=region,
        facets=facet_values(found),
        page_numbers=page_window(found.page, found.pages),
        browse=browse_links() if not found.items else None,
        examples=EXAMPLES,
        english=english_hits(found),
    )


def unavailable_page(q: str | None) -> str:
    """搜索索引正在重建: say so, keep the query in the box, and offer the catalogue instead."""
    return render_template("search/unavailable.html", q=q, browse=browse_links())


def _search(args: params.SearchParams) -> Results:
    return search(
        args.q,
        kind=args.kind,
        filters=args.filters(),
        page=args.page,
        per_page=params.SEARCH_PER_PAGE,
    )


def facet_values(results: Results) -> dict[str, list[FacetValue]]:
    """The facet counts with their names in the page's language, in the order the registry lists them."""
    counts = results.facets
    category_counts = counts.get("category", {})
    categories = db.session.scalars(
        select(Category).where(Category.code.in_(category_counts)).order_by(Category.position)
    )
    region_counts = counts.get("region", {})
    regions = db.session.scalars(
        select(Region).where(Region.code.in_(region_counts)).order_by(Region.code)
    )
    protection_counts = counts.get("protection", {})
    return {
        "category": [
            FacetValue(c.code, display_name(c), category_counts[c.code]) for c in categories
        ],
        "region": [FacetValue(r.code, display_name(r), region_counts[r.code]) for r in regions],
        "protection": [
            FacetValue(code, label("PROTECTION_KINDS", code), protection_counts[code])
            for code in vocab.PROTECTION_KINDS
            if code in protection_counts
        ],
    }


def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and those near the current one; None is a gap.
    A gap of one page shows that page instead: "…" would take as much room."""
    shown = sorted({1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)})
    window: list[int | None] = []
    previous = 0
    for number in shown:
        if number - previous == 2:
            window.append(previous + 1)
        elif number - previous > 2:
            window.append(None)
        window.append(number)
        previous = number
    return window


def browse_links() -> dict:
    """Where to go when the search found nothing: categories with products, the province's
    prefectures."""
    home = current_app.config["HOME_REGION_CODE"]
    prefectures = db.session.scalars(
        select(Region).where(Region.parent_code == home).order_by(Region.code)
    ).all()
    categories = [(c, n) for c, n in queries.category_counts() if n]
    return {"categories": categories, "prefectures": prefectures}
