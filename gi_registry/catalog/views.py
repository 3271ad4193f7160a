from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from gi_registry.catalog import params, queries
from gi_registry.extensions import db
from gi_registry.models import Region
from gi_registry.promotion.queries import home_content

bp = Blueprint("catalog", __name__)


@bp.route("/")
def home():
    return render_template(
        "catalog/home.html",
        products=queries.featured_products(8),
        brands=queries.umbrella_brands(),
        categories=queries.category_counts(),
        home_region=home_region(),
        **home_content(),
    )


def home_region() -> Region | None:
    return db.session.get(Region, current_app.config["HOME_REGION_CODE"])


@bp.route("/products")
def products():
    filters = params.product_filters(request.args, strict=False)
    page = params.page_number(request.args, strict=False)
    pagination = db.paginate(
        queries.filter_products(filters),
        page=page,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    region = db.session.get(Region, filters.region) if filters.region else None
    home = home_region()
    return render_template(
        "catalog/products.html",
        pagination=pagination,
        filters=filters,
        region=region,
        home=home,
        **queries.filter_choices(home.code if home else None),
    )


@bp.route("/products/<slug:slug>")
def product(slug: str):
    item = queries.get_public_product(slug) or abort(404)
    return render_template(
        "catalog/product.html",
        product=item,
        brands=queries.product_brands(item),
        authorizations=queries.product_authorizations(item),
        mark_status=queries.mark_status,
    )


@bp.route("/brands")
def brands():
    items = db.session.scalars(queries.brand_cards()).all()
    return render_template("catalog/brands.html", brands=items)


@bp.route("/brands/<slug:slug>")
def brand(slug: str):
    item = queries.get_public_brand(slug) or abort(404)
    return render_template("catalog/brand.html", brand=item, **queries.brand_overview(item))


@bp.route("/producers")
def producers():
    page = params.page_number(request.args, strict=False)
    pagination = db.paginate(
        queries.producer_list(), page=page, per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("catalog/producers.html", pagination=pagination)


@bp.route("/producers/<slug:slug>")
def producer(slug: str):
    item = queries.get_public_producer(slug) or abort(404)
    return render_template(
        "catalog/producer.html",
        producer=item,
        authorizations=queries.public_authorizations(item),
        listings=queries.producer_listings(item),
        mark_status=queries.mark_status,
    )


@bp.route("/listings/<slug:slug>")
def listing(slug: str):
    item = queries.get_public_listing(slug) or abort(404)
    return render_template("catalog/listing.html", listing=item)


@bp.route("/regions")
def regions():
    region = home_region() or abort(404)
    return region_page(region)


@bp.route("/regions/<region_code:code>")
def region(code: str):
    return region_page(db.session.get(Region, code) or abort(404))


def region_page(region: Region):
    overview = queries.region_overview(region)
    return render_template("catalog/region.html", region=region, **overview)
