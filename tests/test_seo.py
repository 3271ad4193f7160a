"""sitemap.xml, robots.txt, canonical URLs and page titles."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import Brand, GIProduct, Producer
from gi_registry.seo import Entry, sitemap_source
from gi_registry.seo import sitemap as sitemap_module

PUBLIC = "https://gi.example.cn"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def public_client(sample_app):
    sample_app.config["PUBLIC_URL"] = PUBLIC
    return sample_app.test_client()


def locations(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "application/xml"
    tree = ET.fromstring(response.get_data())
    return [node.text for node in tree.iterfind(".//s:loc", NS)]


def test_the_sitemap_lists_public_records_and_omits_drafts(public_client, sample_ctx):
    draft = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    draft.status = "draft"
    hidden_producer = db.session.scalar(select(Producer).order_by(Producer.slug))
    hidden_producer.status = "suspended"
    db.session.commit()
    urls = locations(public_client.get("/sitemap.xml"))
    assert all(url.startswith(PUBLIC + "/") for url in urls)
    assert f"{PUBLIC}/products/meihe-dami" not in urls
    assert f"{PUBLIC}/producers/{hidden_producer.slug}" not in urls
    assert f"{PUBLIC}/products/baicheng-lvdou" in urls
    assert f"{PUBLIC}/brands/jizhi-jipin" in urls
    for page in ("/", "/products", "/brands", "/producers", "/data/", "/verify", "/stats"):
        assert PUBLIC + page in urls
    public_products = db.session.scalar(
        select(db.func.count()).select_from(GIProduct).where(GIProduct.status == "published")
    )
    assert sum("/products/" in url for url in urls) == public_products
    assert sum("/brands/" in url for url in urls) == db.session.scalar(
        select(db.func.count()).select_from(Brand).where(Brand.status == "published")
    )
    assert len(urls) == len(set(urls))


def test_the_sitemap_has_regions_with_gis_and_their_ancestors(public_client):
    urls = locations(public_client.get("/sitemap.xml"))
    assert f"{PUBLIC}/regions/220581" in urls  # 梅河口市: 梅河大米
    assert f"{PUBLIC}/regions/220500" in urls  # 通化市, above it
    assert f"{PUBLIC}/regions/220000" in urls
    assert f"{PUBLIC}/regions/110000" not in urls  # 北京市: no Jilin GI


def test_a_feature_adds_its_pages_through_a_source(public_client, monkeypatch):
    monkeypatch.setattr(sitemap_module, "SOURCES", list(sitemap_module.SOURCES))

    @sitemap_source
    def story_pages():
        yield Entry("/stories/meihe-rice-story")

    assert f"{PUBLIC}/stories/meihe-rice-story" in locations(public_client.get("/sitemap.xml"))


def test_a_large_sitemap_becomes_an_index(public_client, monkeypatch):
    monkeypatch.setattr(sitemap_module, "URLS_PER_FILE", 20)
    index = locations(public_client.get("/sitemap.xml"))
    assert index[0] == f"{PUBLIC}/sitemap/1.xml"
    parts = [locations(public_client.get(url[len(PUBLIC) :])) for url in index]
    assert all(0 < len(part) <= 20 for part in parts)
    assert public_client.get(f"/sitemap/{len(index) + 1}.xml").status_code == 404
    assert public_client.get("/sitemap/0.xml").status_code == 404


def test_without_public_url_the_sitemap_uses_the_host_but_is_never_shared(client):
    response = client.get("/sitemap.xml", headers={"Host": "evil.example"})
    assert "private" in response.headers["Cache-Control"] and "ETag" not in response.headers
    assert locations(response)[0].startswith("http://evil.example/")


def test_robots_allows_all_and_points_to_the_sitemap(public_client):
    response = public_client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in lines
    for path in ("/api/v1/search", "/search", "/verify/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /products" not in lines and "Disallow: /" not in lines


def canonical(html: str) -> str | None:
    found = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    return unescape(found[1]) if found else None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/products/meihe-dami", "/products/meihe-dami"),
        (
            "/products?category=grain&q=%E6%A2%85&per_page=5&utm_source=x",
            "/products?category=grain",
        ),
        ("/products?page=1", "/products"),
        ("/products?page=2&region=220581", "/products?region=220581&page=2"),
        ("/regions/220581", "/regions/220581"),
        ("/data/", "/data/"),
    ],
)
def test_canonical_urls_are_absolute_and_drop_what_does_not_make_a_page(
    public_client, path, expected
):
    html = public_client.get(path).get_data(as_text=True)
    assert canonical(html) == PUBLIC + expected


def test_canonical_is_root_relative_without_public_url_and_absent_on_errors(client):
    html = client.get("/products/meihe-dami", headers={"Host": "evil.example"}).get_data(
        as_text=True
    )
    assert canonical(html) == "/products/meihe-dami"
    assert canonical(client.get("/products/no-such-thing").get_data(as_text=True)) is None


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "地理标志产品、品牌与经营主体 · 吉林地理标志"),
        ("/products", "地理标志产品 · 吉林地理标志"),
        ("/products/meihe-dami", "梅河大米 · 地理标志产品 · 吉林地理标志"),
        ("/data/", "开放数据 · 吉林地理标志"),
        ("/no-such-page", "404 · 吉林地理标志"),
    ],
)
def test_page_titles_name_the_site(client, path, title):
    html = client.get(path).get_data(as_text=True)
    assert re.search(r"<title>(.*?)</title>", html, re.S)[1].strip() == title


def test_the_sitemap_lists_public_stories_events_and_stations_only(public_client, sample_ctx):
    from gi_registry.models import GuidanceStation, Story

    story = db.session.scalars(select(Story).order_by(Story.slug)).first()
    station = db.session.scalars(select(GuidanceStation).order_by(GuidanceStation.slug)).first()
    urls = locations(public_client.get("/sitemap.xml"))
    for page in ("/stories", "/events", "/stations", f"/stories/{story.slug}"):
        assert PUBLIC + page in urls
    assert f"{PUBLIC}/stations/{station.slug}" in urls
    assert not any("/ask" in url or "/guidance/" in url for url in urls)
    story.status = "draft"
    station.status = "archived"
    db.session.commit()
    urls = locations(public_client.get("/sitemap.xml"))
    assert f"{PUBLIC}/stories/{story.slug}" not in urls
    assert f"{PUBLIC}/stations/{station.slug}" not in urls
