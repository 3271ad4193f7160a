"""/api/v1/search and /api/v1/suggest: the documented shapes, the same answers as the page, errors
in Chinese that name the parameter, and no 5xx whatever the input."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.search_inputs import HOSTILE_QUERIES, TOP3, bad_field

URLS = {"product": "/products/", "brand": "/brands/", "producer": "/producers/"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def get(client, path: str, **args):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in args.items())
    return client.get(f"{path}?{query}")


def search(client, **args) -> dict:
    response = get(client, "/api/v1/search", **args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("q", "kind", "slug"), TOP3)
def test_the_expected_record_is_in_the_top_three(client, q, kind, slug):
    top = [(item["kind"], item["slug"]) for item in search(client, q=q)["items"][:3]]
    assert (kind, slug) in top, f"{q!r}: {top}"


def test_search_shape(client):
    body = search(client, q="梅河", per_page=3)
    assert set(body) >= {"items", "total", "page", "facets", "correction"}
    assert body["page"] == 1 and body["per_page"] == 3 and len(body["items"]) == 3
    assert body["pages"] == -(-body["total"] // 3)
    first = body["items"][0]
    assert set(first) >= {"kind", "slug", "title", "url", "highlight"}
    assert (first["kind"], first["slug"], first["title"]) == ("product", "meihe-dami", "梅河大米")
    assert first["url"] == "/products/meihe-dami"
    assert "<mark>梅河</mark>" in first["highlight"]
    assert set(body["facets"]) == {"kind", "category", "region", "protection"}
    assert sum(body["facets"]["kind"].values()) == body["total"]
    assert body["facets"]["region"] == {"220000": body["total"]}
    assert body["correction"] is None


def test_filters_narrow(client):
    everything = search(client, q="大米")
    for args in ({"kind": "product"}, {"category": "grain"}, {"region": "220500"}):
        narrowed = search(client, q="大米", **args)
        assert 0 < narrowed["total"] < everything["total"], args
    products = search(client, q="大米", kind="product", per_page=50)
    assert {item["kind"] for item in products["items"]} == {"product"}
    assert products["total"] == everything["facets"]["kind"]["product"]
    county = search(client, q="大米", region="220500")
    assert "220581" in county["facets"]["region"]  # one level down: the counties of 通化市


def test_pages_do_not_overlap_and_a_page_past_the_end_is_empty(client):
    first = search(client, q="人参", per_page=5)
    second = search(client, q="人参", per_page=5, page=2)
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}
    past = search(client, q="人参", per_page=5, page=999)
    assert past["items"] == [] and past["total"] == first["total"]


def test_correction(client):
    body = search(client, q="长白山人生")
    assert body["correction"] == "吉林长白山人参"
    assert body["showing_correction"] is True
    assert body["items"] and all(item["approximate"] for item in body["items"])


def test_highlight_is_escaped_html(client):
    body = search(client, q="<script>")
    assert body["items"] == [] and body["total"] == 0
    items = search(client, q="人参", per_page=50)["items"]
    assert any("<mark>人参</mark>" in item["highlight"] for item in items)
    for item in items:
        without_marks = item["highlight"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks and ">" not in without_marks


def test_empty_query_is_an_empty_result(client):
    for body in (search(client, q=""), search(client)):
        assert body["items"] == [] and body["total"] == 0 and body["q"] == ""


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=x&kind=zz", "kind"),
        ("q=x&category=nope", "category"),
        ("q=x&region=229999", "region"),
        ("q=x&region=22", "region"),
        ("q=x&protection=xyz", "protection"),
        ("q=x&page=0", "page"),
        ("q=x&page=abc", "page"),
        ("q=x&per_page=51", "per_page"),
        ("q=x&per_page=0", "per_page"),
    ],
)
def test_bad_parameters_are_400_in_chinese_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert error["message"].startswith(f"{field}: ") and HAN.search(error["message"])


def test_suggest_shape(client):
    response = get(client, "/api/v1/suggest", q="梅河")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert 1 <= len(items) <= 10
    assert items[0] == {
        "kind": "product",
        "slug": "meihe-dami",
        "title": "梅河大米",
        "url": "/products/meihe-dami",
    }
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=60" in response.headers["Cache-Control"]


@pytest.mark.parametrize("prefix", ["梅", "梅河", "mh", "meihe", "MEIHE", " 梅河 "])
def test_suggest_completes_names_pinyin_and_initials(client, prefix):
    items = get(client, "/api/v1/suggest", q=prefix).get_json()["items"]
    assert ("product", "meihe-dami") in [(i["kind"], i["slug"]) for i in items], prefix


def test_suggest_gives_at_most_ten(client):
    items = get(client, "/api/v1/suggest", q="吉").get_json()["items"]
    assert 1 <= len(items) <= 10
    assert {i["kind"] for i in items} <= set(URLS)


@pytest.mark.parametrize("q", ["", " ", "\x00", "xyzzyq"])
def test_suggest_for_nothing_is_an_empty_list(client, q):
    response = get(client, "/api/v1/suggest", q=q)
    assert response.status_code == 200 and response.get_json() == {"items": []}


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_input_never_fails(client, query):
    field = bad_field(query)
    for path in ("/api/v1/search", "/api/v1/suggest"):
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, (path, query)
        body = response.get_json()
        if path.endswith("suggest") or field is None:
            assert response.status_code == 200, (path, query, body)
            continue
        assert response.status_code in (200, 400), (path, query)
        if response.status_code == 400:
            message = body["error"]["message"]
            assert message.startswith(f"{field}: ") and HAN.search(message), (query, message)


def test_a_registry_without_records_searches_without_error(app):
    client = app.test_client()
    for _ in range(2):  # the second time against whatever the first search left behind
        assert "没有找到结果" in client.get("/search?q=梅河").get_data(as_text=True)
        body = search(client, q="梅河")
        assert body["items"] == [] and body["total"] == 0
        assert get(client, "/api/v1/suggest", q="梅河").get_json() == {"items": []}
