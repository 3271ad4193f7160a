from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from gi_registry import paging, sharing
from gi_registry.catalog import params, producer_directory, queries
from gi_registry.catalog.product_page import product_page
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name, needs_chinese_mark
from gi_registry.links import absolute_url, public_base
from gi_registry.listings.views import listing_page
from gi_registry.localtime import local_today
from gi_registry.models import GIProduct, Region
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
    page = paging.page_number(request.args, strict=False)
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


def qr_code(item: GIProduct, url: str) -> Markup:
    """The page's QR code, titled with the product's name in the page's language where it has one."""
    name = display_name(item)
    lang = "zh-CN" if needs_chinese_mark(name) else ""
    return sharing.qr_svg(url, _("%(name)s 页面二维码", name=name), lang)


@bp.route("/products/<slug:slug>")
def product(slug: str):
    item = queries.get_public_product(slug) or abort(404)
    page = product_page(item)
    url = absolute_url("catalog.product", slug=item.slug)
    response = make_response(
        render_template(
            "catalog/product.html",
            page=page,
            product=item,
            page_url=url,
            qr=qr_code(item, url),
            json_ld=sharing.product_json_ld(item, page.brands, url),
            open_graph=sharing.open_graph(
                item.name_zh, item.summary, url, sharing.first_image(item)
            ),
        )
    )
    if public_base() is None:
        response.vary.add("Host")  # its absolute URLs came from the request's host
    return response


@bp.route("/brands")
def brands():
    groups, others = queries.brand_groups(list(db.session.scalars(queries.brand_cards())))
    return render_template("catalog/brands.html", groups=groups, others=others)


@bp.route("/brands/<slug:slug>")
def brand(slug: str):
    item = queries.get_public_brand(slug) or abort(404)
    return render_template(
        "catalog/brand.html",
        brand=item,
        stations=queries.serving_stations(item),
        **queries.brand_overview(item),
    )


@bp.route("/producers")
def producers():
    filters = producer_directory.producer_filters(request.args)
    page = paging.page_number(request.args, strict=False)
    today = local_today()
    pagination = db.paginate(
        producer_directory.directory(filters, today),
        page=page,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    home = home_region()
    return render_template(
        "catalog/producers.html",
        pagination=pagination,
        filters=filters,
        today=today,
        usable_today=producer_directory.usable_today,
        region=db.session.get(Region, filters.region) if filters.region else None,
        home=home,
        products=producer_directory.authorised_products(today),
        **queries.filter_choices(home.code if home else None),
    )


@bp.route("/producers/<slug:slug>")
def producer(slug: str):
    item = queries.get_public_producer(slug) or abort(404)
    return render_template(
        "catalog/producer.html",
        producer=item,
        authorizations=queries.public_authorizations(item),
        listings=queries.producer_listings(item),
        brands=queries.producer_brands(item),
        stations=queries.serving_stations(item),
        mark_status=queries.mark_status,
    )


@bp.route("/listings/<slug:slug>")
def listing(slug: str):
    return listing_page(slug)


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
