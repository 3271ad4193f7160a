"""Public pages render the registry's data, filter it, and fail in Chinese, never with a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import Brand, GIProduct, Producer, Region


def text(response) -> str:
    return response.get_data(as_text=True)


def test_home_lists_products_categories_and_the_umbrella_brand(client):
    page = text(client.get("/"))
    assert "梅河大米" in page or "地理标志产品" in page
    assert "吉致吉品" in page
    assert 'lang="zh-CN"' in page


def test_product_page_shows_protection_number_as_published_and_its_sources(client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    response = client.get("/products/meihe-dami")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>梅河大米</h1>" in page
    assert "国家质检总局2006年191号公告" in page
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


@pytest.mark.parametrize(
    "query",
    [
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
    ],
)
def test_hostile_query_strings_never_produce_a_500(client, query):
    response = client.get(f"/products?{query}")
    assert response.status_code == 200
    assert "<script>" not in text(response)


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
    assert "吉致吉品" in page and "成员品牌" in page
    for member in umbrella.members:
        assert member.name_zh in page
    assert "吉政发〔2022〕18号" in page


def test_region_pages_walk_the_hierarchy(client):
    province = text(client.get("/regions/220000"))
    assert "吉林省" in province and "通化市" in province
    county = text(client.get("/regions/220581"))
    assert "梅河口市" in county and "梅河大米" in county
    assert client.get("/regions").status_code == 200


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


def test_region_pages_cap_long_lists_and_link_to_the_full_list(sample_ctx, client):
    from gi_registry.catalog.queries import region_overview

    province = db.session.get(Region, "220000")
    overview = region_overview(province, limit=5)
    assert len(overview["products"]) == 5 and overview["product_total"] > 5
    page = text(client.get("/regions/220000"))
    assert "/products?region=220000" in page or overview["product_total"] <= 48
