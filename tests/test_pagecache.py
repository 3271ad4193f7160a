"""The whole-response page cache: repeats come from memory, and no change is ever served stale."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from gi_registry.catalog import queries
from gi_registry.extensions import db
from gi_registry.models import GIProduct
from gi_registry.pagecache import CachedResponse, PageCache
from gi_registry.services.products import set_product_status
from gi_registry.services.unit import unit_of_work
from tests.conftest import _app_from, make_app


@pytest.fixture
def sample_app(sample_template, databases, tmp_path):
    """The sample site with the page cache on, as it runs outside the tests."""
    yield from _app_from(sample_template, databases, tmp_path, PAGE_CACHE=True)


@pytest.fixture
def client(sample_app):
    return sample_app.test_client()


@pytest.fixture
def product(sample_app) -> GIProduct:
    with sample_app.app_context():
        return db.session.scalars(queries.public_products().order_by(GIProduct.slug)).first()


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_a_repeated_page_comes_from_the_cache_with_the_same_body(client, product):
    first = client.get(f"/products/{product.slug}")
    second = client.get(f"/products/{product.slug}")
    assert (first.status_code, second.status_code) == (200, 200)
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    assert second.data == first.data
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


def test_a_write_in_this_process_is_shown_at_once(sample_app, client, product):
    assert client.get(f"/products/{product.slug}").status_code == 200
    assert cache_state(client.get(f"/products/{product.slug}")) == "hit"
    with sample_app.app_context(), unit_of_work(actor="test") as work:
        set_product_status(work, product.slug, "draft")
    assert client.get(f"/products/{product.slug}").status_code == 404


def test_a_write_by_another_worker_is_shown_on_the_next_request(
    sample_app, client, product, databases, tmp_path
):
    """Two apps on one database stand for two gunicorn workers (or two hosts)."""
    assert cache_state(client.get("/products")) == "miss"
    assert cache_state(client.get("/products")) == "hit"
    other_worker = make_app(
        tmp_path / "other", sample_app.config["SQLALCHEMY_DATABASE_URI"], PAGE_CACHE=True
    )
    with other_worker.app_context():
        with unit_of_work(actor="other worker") as work:
            set_product_status(work, product.slug, "draft")
        db.session.remove()
        db.engine.dispose()
    after = client.get("/products")
    assert cache_state(after) == "miss"
    assert product.name_zh not in after.get_data(as_text=True)


def test_without_a_fresh_look_another_worker_s_write_waits_for_the_check_interval(
    sample_app, product, tmp_path
):
    """The interval bounds staleness across workers; it is the only staleness there is."""
    sample_app.config["PAGE_CACHE_CHECK_SECONDS"] = 0.3
    client = sample_app.test_client()
    url = f"/products/{product.slug}"
    assert client.get(url).status_code == 200
    other_worker = make_app(
        tmp_path / "other", sample_app.config["SQLALCHEMY_DATABASE_URI"], PAGE_CACHE=True
    )
    with other_worker.app_context():
        with unit_of_work(actor="other worker") as work:
            set_product_status(work, product.slug, "draft")
        db.session.remove()
        db.engine.dispose()
    time.sleep(0.35)
    assert client.get(url).status_code == 404


def test_requests_with_a_session_are_never_cached(sample_app, product):
    client = sample_app.test_client()
    client.set_cookie(sample_app.config["SESSION_COOKIE_NAME"], "anything")
    url = f"/products/{product.slug}"
    assert [cache_state(client.get(url)) for _ in range(2)] == [None, None]


def test_search_errors_and_languages_are_kept_apart(client, product):
    assert [cache_state(client.get("/search?q=大米")) for _ in range(2)] == [None, None]
    assert [cache_state(client.get("/products/no-such-product")) for _ in range(2)] == [None, None]
    url = f"/products/{product.slug}"
    assert cache_state(client.get(url)) == "miss"
    assert cache_state(client.get(url, headers={"Accept-Language": "en"})) == "miss"
    assert cache_state(client.get(url, headers={"Accept-Encoding": "gzip"})) == "miss"
    assert cache_state(client.get(url)) == "hit"


def test_the_api_is_cached_but_its_query_string_is_part_of_the_key(client):
    assert cache_state(client.get("/api/v1/products?page=1")) == "miss"
    assert cache_state(client.get("/api/v1/products?page=1")) == "hit"
    assert cache_state(client.get("/api/v1/products?page=2")) == "miss"


def test_the_generation_is_the_newest_history_entry(sample_app):
    from gi_registry.models import AuditEntry

    with sample_app.app_context():
        cache = sample_app.extensions["page_cache"]
        newest = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        assert cache.generation() == newest


def entry(size: int) -> CachedResponse:
    return CachedResponse(b"x" * size, 200, ())


def test_the_cache_is_bounded_by_entries_and_bytes_least_recently_used_first():
    cache = PageCache(max_entries=3, max_bytes=8000, ttl=60, check_interval=1)
    for key in "abc":
        cache.put(key, entry(10))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", entry(10))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 3
    cache.put("e", entry(1001))  # a page over an eighth of the budget is not kept at all
    assert cache.get("e") is None
    for key in "fghij":
        cache.put(key, entry(900))
    assert sum(len(cache.get(k).body) for k in "abcdefghij" if cache.get(k)) <= 8000


def test_entries_expire_after_their_lifetime():
    cache = PageCache(max_entries=10, max_bytes=10_000, ttl=0.05, check_interval=1)
    cache.put("a", entry(10))
    assert cache.get("a") is not None
    time.sleep(0.06)
    assert cache.get("a") is None and len(cache) == 0
