from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import select

from gi_registry import paging, vocab
from gi_registry import search as engine
from gi_registry.api import serializers as s
from gi_registry.caching import exempt
from gi_registry.catalog import params, queries
from gi_registry.errors import error_response
from gi_registry.extensions import db
from gi_registry.listings import params as listing_params
from gi_registry.listings import queries as listing_queries
from gi_registry.localtime import local_today
from gi_registry.matching.matches import find_matches
from gi_registry.matching.reasons import reason_lists
from gi_registry.models import Brand, Region
from gi_registry.models.regions import REGION_LEVELS, is_region_code
from gi_registry.verify import lookup as verification
from gi_registry.verify.views import must_revalidate

bp = Blueprint("api", __name__)
SUGGEST_LIMIT = 10
SUGGEST_CHARS = 50


@bp.record_once
def check_settings(state) -> None:
    s.check_public_url(state.app.config.get("PUBLIC_URL"))


@bp.errorhandler(paging.ParamError)
def bad_parameter(error: paging.ParamError):
    return error_response(400, f"{error.field}: {error.message}")


def paged(query, serialize=None, *, serialize_page=None):
    """One page of ``query``: each item through ``serialize``, or the page's items at once through
    ``serialize_page`` (for facts looked up for the whole page in one query)."""
    page = paging.page_number(request.args, strict=True)
    size = paging.per_page(request.args, 20, current_app.config["API_MAX_PER_PAGE"], strict=True)
    pagination = db.paginate(query, page=page, per_page=size, error_out=False)
    items = list(pagination.items)
    return jsonify(
        {
            "items": serialize_page(items) if serialize_page else [serialize(i) for i in items],
            "total": pagination.total,
            "page": page,
            "per_page": size,
            "pages": pagination.pages,
        }
    )


def choice_arg(name: str, allowed) -> str | None:
    """An optional parameter restricted to a vocabulary; the error lists what is allowed."""
    value = request.args.get(name)
    if value and value not in allowed:
        raise paging.ParamError(name, "应为 " + "、".join(allowed))
    return value or None


def region_arg(name: str) -> str | None:
    value = request.args.get(name)
    if value and not is_region_code(value):
        raise paging.ParamError(name, "行政区划代码应为6位数字")
    return value or None


@bp.route("/products")
def products():
    filters = params.product_filters(request.args, strict=True)
    return paged(queries.filter_products(filters), s.product_summary)


@bp.route("/products/<slug:slug>")
def product(slug: str):
    item = queries.get_public_product(slug) or abort(404, f"找不到产品 {slug}")
    return jsonify(
        s.product_detail(item, queries.product_brands(item), queries.product_authorizations(item))
    )


@bp.route("/brands")
def brands():
    query = queries.brand_list()
    kind = choice_arg("kind", vocab.BRAND_KINDS)
    if kind:
        query = query.where(Brand.kind == kind)
    return paged(query, s.brand_summary)


@bp.route("/brands/<slug:slug>")
def brand(slug: str):
    item = queries.get_public_brand(slug) or abort(404, f"找不到品牌 {slug}")
    return jsonify(s.brand_detail(item))


@bp.route("/producers")
def producers():
    return paged(queries.producer_list(region_arg("region")), s.producer_summary)


@bp.route("/producers/<slug:slug>")
def producer(slug: str):
    item = queries.get_public_producer(slug) or abort(404, f"找不到经营主体 {slug}")
    return jsonify(
        s.producer_detail(
            item, queries.public_authorizations(item), queries.producer_listings(item)
        )
    )


@bp.route("/regions")
def regions():
    query = select(Region)
    parent = region_arg("parent")
    level = choice_arg("level", REGION_LEVELS)
    if parent:
        query = query.where(Region.parent_code == parent)
    if level:
        query = query.where(Region.level == level)
    return paged(query.order_by(Region.code), s.region_ref)


@bp.route("/regions/<region_code:code>")
def region(code: str):
    item = db.session.get(Region, code) or abort(404, f"找不到行政区划 {code}")
    below, _ = queries.region_family(code)
    return jsonify(s.region_detail(item, item.children, queries.count_products_in(below)))


@bp.route("/search")
@exempt  # the index follows a commit a moment later: a stored answer could miss the change
def search():
    args = params.search_params(request.args, strict=True)
    size = paging.per_page(
        request.args, params.SEARCH_PER_PAGE, params.SEARCH_MAX_PER_PAGE, strict=True
    )
    results = engine.search(
        args.q, kind=args.kind, filters=args.filters(), page=args.page, per_page=size
    )
    return jsonify(s.search_results(results))


@bp.route("/suggest")
@exempt
def suggest():
    q = params.clean_query(request.args.get("q"), limit=SUGGEST_CHARS)
    found = engine.suggest(q, limit=SUGGEST_LIMIT)
    response = jsonify({"items": [s.suggestion(item) for item in found]})
    # Typing sends one request per pause; a minute of staleness is nothing next to a round trip.
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.route("/listings")
def listings():
    """The supply and demand boards' question and order (docs/api.md)."""
    filters = listing_params.board_filters(request.args)
    today = local_today()

    def cards(items: list) -> list[dict]:
        marked = listing_queries.authorised_ids(items, today)
        return [s.listing_card(item, item.id in marked) for item in items]

    return paged(listing_queries.board_query(filters, today), serialize_page=cards)


@bp.route("/listings/<slug:slug>")
def listing(slug: str):
    today = local_today()
    item = listing_queries.get_live_listing(slug, today) or abort(404, f"找不到供需信息 {slug}")
    return jsonify(s.listing_detail(item, listing_queries.mark_authorization(item, today)))


@bp.route("/listings/<slug:slug>/matches")
def listing_matches(slug: str):
    """产销对接: the listing's best matches, best first, reasons in Chinese (docs/matching.md)."""
    today = local_today()
    item = listing_queries.get_live_listing(slug, today) or abort(404, f"找不到供需信息 {slug}")
    found = find_matches(item, today=today)
    texts = reason_lists([m.reasons for m in found])
    return jsonify({"items": [s.listing_match(m, t) for m, t in zip(found, texts, strict=True)]})


@bp.route("/verify")
def verify():
    """专用标志核验: the /verify page's answer as JSON (docs/api.md)."""
    verdict = verification.lookup(request.args)
    if verdict is None:
        raise paging.ParamError("credit_code", "请提供 credit_code、number 或 token 之一")
    return must_revalidate(jsonify(s.verdict(verdict)))


@bp.route("/<path:anything>")
@exempt  # no lookup at all for a path that names no endpoint
def not_found(anything: str):
    abort(404, "没有这个接口")
