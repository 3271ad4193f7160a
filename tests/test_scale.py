"""Pages stay within a fixed number of SQL statements however much data the registry holds.

One dataset per module, built directly through the models (the importer's audit trail would make it
slow): 300 products with images, 600 producers, 600 authorisations of one product, and a brand with
200 products, 300 producers and 40 member brands. A page that loads a relation once per row shows up
here as hundreds of statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from gi_registry.catalog import queries
from gi_registry.extensions import db
from gi_registry.models import (
    Authorization,
    Brand,
    BrandImage,
    Category,
    GIProduct,
    Listing,
    MediaAsset,
    Producer,
    ProductImage,
    Protection,
    Region,
)
from tests.conftest import _app_from
from tests.factories import credit_code
from tests.sqlcount import statements

PRODUCTS, PRODUCERS, BRAND_PRODUCTS, MEMBER_BRANDS = 300, 600, 200, 40
# Statements one page may run, whatever the size of the data.
BUDGET = 25
PROTECTION_KINDS = ("gi_product", "certification_mark", "collective_mark", "agri_gi")


def media(n: int) -> MediaAsset:
    sha = f"{n:064x}"
    variants = {
        name: {"file": f"{sha[:2]}/{sha}-{name}.jpg", "width": width, "height": width * 3 // 4}
        for name, width in (("thumb", 320), ("card", 640), ("hero", 1280))
    }
    return MediaAsset(sha256=sha, width=1280, height=960, variants=variants)


def build_products(counties: list[str], categories: list[Category]) -> list[GIProduct]:
    products = []
    for i in range(PRODUCTS):
        product = GIProduct(
            slug=f"scale-product-{i:03d}",
            name_zh=f"规模产品{i:03d}",
            name_pinyin=f"gui mo chan pin {i:03d}",
            name_initials="gmcp",
            category=categories[i % len(categories)],
            programmes=["plan_featured"] if i % 10 == 0 else [],
            status="published",
        )
        product.regions = [counties[i % len(counties)], counties[(i * 7 + 1) % len(counties)]]
        product.protections = [Protection(kind=PROTECTION_KINDS[i % 4], position=0)]
        product.images = [ProductImage(media=media(i), alt=f"规模产品{i:03d}")]
        products.append(product)
    return products


def build_producers(counties: list[str]) -> list[Producer]:
    return [
        Producer(
            slug=f"scale-producer-{i:03d}",
            name_zh=f"规模合作社{i:03d}（示例）",
            name_pinyin=f"gui mo he zuo she {i:03d}",
            credit_code=credit_code(serial=i),
            kind="cooperative",
            region_code=counties[i % len(counties)].code,
            address=f"规模路{i}号",
            phone=f"0435-{i:07d}",
            sample=True,
            status="active",
        )
        for i in range(PRODUCERS)
    ]


def build_brands(products: list[GIProduct], producers: list[Producer]) -> None:
    umbrella = Brand(slug="scale-umbrella", name_zh="规模品牌", kind="regional", status="published")
    umbrella.products = products[:BRAND_PRODUCTS]
    umbrella.producers = producers[:300]
    umbrella.images = [BrandImage(media=media(10_000), alt="规模品牌")]
    db.session.add(umbrella)
    for i in range(MEMBER_BRANDS):
        member = Brand(
            slug=f"scale-member-{i}",
            name_zh=f"成员品牌{i}",
            kind="enterprise",
            status="published",
            parent=umbrella,
        )
        member.images = [BrandImage(media=media(10_001 + i), alt=f"成员品牌{i}")]
        member.products = products[i * 5 : i * 5 + 5]
        db.session.add(member)


def build_authorizations(products: list[GIProduct], producers: list[Producer]) -> None:
    statuses = ("active", "active", "active", "suspended", "revoked", "expired")
    for i, producer in enumerate(producers):
        db.session.add(
            Authorization(
                producer=producer,
                product=products[0],
                status=statuses[i % len(statuses)],
                valid_from=date(2024, 1, 1),
                valid_to=date(2030, 12, 31) if i % 2 else None,
            )
        )
    # One producer holds many authorisations and listings: its own page must stay bounded too.
    for product in products[1:60]:
        db.session.add(Authorization(producer=producers[0], product=product, status="active"))
    for i in range(40):
        db.session.add(
            Listing(
                slug=f"scale-listing-{i:02d}",
                kind="supply",
                producer=producers[0],
                product=products[i],
                title=f"供应规模产品{i:03d}",
                status="published",
            )
        )


def build_dataset() -> None:
    counties = list(
        db.session.scalars(
            select(Region)
            .where(Region.code.startswith("22"), Region.level == "county")
            .order_by(Region.code)
        )
    )
    categories = list(db.session.scalars(select(Category).order_by(Category.position)))
    products = build_products(counties, categories)
    producers = build_producers(counties)
    db.session.add_all(products + producers)
    build_brands(products, producers)
    build_authorizations(products, producers)
    db.session.commit()


@pytest.fixture(scope="module")
def big_app(empty_template, databases, tmp_path_factory) -> Iterator[Flask]:
    for app in _app_from(empty_template, databases, tmp_path_factory.mktemp("scale")):
        with app.app_context():
            build_dataset()
        yield app


def get_counting(app: Flask, url: str) -> tuple[int, str]:
    """(SQL statements the request ran, response text)."""
    with statements(app) as seen:
        response = app.test_client().get(url)
    assert response.status_code == 200, url
    return len(seen), response.get_data(as_text=True)


PAGES = [
    "/",
    "/products",
    "/products?page=3",
    "/products?region=220500",
    "/products/scale-product-000",
    "/brands",
    "/brands/scale-umbrella",
    "/regions",
    "/regions/220000",
    "/regions/220581",
    "/stats",
    "/producers",
    "/producers/scale-producer-000",
    "/api/v1/products?per_page=100",
    "/api/v1/products/scale-product-000",
    "/api/v1/brands?per_page=100",
    "/api/v1/brands/scale-umbrella",
    "/api/v1/producers?per_page=100",
    "/api/v1/producers/scale-producer-000",
    "/api/v1/regions/220000",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_run_a_bounded_number_of_statements(big_app, url):
    get_counting(big_app, url)  # warm-up: the first request may open the connection
    statements, _ = get_counting(big_app, url)
    assert statements <= BUDGET, f"{url} ran {statements} SQL statements"


def test_the_brand_page_caps_its_products_and_producers_and_says_how_many(big_app):
    _, page = get_counting(big_app, "/brands/scale-umbrella")
    assert page.count('class="card"') == queries.BRAND_PRODUCT_LIMIT
    assert f"共 {BRAND_PRODUCTS} 个产品" in page
    assert page.count('href="/producers/') == queries.BRAND_PRODUCER_LIMIT
    assert "共 300 家" in page


def test_the_product_page_caps_its_authorisations_and_gives_the_total(big_app):
    _, page = get_counting(big_app, "/products/scale-product-000")
    assert page.count('href="/producers/') == queries.AUTHORIZATION_LIMIT
    # The page lists who may use the mark today: the active half (three statuses in six).
    assert f"共 {PRODUCERS // 2} 家经营主体获准使用" in page
    with big_app.app_context():
        body = big_app.test_client().get("/api/v1/products/scale-product-000").get_json()
    assert len(body["authorized_producers"]) == queries.AUTHORIZATION_LIMIT
    assert body["authorized_producers_total"] == PRODUCERS


@pytest.mark.parametrize(
    ("slug", "authorised"), [("scale-product-001", 1), ("scale-product-299", 0)]
)
def test_a_short_list_needs_no_count(big_app, slug, authorised):
    with big_app.app_context():
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == slug))
        with statements(big_app) as seen:
            listed = queries.product_authorizations(product)
    assert len(listed.items) == listed.total == authorised and not listed.more
    assert len(seen) == 1 and "count(" not in seen[0].lower()  # the rows alone tell the total


def test_a_full_list_is_counted(big_app):
    with big_app.app_context():
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "scale-product-000"))
        with statements(big_app) as seen:
            listed = queries.product_authorizations(product)
    assert len(listed.items) == queries.AUTHORIZATION_LIMIT and listed.total == PRODUCERS
    assert len(seen) == 2 and "count(" in seen[1].lower()
