"""Public pages render the registry's data, filter it, and fail in Chinese, never with a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from gi_registry import localtime
from gi_registry.catalog import queries
from gi_registry.extensions import db
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer, Region
from gi_registry.services import fields
from tests.sqlcount import statements


def text(response) -> str:
    return response.get_data(as_text=True)


def test_home_lists_products_categories_and_the_umbrella_brand(client, sample_ctx):
    page = text(client.get("/"))
    # Links and card headings, not names: the nav says 地理标志产品 and the intro names 吉致吉品.
    for product in queries.featured_products(8):
        assert f'<a href="/products/{product.slug}" class="card-link">' in page, product.slug
    for category, count in queries.category_counts():
        chip = f'<a href="/products?category={category.code}">{category.name_zh} '
        assert (chip in page) == (count > 0), category.code
    assert 'href="/brands/jizhi-jipin"><img' in page and "<h3>吉致吉品</h3>" in page
    assert 'lang="zh-CN"' in page


def test_product_page_shows_protection_number_as_published_and_its_sources(client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    response = client.get("/products/meihe-dami")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>梅河大米</h1>" in page
    assert "国家质检总局2006年191号公告" in page
    assert product.sources
    for source in product.sources:
        assert source["title"] in page
    assert "梅河口市" in page  # protected area, with the region's full name


def test_a_protection_without_a_published_number_says_so(client, sample_ctx):
    product = db.session.scalar(
        select(GIProduct).where(
            GIProduct.protections.any(number=None), GIProduct.status == "published"
        )
    )
    assert "来源未载明" in text(client.get(f"/products/{product.slug}"))


def test_draft_and_archived_products_are_not_public(client, sample_ctx):
    draft = db.session.scalar(select(GIProduct).where(GIProduct.status == "draft"))
    assert client.get(f"/products/{draft.slug}").status_code == 404
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.status = "archived"
    db.session.commit()
    assert client.get("/products/meihe-dami").status_code == 404
    assert 'href="/products/meihe-dami"' not in text(client.get("/products?q=梅河"))


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("category=beverage", "tonghua-shanputaojiu", "meihe-dami"),
        ("region=220581", "meihe-dami", "shuangyang-meihualu"),
        # 通化山葡萄酒 is protected for all of 通化市, so it is a product of 梅河口市 too.
        ("region=220581", "tonghua-shanputaojiu", "shuangyang-meihualu"),
        ("region=220500", "meihe-dami", "shuangyang-meihualu"),  # 梅河口市 is in 通化市
        ("protection=agri_gi", "jian-wuweizi", "meihe-dami"),
        ("q=mhdm", "meihe-dami", "tonghua-shanputaojiu"),
        ("q=meihe", "meihe-dami", "tonghua-shanputaojiu"),
        ("q=梅河", "meihe-dami", "tonghua-shanputaojiu"),
    ],
)
def test_product_list_filters(client, query, present, absent):
    page = text(client.get(f"/products?{query}"))
    assert f'href="/products/{present}"' in page
    assert f'href="/products/{absent}"' not in page


def test_product_list_paginates(client, sample_app):
    sample_app.config["PER_PAGE"] = 10
    first, second = text(client.get("/products")), text(client.get("/products?page=2"))
    assert "第 1 / " in first and 'rel="next"' in first
    assert "第 2 / " in second and 'rel="prev"' in second


HOSTILE_QUERIES = [
    "page=-1",
    "page=99999999999999999999",
    "page=abc",
    "category=%00",
    "region=abc",
    "protection=<script>",
    "q=" + "梅" * 10_000,
    "q=%00%01",
    'q="unbalanced',
    "region=999999",
    "region=%00",
]
LIST_PAGES = ["/products", "/producers", "/brands", "/stories", "/events", "/stations", "/search"]


def test_hostile_query_strings_never_produce_a_500(client):
    """Every list page, every hostile query: answered, never a 500, nothing echoed unescaped."""
    failures = []
    for page in LIST_PAGES:
        for query in HOSTILE_QUERIES:
            response = client.get(f"{page}?{query}")
            if response.status_code >= 500 or "<script>" in text(response):
                failures.append(f"{page}?{query[:40]}: {response.status_code}")
    assert failures == []
    # The product list answers these with its first page, not an error.
    assert all(client.get(f"/products?{query}").status_code == 200 for query in HOSTILE_QUERIES)


def test_producer_page_marks_samples_and_answers_the_mark_question(client, sample_ctx):
    producer = db.session.scalar(
        select(Producer).where(
            Producer.sample.is_(True), Producer.authorizations.any(status="active")
        )
    )
    page = text(client.get(f"/producers/{producer.slug}"))
    assert "示例数据" in page
    assert "这是虚构的演示数据" in page
    assert "可以使用" in page
    assert producer.credit_code in page


def test_revoked_authorization_is_shown_as_not_usable(client, sample_ctx):
    producer = db.session.scalar(
        select(Producer).where(Producer.authorizations.any(status="revoked"))
    )
    assert "不可使用（已撤销）" in text(client.get(f"/producers/{producer.slug}"))


def test_brand_page_lists_members_and_sources(client, sample_ctx):
    umbrella = db.session.scalar(select(Brand).where(Brand.slug == "jizhi-jipin"))
    page = text(client.get("/brands/jizhi-jipin"))
    assert "<h1>吉致吉品" in page and "<h2>成员品牌</h2>" in page
    assert umbrella.members
    for member in umbrella.members:
        assert member.name_zh in page
    assert "吉政发〔2022〕18号" in page


def test_region_pages_walk_the_hierarchy(client):
    province = text(client.get("/regions/220000"))
    assert "<h1>吉林省</h1>" in province
    assert '<a href="/regions/220500">通化市 <span class="count">' in province
    county = text(client.get("/regions/220581"))
    assert "<h1>梅河口市</h1>" in county and 'href="/products/meihe-dami"' in county
    assert '<a href="/regions/220000">吉林省</a>' in county  # the crumbs lead back up
    assert "<h1>吉林省</h1>" in text(client.get("/regions"))  # the home region


@pytest.mark.parametrize(
    "url",
    [
        "/products/nope",
        "/brands/nope",
        "/producers/nope",
        "/regions/999999",
        "/regions/abc",
        "/nowhere",
    ],
)
def test_not_found_pages_are_chinese(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "找不到您要访问的页面" in text(response)


def test_unexpected_errors_render_the_chinese_500_page(sample_app, monkeypatch):
    from gi_registry.catalog import queries

    def boom(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(queries, "get_public_product", boom)
    response = sample_app.test_client().get("/products/meihe-dami")
    assert response.status_code == 500
    assert "服务器出了点问题" in text(response)
    assert "database fell over" not in text(response)


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in text(response)


def test_markdown_is_sanitised(client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.description = "**好米** <script>alert(1)</script> [x](javascript:alert(2))"
    db.session.commit()
    page = text(client.get("/products/meihe-dami"))
    assert "<strong>好米</strong>" in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page


def test_home_leads_with_the_gis_the_plan_names(sample_ctx):
    from gi_registry.catalog.queries import featured_products

    featured = featured_products(8)
    with_programmes = [p for p in featured if p.programmes]
    assert len(featured) == 8 and len(with_programmes) == 8
    everything = featured_products(1000)
    flags = [bool(p.programmes) for p in everything]
    assert flags == sorted(flags, reverse=True)  # every programme product before any other
    assert len(everything) == len({p.slug for p in everything})


def region_cards(page: str) -> int:
    section = page.split("<h2>本地区的地理标志产品</h2>", 1)[1].split("</section>", 1)[0]
    return section.count('class="card-link"')


def test_region_pages_cap_long_lists_and_link_to_the_full_list(sample_ctx, client, monkeypatch):
    province = db.session.get(Region, "220000")
    total = queries.region_overview(province)["product_total"]
    full_list = f'<a href="/products?region=220000">查看本地区全部 {total} 个产品 →</a>'
    page = text(client.get("/regions/220000"))
    assert region_cards(page) == total and full_list not in page  # under the cap: all, no link
    # The sample is smaller than the page's cap of 48: lower the cap so that the cut shows.
    uncapped = queries.region_overview
    monkeypatch.setattr(queries, "region_overview", lambda region: uncapped(region, limit=5))
    client.application.extensions["caching"].store.clear()  # the code changed, not the registry
    page = text(client.get("/regions/220000"))
    assert region_cards(page) == 5 and total > 5
    assert full_list in page


@pytest.mark.parametrize(
    "url",
    [
        "/products/a%00b",
        "/brands/a%00b",
        "/producers/a%00b",
        "/products/meihe%00",
        "/products/Meihe-Dami",
        "/products/meihe--dami",
        "/products/-meihe",
        "/products/meihe_dami",
        "/products/%E6%A2%85%E6%B2%B3",
        "/products/m",
        "/products/" + "a" * 81,
        "/regions/%EF%BC%92%EF%BC%92%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90",  # full-width 220000
        "/regions/220000%0A",
        "/regions/2200001",
        "/regions/22000",
        "/regions/22000a",
    ],
)
def test_malformed_slugs_and_region_codes_404_before_any_query(sample_app, url):
    # PostgreSQL refuses NUL in text: reaching the database with one was a 500.
    client = sample_app.test_client()
    with statements(sample_app) as seen:
        response = client.get(url)
    assert response.status_code == 404
    assert "找不到您要访问的页面" in text(response)
    assert seen == []


@pytest.mark.parametrize(
    "slug", ["ab", "a" * 80, "meihe-dami", "a1-2b-c3", "a", "a" * 81, "a--b", "-ab", "ab-", "Ab"]
)
def test_every_slug_the_importer_accepts_is_routable_and_no_other(sample_app, slug):
    try:
        fields.slug(slug)
        importable = True
    except fields.FieldError:
        importable = False
    with statements(sample_app) as seen:
        sample_app.test_client().get(f"/products/{slug}")
    assert bool(seen) == importable


def test_paging_links_carry_only_the_lists_own_parameters(client, sample_app):
    sample_app.config["PER_PAGE"] = 2
    # url_for's own keywords used to pass straight through: a TypeError, a BuildError, an anchor.
    response = client.get(
        "/products?category=grain&endpoint=x&_method=POST&_anchor=evil&_external=1&_scheme=ftp"
        "&page=1&utm_source=wechat"
    )
    assert response.status_code == 200
    page = text(response)
    assert 'href="/products?category=grain&amp;page=2"' in page
    for leaked in ("evil", "endpoint", "_method", "_external", "ftp:", "utm_source"):
        assert leaked not in page.split('class="pager"', 1)[1]
    assert client.get("/producers?endpoint=x&_method=POST").status_code == 200


def test_paging_links_keep_every_filter(client, sample_app):
    sample_app.config["PER_PAGE"] = 1
    page = text(client.get("/products?q=大米&region=220000&protection=gi_product&category=grain"))
    pager = page.split('class="pager"', 1)[1]
    for arg in ("q=%E5%A4%A7%E7%B1%B3", "region=220000", "protection=gi_product", "page=2"):
        assert arg in pager


def test_the_region_filter_lists_the_home_provinces_prefectures_and_counties(client):
    page = text(client.get("/products"))
    assert '<optgroup label="通化市">' in page
    assert '<option value="220581" >梅河口市</option>' in page


def producer_with(sample_ctx, product_slug: str) -> tuple[Producer, GIProduct]:
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == product_slug))
    auth = db.session.scalar(select(Authorization).where(Authorization.product_id == product.id))
    return auth.producer, product


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_producers_authorisations_and_listings_for_hidden_products_stay_hidden(
    client, sample_ctx, status
):
    producer, product = producer_with(sample_ctx, "meihe-dami")
    listing = db.session.scalar(select(Listing).where(Listing.product_id == product.id))
    assert listing.status == "published" and listing.producer == producer
    product.status = status
    db.session.commit()
    page = text(client.get(f"/producers/{producer.slug}"))
    assert 'href="/products/meihe-dami"' not in page
    assert listing.title not in page
    body = client.get(f"/api/v1/producers/{producer.slug}").get_json()
    assert body["authorizations"] == []
    assert listing.slug not in {item["slug"] for item in body["listings"]}


def test_a_listing_for_a_whole_category_is_still_shown(client, sample_ctx):
    listing = db.session.scalar(
        select(Listing).where(Listing.product_id.is_(None), Listing.status == "published")
    )
    body = client.get(f"/api/v1/producers/{listing.producer.slug}").get_json()
    assert listing.slug in {item["slug"] for item in body["listings"]}


def test_a_hidden_umbrella_brand_is_named_nowhere(client, sample_ctx):
    umbrella = db.session.scalar(select(Brand).where(Brand.slug == "jizhi-jipin"))
    member = umbrella.members[0]
    umbrella.status = "draft"
    db.session.commit()
    # (A member's own description may mention the umbrella; its name must not come from the link.)
    assert "吉致吉品" not in text(client.get("/brands"))
    assert 'href="/brands/jizhi-jipin"' not in text(client.get(f"/brands/{member.slug}"))
    assert client.get(f"/api/v1/brands/{member.slug}").get_json()["parent"] is None
    items = client.get("/api/v1/brands?per_page=100").get_json()["items"]
    assert items and all(item["parent"] is None for item in items)


def test_the_home_page_counts_only_public_member_brands(client, sample_ctx):
    umbrella = db.session.scalar(select(Brand).where(Brand.slug == "jizhi-jipin"))
    total = len(umbrella.members)
    assert f"{total} 个成员品牌" in text(client.get("/"))
    umbrella.members[0].status = "draft"
    db.session.commit()
    assert f"{total - 1} 个成员品牌" in text(client.get("/"))


def test_contact_details_appear_only_on_the_producers_own_page(client, sample_ctx):
    producer = db.session.scalar(
        select(Producer).where(Producer.slug == "meihekou-hefengyuan-coop")
    )
    producer.phone = "0435-1234567"
    db.session.commit()
    assert "0435-1234567" in text(client.get(f"/producers/{producer.slug}"))
    brand = producer.brands[0]
    elsewhere = [
        "/producers",
        f"/regions/{producer.region_code}",
        f"/brands/{brand.slug}",
        "/products/meihe-dami",
        "/api/v1/producers?per_page=100",
        f"/api/v1/producers/{producer.slug}",
        f"/api/v1/brands/{brand.slug}",
        "/api/v1/products/meihe-dami",
    ]
    for url in elsewhere:
        body = client.get(url).get_data(as_text=True)
        assert producer.name_zh in body, url  # the producer is listed there…
        assert "0435-1234567" not in body and producer.address not in body, url  # …its contacts not


def at(moment: datetime):
    return lambda: moment


# 16:30 UTC on 1 January is half past midnight on 2 January in 吉林.
SHANGHAI_NEW_DAY = datetime(2025, 1, 1, 16, 30, tzinfo=UTC)


def test_today_is_the_registrys_day_not_the_servers(sample_ctx, monkeypatch):
    monkeypatch.setattr(localtime, "now_utc", at(SHANGHAI_NEW_DAY))
    assert queries.local_today() == date(2025, 1, 2)
    sample_ctx.config["TIMEZONE"] = "UTC"
    assert queries.local_today() == date(2025, 1, 1)


def test_an_authorisation_starting_today_in_jilin_is_usable_there(client, sample_ctx, monkeypatch):
    monkeypatch.setattr(localtime, "now_utc", at(SHANGHAI_NEW_DAY))
    producer, _ = producer_with(sample_ctx, "meihe-dami")
    auth = producer.authorizations[0]
    # Valid for one day only, the day that has begun in 吉林 but not yet in UTC.
    auth.status, auth.valid_from, auth.valid_to = "active", date(2025, 1, 2), date(2025, 1, 2)
    db.session.commit()
    assert "可以使用" in text(client.get(f"/producers/{producer.slug}"))
    detail = client.get(f"/api/v1/producers/{producer.slug}").get_json()
    assert detail["authorizations"][0]["may_use_mark_today"] is True


def test_update_dates_are_shown_in_the_registrys_time_zone(client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.updated_at = SHANGHAI_NEW_DAY
    db.session.commit()
    assert "最后更新：2025年1月2日" in text(client.get("/products/meihe-dami"))


def test_templates_have_no_server_clock(sample_app):
    # A `today` global would read the server's zone; pages use local_today() through the views.
    assert "today" not in sample_app.jinja_env.globals


DAY = date(2025, 6, 15)
WINDOWS = [
    (None, None),
    (DAY, None),
    (None, DAY),
    (DAY, DAY),
    (date(2025, 6, 16), None),
    (None, date(2025, 6, 14)),
    (date(2025, 6, 14), date(2025, 6, 16)),
    (date(2025, 6, 16), date(2025, 6, 14)),  # an inverted window: never valid
]


@pytest.mark.parametrize("status", ["active", "suspended", "revoked", "expired"])
@pytest.mark.parametrize(("valid_from", "valid_to"), WINDOWS)
def test_mark_status_agrees_with_the_models_validity_rule(status, valid_from, valid_to):
    auth = Authorization(status=status, valid_from=valid_from, valid_to=valid_to)
    state = queries.mark_status(auth, DAY)
    assert (state == "valid") == auth.is_valid_on(DAY)
    if state != "valid":
        assert state in ("not_yet", "expired", "suspended", "revoked")


def test_a_csrf_failure_is_explained_in_chinese(sample_app):
    @sample_app.post("/csrf-probe")
    def csrf_probe():
        return "accepted"

    response = sample_app.test_client().post("/csrf-probe", data={"name": "梅河大米"})
    assert response.status_code == 400
    page = text(response)
    assert "表单已过期或无效，请刷新页面后重试。" in page
    assert "CSRF" not in page
