"""JSON API v1: shapes, filters, pagination limits and JSON errors with a message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gi_registry import vocab
from gi_registry.catalog.queries import local_today
from gi_registry.extensions import db
from gi_registry.models import Listing, Producer
from gi_registry.models.regions import REGION_LEVELS
from tests.sqlcount import statements


def test_products_list_shape_and_pagination(client):
    body = client.get("/api/v1/products?per_page=5").get_json()
    assert set(body) == {"items", "total", "page", "per_page", "pages"}
    assert body["page"] == 1 and body["per_page"] == 5 and len(body["items"]) == 5
    assert body["total"] >= 24 and body["pages"] == -(-body["total"] // 5)
    item = body["items"][0]
    assert set(item) == {
        "slug",
        "name_zh",
        "name_en",
        "name_pinyin",
        "category",
        "regions",
        "protection_kinds",
        "summary",
        "url",
    }
    assert item["url"].endswith(f"/products/{item['slug']}")
    assert {"code", "name", "level"} == set(item["regions"][0])


def test_pages_do_not_overlap(client):
    first = client.get("/api/v1/products?per_page=10&page=1").get_json()["items"]
    second = client.get("/api/v1/products?per_page=10&page=2").get_json()["items"]
    assert not {i["slug"] for i in first} & {i["slug"] for i in second}


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("category=grain", lambda item: item["category"]["code"] == "grain"),
        (
            "protection=certification_mark",
            lambda item: "certification_mark" in item["protection_kinds"],
        ),
    ],
)
def test_product_filters(client, query, matches):
    everything = client.get("/api/v1/products?per_page=100").get_json()["items"]
    items = client.get(f"/api/v1/products?{query}&per_page=100").get_json()["items"]
    assert items == [item for item in everything if matches(item)]
    assert 0 < len(items) < len(everything)


def test_region_filter_takes_any_level(client):
    county = {
        i["slug"]
        for i in client.get("/api/v1/products?region=220581&per_page=100").get_json()["items"]
    }
    prefecture = {
        i["slug"]
        for i in client.get("/api/v1/products?region=220500&per_page=100").get_json()["items"]
    }
    assert "meihe-dami" in county and county <= prefecture


def test_product_detail(client):
    body = client.get("/api/v1/products/meihe-dami").get_json()
    assert body["name_zh"] == "梅河大米"
    assert body["protections"][0]["number"] == "国家质检总局2006年191号公告"
    assert body["sources"] and all("title" in s and "confidence" in s for s in body["sources"])
    assert "gi_demo_zone" in body["programmes"]
    assert body["images"][0]["variants"]["thumb"]["width"] <= 320


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=99999999999999999999", "page"),
        ("category=spices", "category"),
        ("region=22", "region"),
        ("protection=patent", "protection"),
    ],
)
def test_bad_parameters_are_400_with_a_message_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["message"].startswith(f"{field}:")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/nope",
        "/api/v1/brands/nope",
        "/api/v1/producers/nope",
        "/api/v1/regions/999999",
        "/api/v1/nothing-here",
    ],
)
def test_not_found_is_json(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]["message"]


def test_brands(client):
    body = client.get("/api/v1/brands").get_json()
    slugs = {b["slug"] for b in body["items"]}
    assert "jizhi-jipin" in slugs
    umbrella = client.get("/api/v1/brands/jizhi-jipin").get_json()
    assert umbrella["kind"] == "regional" and umbrella["trademark_number"] is None
    assert umbrella["members"] and all(m["sample"] for m in umbrella["members"])
    regional = client.get("/api/v1/brands?kind=regional").get_json()["items"]
    assert regional == [b for b in body["items"] if b["kind"] == "regional"]
    assert 0 < len(regional) < len(body["items"])


def test_producers_hide_contact_details_in_lists(client, sample_ctx):
    items = client.get("/api/v1/producers?per_page=100").get_json()["items"]
    assert items and all(item["sample"] for item in items)
    assert not {"phone", "address", "credit_code"} & set(items[0])
    detail = client.get(f"/api/v1/producers/{items[0]['slug']}").get_json()
    assert len(detail["credit_code"]) == 18
    assert not {"phone", "address"} & set(detail)


def test_may_use_mark_today_follows_status_and_window(client, sample_ctx):
    today = local_today().isoformat()
    authorizations = []
    for item in client.get("/api/v1/producers?per_page=100").get_json()["items"]:
        authorizations += client.get(f"/api/v1/producers/{item['slug']}").get_json()[
            "authorizations"
        ]
    # The sample holds both answers; a rule that always said yes (or no) would fail here.
    assert {auth["may_use_mark_today"] for auth in authorizations} == {True, False}
    for auth in authorizations:
        in_window = (auth["valid_from"] or today) <= today <= (auth["valid_to"] or today)
        assert auth["may_use_mark_today"] == (auth["status"] == "active" and in_window)


def test_regions(client):
    body = client.get("/api/v1/regions?level=province&per_page=100").get_json()
    assert body["total"] == 31
    jilin = client.get("/api/v1/regions/220000").get_json()
    assert (
        jilin["name"] == "吉林省" and len(jilin["children"]) == 9 and jilin["product_count"] >= 24
    )
    children = client.get("/api/v1/regions?parent=220500").get_json()["items"]
    assert "220581" in {c["code"] for c in children}


def test_api_is_read_only(client):
    assert client.post("/api/v1/products", json={}).status_code == 405
    assert client.post("/api/v1/products").get_json()["error"]["status"] == 405


def test_chinese_is_not_escaped(client):
    # JSON_AS_ASCII has been ignored since Flask 2.3; the body must carry the characters themselves.
    raw = client.get("/api/v1/products/meihe-dami").get_data()
    assert "梅河大米".encode() in raw
    assert b"\\u6885" not in raw


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/a%00b",
        "/api/v1/brands/a%00b",
        "/api/v1/producers/a%00b",
        "/api/v1/products/Meihe-Dami",
        "/api/v1/regions/220000%0A",
        "/api/v1/regions/%EF%BC%92%EF%BC%92%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90",
    ],
)
def test_malformed_slugs_are_json_404s_before_any_query(sample_app, url):
    client = sample_app.test_client()
    with statements(sample_app) as seen:
        response = client.get(url)
    assert response.status_code == 404 and response.get_json()["error"]["message"]
    assert seen == []


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/products?region=220000%0A", "region"),
        (
            "/api/v1/products?region=%EF%BC%92%EF%BC%92%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90",
            "region",
        ),
        ("/api/v1/products?region=2200001", "region"),
        ("/api/v1/products?category=grain%0A", "category"),
        ("/api/v1/producers?region=220000%0A", "region"),
        ("/api/v1/regions?parent=220000%0A", "parent"),
    ],
)
def test_codes_must_match_in_full(client, url, field):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith(f"{field}:")


def test_brand_kinds_come_from_the_vocabulary(client):
    message = client.get("/api/v1/brands?kind=heritage").get_json()["error"]["message"]
    assert message == "kind: 应为 " + "、".join(vocab.BRAND_KINDS)
    for kind in vocab.BRAND_KINDS:
        assert client.get(f"/api/v1/brands?kind={kind}").status_code == 200


def test_region_levels_come_from_the_model(client):
    message = client.get("/api/v1/regions?level=town").get_json()["error"]["message"]
    assert message == "level: 应为 " + "、".join(REGION_LEVELS)


def test_brand_detail_lists_products_and_producers_as_documented(client):
    body = client.get("/api/v1/brands/xueling-shanzhen-sample").get_json()
    assert body["products"] and all(set(p) == {"slug", "name_zh"} for p in body["products"])
    assert body["producers"]
    assert all(set(p) == {"slug", "name_zh", "sample"} for p in body["producers"])


def test_undated_listings_come_last_on_every_database(client, sample_ctx):
    producer = db.session.scalar(select(Producer).where(Producer.slug == "fusong-shenyuan-co"))
    dated = db.session.scalars(select(Listing).where(Listing.producer_id == producer.id)).all()
    assert len(dated) == 2 and all(item.available_from for item in dated)
    dated[0].available_from = None
    db.session.commit()
    listings = client.get(f"/api/v1/producers/{producer.slug}").get_json()["listings"]
    assert [item["slug"] for item in listings] == [dated[1].slug, dated[0].slug]
