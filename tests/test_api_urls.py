"""URLs in the API come from PUBLIC_URL or are root-relative, never from the request's Host header;
no response changes with a request header it does not name in Vary."""

from __future__ import annotations

import json
import re

import pytest

from gi_registry import create_app
from tests.conftest import make_app

EVIL = "evil.example"
# Every API endpoint whose answer carries a URL (images, pages, search hits, suggestions).
URL_ENDPOINTS = [
    "/api/v1/products",
    "/api/v1/products/meihe-dami",
    "/api/v1/brands",
    "/api/v1/brands/meihe-heyun-sample",
    "/api/v1/producers",
    "/api/v1/producers/meihekou-hefengyuan-coop",
    "/api/v1/regions",
    "/api/v1/regions/220581",
    "/api/v1/search?q=%E6%A2%85%E6%B2%B3",
    "/api/v1/suggest?q=%E6%A2%85%E6%B2%B3",
]


def urls_in(value) -> list[str]:
    """Every string under a key named ``url`` in a JSON value."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "url" and isinstance(v, str)]
        return found + [u for v in value.values() for u in urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in urls_in(v)]
    return []


def our_urls(body) -> list[str]:
    """URLs that point into the site (sources and source_url are links to other sites, kept as stored)."""
    return [u for u in urls_in(body) if not u.startswith(("https://", "http://")) or EVIL in u]


@pytest.mark.parametrize("path", URL_ENDPOINTS)
def test_a_forged_host_appears_nowhere_in_the_answer(client, path):
    response = client.get(path, headers={"Host": EVIL})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert EVIL not in response.get_data(as_text=True)
    assert EVIL not in json.dumps(dict(response.headers))


@pytest.mark.parametrize("path", URL_ENDPOINTS)
def test_without_public_url_the_urls_are_root_relative(client, path):
    body = client.get(path, headers={"Host": EVIL}).get_json()
    if path.startswith("/api/v1/regions?") or path == "/api/v1/regions":
        assert urls_in(body) == []  # region references carry codes, not pages
        return
    urls = our_urls(body)
    assert urls, body
    for url in urls:
        assert re.fullmatch(
            r"/(products|brands|producers|listings|regions|media)/[^/\s][^\s]*", url
        ), url


def test_urls_point_at_the_pages_they_name(client):
    product = client.get("/api/v1/products/meihe-dami").get_json()
    assert product["url"] == "/products/meihe-dami"
    variants = product["images"][0]["variants"]
    assert all(v["url"].startswith("/media/") for v in variants.values())
    # The root-relative URL is one the site answers.
    assert client.get(product["url"]).status_code == 200
    with client.get(variants["thumb"]["url"]) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
    suggestion = client.get("/api/v1/suggest?q=meihe").get_json()["items"][0]
    assert suggestion["url"] == f"/{suggestion['kind']}s/{suggestion['slug']}"


@pytest.fixture
def public_client(sample_app):
    sample_app.config["PUBLIC_URL"] = "https://gi.jl.gov.cn/"
    return sample_app.test_client()


@pytest.mark.parametrize("path", URL_ENDPOINTS)
def test_with_public_url_the_urls_are_absolute_under_it(public_client, path):
    response = public_client.get(path, headers={"Host": EVIL})
    assert EVIL not in response.get_data(as_text=True)
    body = response.get_json()
    if path == "/api/v1/regions":
        return
    urls = [u for u in urls_in(body) if u.startswith("https://gi.jl.gov.cn")]
    assert urls, body
    assert all(re.match(r"https://gi\.jl\.gov\.cn/[a-z]", u) for u in urls), urls
    assert not [u for u in urls_in(body) if u.startswith("/")]


def test_public_url_keeps_a_path_prefix_and_the_mount_point_is_not_doubled(sample_app):
    sample_app.config["PUBLIC_URL"] = "https://www.jl.gov.cn/gi"
    client = sample_app.test_client()
    body = client.get("/api/v1/products/meihe-dami").get_json()
    assert body["url"] == "https://www.jl.gov.cn/gi/products/meihe-dami"
    # Mounted under /gi (SCRIPT_NAME): url_for adds the mount point, PUBLIC_URL already names it.
    mounted = client.get(
        "/api/v1/products/meihe-dami",
        environ_overrides={"SCRIPT_NAME": "/gi"},
    ).get_json()
    assert mounted["url"] == "https://www.jl.gov.cn/gi/products/meihe-dami"


def test_public_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GI_PUBLIC_URL", "https://gi.jl.gov.cn")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["PUBLIC_URL"] == "https://gi.jl.gov.cn"


@pytest.mark.parametrize(
    "value", ["gi.jl.gov.cn", "ftp://gi.jl.gov.cn", "https://", "https://gi.jl.gov.cn/?a=1", 5]
)
def test_a_malformed_public_url_stops_the_start(tmp_path, value):
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        make_app(tmp_path, "sqlite://", PUBLIC_URL=value)


@pytest.mark.parametrize("path", ["/api//v1/products", "//products", "/api/v1//brands"])
def test_slash_merging_redirects_do_not_repeat_the_host(client, path):
    response = client.get(path, headers={"Host": EVIL})
    assert response.status_code == 308
    location = response.headers["Location"]
    assert EVIL not in location
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert client.get(location).status_code == 200


# Pages and API answers a shared cache may keep, and headers a client may vary.
CACHEABLE = [
    *URL_ENDPOINTS,
    "/",
    "/products",
    "/products/meihe-dami",
    "/brands/meihe-heyun-sample",
    "/producers/meihekou-hefengyuan-coop",
    "/regions/220581",
    "/search?q=%E6%A2%85%E6%B2%B3",
    "/api/v1/products/no-such-product",
]
VARIED_HEADERS = {
    "Host": EVIL,
    "Accept": "application/json",
    "Accept-Language": "en-US",
    "Cookie": "session=forged",
    "Origin": "https://other.example",
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Proto": "https",
    "User-Agent": "probe/1.0",
}
# Headers that differ between any two answers (Date) or are computed per response.
PER_RESPONSE = {"Date"}


@pytest.mark.parametrize("path", CACHEABLE)
def test_an_answer_that_changes_with_a_request_header_names_it_in_vary(client, path):
    plain = client.get(path)
    for name, value in VARIED_HEADERS.items():
        other = client.get(path, headers={name: value})
        vary = {v.strip().lower() for v in other.headers.get("Vary", "").split(",")}
        if name.lower() in vary:
            continue
        assert other.status_code == plain.status_code, (name, path)
        assert other.get_data() == plain.get_data(), (name, path)
        headers = {k: v for k, v in other.headers.items() if k not in PER_RESPONSE}
        assert headers == {k: v for k, v in plain.headers.items() if k not in PER_RESPONSE}, name
