from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from gi_registry import sharing, vocab
from gi_registry.extensions import db
from gi_registry.i18n.content import localized
from gi_registry.links import absolute_url
from gi_registry.localtime import local_today
from gi_registry.models import Region, now_utc
from gi_registry.models.regions import find_region
from gi_registry.paging import page_number
from gi_registry.promotion import queries
from gi_registry.promotion.feeds import ATOM_MIMETYPE, Entry, atom_feed
from gi_registry.web import public_url, render_markdown

bp = Blueprint("promotion", __name__)


@bp.route("/stories")
def stories():
    pagination = db.paginate(
        queries.public_stories(now_utc()),
        # Bounded: a huge page number overflowed SQLite's integer and answered 500.
        page=page_number(request.args, strict=False),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template("promotion/stories.html", pagination=pagination)


@bp.route("/stories/<slug:slug>")
def story(slug: str):
    item = queries.get_public_story(slug, now_utc()) or abort(404)
    # What WeChat and others show when the story is shared: its title, summary and cover.
    url = absolute_url("promotion.story", slug=item.slug)
    preview = sharing.open_graph(
        localized(item, "title"), localized(item, "summary") or "", url, item.cover, "article"
    )
    return render_template(
        "promotion/story.html",
        story=item,
        products=[p for p in item.products if p.is_public],
        brands=[b for b in item.brands if b.is_public],
        open_graph=preview,
    )


@bp.route("/events")
def events():
    return render_template(
        "promotion/events.html", events=queries.event_list(now_utc(), local_today())
    )


@bp.route("/events/<slug:slug>")
def event(slug: str):
    item = queries.get_public_event(slug, now_utc()) or abort(404)
    return render_template("promotion/event.html", event=item, today=local_today())


# --- Atom feeds


def feed_region() -> Region | None:
    """The ``?region=`` of a feed: a known code, or 404 (never a 5xx, never a silent whole-list)."""
    code = request.args.get("region")
    if code is None:
        return None
    return find_region(code) or abort(404)


def atom_response(body: bytes) -> Response:
    return Response(body, mimetype=ATOM_MIMETYPE)


@bp.route("/feeds/stories.atom")
def stories_feed():
    items = db.session.scalars(queries.public_stories(now_utc()).limit(queries.FEED_LENGTH))
    entries = [
        Entry(
            key=f"story:{s.slug}",
            title=s.title_zh,
            link=public_url(url_for("promotion.story", slug=s.slug)),
            updated=max(s.published_at, s.updated_at),
            published=s.published_at,
            summary=s.summary_zh,
            content_html=str(render_markdown(s.body_zh)),
        )
        for s in items
    ]
    return atom_response(
        atom_feed(
            key="stories",
            title=_("吉林地理标志故事"),
            subtitle=_("讲好地理标志故事：吉林地理标志产品与品牌的故事"),
            self_url=public_url(url_for("promotion.stories_feed")),
            page_url=public_url(url_for("promotion.stories")),
            entries=entries,
            author_name=_("吉林地理标志与品牌名录"),
        )
    )


@bp.route("/feeds/products.atom")
def products_feed():
    region = feed_region()
    entries = [
        Entry(
            key=f"product:{p.slug}",
            title=p.name_zh,
            link=public_url(url_for("catalog.product", slug=p.slug)),
            updated=p.updated_at,
            published=p.created_at,
            summary=p.summary,
            categories=[p.category.name_zh],
        )
        for p in queries.new_products(region.code if region else None)
    ]
    return region_feed(
        "products",
        region,
        entries,
        title=_("新收录的地理标志产品"),
        subtitle=_("吉林地理标志与品牌名录新收录的地理标志产品"),
        whole_page="catalog.products",
    )


@bp.route("/feeds/listings.atom")
def listings_feed():
    region = feed_region()
    entries = [
        Entry(
            key=f"listing:{item.slug}",
            title=f"【{vocab.LISTING_KINDS[item.kind]}】{item.title}",
            link=public_url(url_for("catalog.listing", slug=item.slug)),
            updated=item.updated_at,
            published=item.created_at,
            summary=item.description[:500],
        )
        for item in queries.new_listings(region.code if region else None)
    ]
    return region_feed(
        "listings",
        region,
        entries,
        title=_("最新供需信息"),
        subtitle=_("吉林地理标志产品的供应与求购信息"),
        whole_page="catalog.home",
    )


def region_feed(
    name: str,
    region: Region | None,
    entries: list[Entry],
    *,
    title: str,
    subtitle: str,
    whole_page: str,
) -> Response:
    """A feed of the whole province, or of one region (its page is the feed's web page)."""
    code = region.code if region else None
    page = url_for("catalog.region", code=code) if code else url_for(whole_page)
    return atom_response(
        atom_feed(
            key=f"{name}:{code or 'all'}",
            title=title + (f" · {region.name}" if region else ""),
            subtitle=subtitle,
            self_url=public_url(url_for(f"promotion.{name}_feed", region=code)),
            page_url=public_url(page),
            entries=entries,
            author_name=_("吉林地理标志与品牌名录"),
        )
    )
