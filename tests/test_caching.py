"""HTTP caching: ETags and 304s per registry change, stored answers, gzip, digest-named static files."""

from __future__ import annotations

import gzip
import re
from datetime import date, timedelta

from sqlalchemy import select

from gi_registry.caching import marker as marker_module
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import FeatureSlot, GIProduct, now_utc
from tests import factories as f
from tests.sqlcount import statements

PRODUCT = "/products/meihe-dami"


def etag_of(response) -> str:
    value = response.headers["ETag"]
    assert value.startswith('W/"'), value
    return value


def test_an_unchanged_page_answers_304_without_running_the_view(client, sample_app):
    first = client.get(PRODUCT)
    assert first.status_code == 200 and "梅河大米" in first.get_data(as_text=True)
    assert "no-cache" in first.headers["Cache-Control"]
    with statements(sample_app) as seen:
        again = client.get(PRODUCT, headers={"If-None-Match": etag_of(first)})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1 and "write_locks" in seen[0]  # the marker, nothing else


def test_a_stored_answer_is_served_without_running_the_view(client, sample_app):
    first = client.get(PRODUCT)
    with statements(sample_app) as seen:
        second = client.get(PRODUCT)
    assert second.get_data() == first.get_data() and second.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1 and "write_locks" in seen[0]
    # Security headers are added to stored answers as to fresh ones.
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]


def test_the_etag_changes_after_a_write_through_the_services(client, sample_ctx):
    page = client.get("/api/v1/products/test-rice")
    assert page.status_code == 404
    before = client.get("/api/v1/products")
    import_document({"format": "gi-registry/1", "products": [f.product("test-rice")]})
    after = client.get("/api/v1/products", headers={"If-None-Match": etag_of(before)})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.get_json()["total"] == before.get_json()["total"] + 1


def test_the_etag_changes_after_a_direct_commit(client, sample_ctx):
    before = client.get(PRODUCT)
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.summary = "新的简介，用于缓存测试。"
    db.session.commit()
    after = client.get(PRODUCT, headers={"If-None-Match": etag_of(before)})
    assert after.status_code == 200 and "新的简介，用于缓存测试。" in after.get_data(as_text=True)


def test_the_etag_differs_by_language_and_url(client):
    zh = client.get("/products")
    other = client.get("/products?category=grain")
    api_zh = client.get("/api/v1/products")
    client.set_cookie("lang", "en")  # the language is the visitor's choice (docs/i18n.md)
    en = client.get("/products")
    assert len({zh.headers["ETag"], en.headers["ETag"], other.headers["ETag"]}) == 3
    assert "Cookie" in set(zh.headers["Vary"].replace(" ", "").split(","))
    # The API speaks one language: no Vary on it, one ETag for every reader.
    api_en = client.get("/api/v1/products")
    assert api_zh.headers["ETag"] == api_en.headers["ETag"]
    assert "Cookie" not in api_zh.headers.get("Vary", "")


def test_a_new_day_changes_the_etag(client, monkeypatch):
    before = client.get(PRODUCT)
    monkeypatch.setattr(marker_module, "local_today", lambda: date(2099, 1, 1))
    after = client.get(PRODUCT, headers={"If-None-Match": etag_of(before)})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_a_scheduled_slot_changes_the_etag_when_it_starts(client, sample_ctx, monkeypatch):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    starts = now_utc() + timedelta(hours=2)
    db.session.add(FeatureSlot(position=1, product=product, starts_at=starts))
    db.session.commit()
    before = client.get("/")
    assert client.get("/", headers={"If-None-Match": etag_of(before)}).status_code == 304
    monkeypatch.setattr(marker_module, "now_utc", lambda: starts + timedelta(seconds=1))
    after = client.get("/", headers={"If-None-Match": etag_of(before)})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_search_and_errors_are_never_stored(client):
    for url in ("/search?q=梅河", "/api/v1/search?q=梅河", "/api/v1/suggest?q=mh", "/no-such-page"):
        assert "ETag" not in client.get(url).headers, url
    assert "ETag" not in client.get("/api/v1/products?per_page=0").headers


def test_an_answer_that_reads_the_session_is_not_stored(sample_app):
    from flask import session

    @sample_app.route("/session-page")
    def session_page():
        return f"visits {session.get('visits', 0)}"

    response = sample_app.test_client().get("/session-page")
    assert response.status_code == 200 and "ETag" not in response.headers


def test_gzip_when_the_client_accepts_it(client):
    plain = client.get(PRODUCT, headers={"Accept-Encoding": "identity"})
    packed = client.get(PRODUCT, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    assert (
        "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert packed.headers["ETag"] == plain.headers["ETag"]  # weak: the same meaning
    api = client.get("/api/v1/products?per_page=50", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip"
    assert b'"items"' in gzip.decompress(api.get_data())


def test_compression_can_be_switched_off(sample_app):
    sample_app.config["COMPRESS_RESPONSES"] = False
    response = sample_app.test_client().get(PRODUCT, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert "梅河大米" in response.get_data(as_text=True)


def test_static_files_have_digest_names_and_a_year_of_life(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.([0-9a-f]{12})\.css)"', html)
    assert css, "the stylesheet link carries no digest"
    response = client.get(css[1], headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == "text/css"
    control = response.headers["Cache-Control"]
    assert "max-age=31536000" in control and "immutable" in control and "public" in control
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(response.get_data())
    # A stale digest (a page cached before a release) still gets the file, but only briefly.
    stale = client.get("/static/css/site.000000000000.css")
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    plain = client.get("/static/css/site.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    assert client.get("/static/css/missing.000000000000.css").status_code == 404
    for hostile in (
        "%00",
        "css/site%00.css",
        "..%2f..%2fpyproject.toml",
        "css/%2e%2e/%2e%2e/pyproject.toml",
    ):
        assert client.get(f"/static/{hostile}").status_code == 404, hostile
    assert client.get("/static/../gi_registry/config.py").status_code == 404
    revalidate = client.get(css[1], headers={"If-None-Match": response.headers["ETag"]})
    assert revalidate.status_code == 304


def test_the_answer_store_keeps_to_its_budget(sample_app):
    sample_app.extensions["caching"].store.budget = 200_000
    client = sample_app.test_client()
    for slug in (
        "meihe-dami",
        "baicheng-lvdou",
        "jilin-changbaishan-renshen",
        "yanbian-huangniurou",
    ):
        client.get(f"/products/{slug}")
    store = sample_app.extensions["caching"].store
    assert 0 < store.used <= 200_000


def test_a_guidance_request_keeps_the_stored_public_answers(client, sample_ctx):
    """The public's requests are private rows: asking a station must not empty every worker's store."""
    from gi_registry.services.changes import registry_stamp
    from gi_registry.services.stations import answer_request, submit_request
    from gi_registry.services.unit import unit_of_work
    from tests.test_stations import GOOD, STATION

    before = client.get(PRODUCT)
    stamp = registry_stamp()
    with unit_of_work(actor="visitor") as work:
        code = submit_request(work, STATION, GOOD).tracking_code
    with unit_of_work(actor="station") as work:
        answer_request(work, code, "请携带营业执照到指导站。")
    assert registry_stamp() == stamp
    with statements(sample_ctx) as seen:
        again = client.get(PRODUCT, headers={"If-None-Match": etag_of(before)})
    assert again.status_code == 304 and len(seen) == 1
    # A change visitors see still moves the marker.
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.summary = "新的简介，用于缓存测试。"
    db.session.commit()
    assert registry_stamp() != stamp


def test_every_private_model_is_left_out_of_the_public_pages():
    """A model marked Private must not be read by the public views (their answers are cached)."""
    import ast
    from pathlib import Path

    from gi_registry.models.base import Private

    private = {cls.__name__ for cls in Private.__subclasses__()}
    assert {"GuidanceRequest", "User", "AuditEntry", "SearchOutbox", "WriteLock"} <= private
    package = Path(__file__).resolve().parent.parent / "gi_registry"
    public_views = ["catalog", "promotion", "places", "verify", "opendata", "seo", "api"]
    readers = []
    for folder in public_views:
        for path in (package / folder).rglob("*.py"):
            names = {n.id for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Name)}
            readers += [f"{path.relative_to(package)}: {name}" for name in names & private]
    assert readers == []
