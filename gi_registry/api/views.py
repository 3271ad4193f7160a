from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import select

from gi_registry.api import serializers as s
from gi_registry.catalog import params, queries
from gi_registry.errors import error_response
from gi_registry.extensions import db
from gi_registry.models import Brand, Producer, Region

bp = Blueprint("api", __name__)


@bp.errorhandler(params.ParamError)
def bad_parameter(error: params.ParamError):
    return error_response(400, f"{error.field}: {error.message}")


def paged(query, serialize):
    page = params.page_number(request.args, strict=True)
    size = params.per_page(request.args, 20, current_app.config["API_MAX_PER_PAGE"], strict=True)
    pagination = db.paginate(query, page=page, per_page=size, error_out=False)
    return jsonify(
        {
            "items": [serialize(item) for item in pagination.items],
            "total": pagination.total,
            "page": page,
            "per_page": size,
            "pages": pagination.pages,
        }
    )


@bp.route("/products")
def products():
    filters = params.product_filters(request.args, strict=True)
    return paged(queries.filter_products(filters), s.product_summary)


@bp.route("/products/<slug>")
def product(slug: str):
    item = queries.get_public_product(slug) or abort(404, f"找不到产品 {slug}")
    return jsonify(
        s.product_detail(item, queries.product_brands(item), queries.product_authorizations(item))
    )


@bp.route("/brands")
def brands():
    query = queries.public_brands()
    kind = request.args.get("kind")
    if kind:
        if kind not in ("regional", "enterprise", "tourism"):
            raise params.ParamError("kind", "应为 regional、enterprise 或 tourism")
        query = query.where(Brand.kind == kind)
    return paged(query.order_by(Brand.slug), s.brand_summary)


@bp.route("/brands/<slug>")
def brand(slug: str):
    item = queries.get_public_brand(slug) or abort(404, f"找不到品牌 {slug}")
    return jsonify(s.brand_detail(item))


@bp.route("/producers")
def producers():
    query = queries.public_producers()
    region = request.args.get("region")
    if region:
        if not params.REGION_RE.match(region):
            raise params.ParamError("region", "行政区划代码应为6位数字")
        below, _ = queries.region_family(region)
        query = query.where(Producer.region_code.in_(below))
    return paged(query.order_by(Producer.name_pinyin, Producer.id), s.producer_summary)


@bp.route("/producers/<slug>")
def producer(slug: str):
    item = queries.get_public_producer(slug) or abort(404, f"找不到经营主体 {slug}")
    return jsonify(s.producer_detail(item, queries.producer_listings(item)))


@bp.route("/regions")
def regions():
    query = select(Region)
    parent = request.args.get("parent")
    level = request.args.get("level")
    if parent:
        if not params.REGION_RE.match(parent):
            raise params.ParamError("parent", "行政区划代码应为6位数字")
        query = query.where(Region.parent_code == parent)
    if level:
        if level not in ("province", "prefecture", "county"):
            raise params.ParamError("level", "应为 province、prefecture 或 county")
        query = query.where(Region.level == level)
    return paged(query.order_by(Region.code), s.region_ref)


@bp.route("/regions/<code>")
def region(code: str):
    item = (db.session.get(Region, code) if params.REGION_RE.match(code) else None) or abort(
        404, f"找不到行政区划 {code[:20]}"
    )
    children = db.session.scalars(
        select(Region).where(Region.parent_code == code).order_by(Region.code)
    ).all()
    below, _ = queries.region_family(code)
    count = queries.count_products_in(below)
    return jsonify(s.region_detail(item, children, count))


@bp.route("/<path:anything>")
def not_found(anything: str):
    abort(404, "没有这个接口")
