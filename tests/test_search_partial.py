"""Partial matches: a query word that matches nothing no longer empties the results.

One test per rule of the fallback (docs/search.md, "Partial matches"), on records built so that the
rule alone decides the outcome; then the page's notice, the API field and hostile input.
"""

from __future__ import annotations

import time

import pytest

from gi_registry import search
from gi_registry.interchange import import_document
from tests import factories


def keys(results: search.Results) -> list[str]:
    return [f"{hit.kind}:{hit.slug}" for hit in results.items]


@pytest.fixture
def registry(ctx):
    """松江大米 in 梅河口市; a fungus of 龙井市; a bean of 洮南市; 城镇 only in one product's text; a
    producer whose address holds 白城市洮 (洮北区) but no GI; a listing naming 松江大米 and 供应."""
    products = [
        factories.product("songjiang", name_zh="松江大米", region_codes=["220581"]),
        factories.product(
            "muer", name_zh="帽儿山黑木耳", category="fungi", region_codes=["222405"]
        ),
        factories.product("lvdou", name_zh="洮儿河绿豆", category="beans", region_codes=["220881"]),
        factories.product(
            "xiaomi", name_zh="江北小米", region_codes=["220281"], description="深受城镇居民喜爱。"
        ),
    ]
    producers = [
        factories.producer("seller", name_zh="松原丰收合作社（示例）"),
        factories.producer(
            "farm",
            serial=2,
            name_zh="青野家庭农场（示例）",
            region_code="220802",
            address="吉林省白城市洮北区某街",
        ),
    ]
    listings = [
        factories.listing(
            "rice-supply", producer="seller", product="songjiang", title="供应松江大米"
        ),
        factories.listing("bean-supply", producer="seller", category="beans", title="供应红小豆"),
    ]
    report = import_document(
        factories.document(products=products, producers=producers, listings=listings)
    )
    assert report.ok, report.issues
    with ctx.test_request_context():
        yield ctx


def test_a_strict_match_needs_no_fallback(registry):
    results = search.search("松江大米")
    assert results.unmatched == ()
    assert not results.showing_correction
    assert not any(hit.approximate for hit in results.items)


def test_a_trade_word_that_matches_nothing_is_named_and_left_out(registry):
    results = search.search("松江大米现货")
    assert keys(results)[0] == "product:songjiang"
    assert results.unmatched == ("现货",)
    assert results.showing_correction
    assert all(hit.approximate for hit in results.items)


@pytest.mark.parametrize(
    ("query", "unmatched"),
    [("songjiang dami xianhuo", "xianhuo"), ("Songjiang rice wholesale", "wholesale")],
)
def test_an_unknown_latin_word_is_named_and_left_out(registry, query, unmatched):
    results = search.search(query)
    assert keys(results)[0] == "product:songjiang"
    assert results.unmatched == (unmatched,)


def test_records_covering_more_of_the_query_come_first(registry):
    """供应松江大米 covers 松江大米 and 供应, the GI only 松江大米; 供应红小豆 covers 供应 alone, no more
    than half of what the best covers, so it is left out."""
    results = search.search("松江大米供应现货")
    ranked = keys(results)
    assert ranked[:2] == ["listing:rice-supply", "product:songjiang"]
    assert "listing:bean-supply" not in ranked
    assert results.unmatched == ("现货",)


def test_a_place_joined_to_its_county_matches_as_two_words(registry):
    """通化市梅河口市 holds the bigram 市梅, which no record has; 通化市 + 梅河口市 is an exact match."""
    results = search.search("通化市梅河口市")
    assert keys(results)[0] == "product:songjiang"
    assert "product:muer" not in keys(results)
    assert results.unmatched == ()
    assert not results.showing_correction
    assert not results.items[0].approximate


def test_a_division_suffix_belongs_to_its_place(registry):
    """延边州: 边州 is in no record, but 州 is the prefecture's suffix, not a word that matched nothing."""
    results = search.search("延边州龙井市")
    assert keys(results)[0] == "product:muer"
    assert results.unmatched == ()
    assert not results.items[0].approximate


def test_an_unknown_town_is_named_whole(registry):
    """山城 is in no record and 城镇 only in 江北小米's text: the word that matched nothing is 山城镇."""
    results = search.search("梅河口市山城镇")
    assert keys(results)[0] == "product:songjiang"
    assert "product:xiaomi" not in keys(results)
    assert results.unmatched == ("山城镇",)


def test_the_cut_prefers_pieces_that_records_hold_together(registry):
    """白城市洮 is in the farm's address, but 白城市 + 洮南市 is what the bean's regions hold."""
    results = search.search("白城市洮南市")
    assert keys(results)[0] == "product:lvdou"
    assert results.unmatched == ()
    assert not results.items[0].approximate


def test_a_lone_character_is_never_reported(registry):
    """Single characters are searched in names only: 鸡 missing from every name says nothing."""
    results = search.search("松江大米 鸡")
    assert "product:songjiang" in keys(results)
    assert results.unmatched == ()


def test_only_unknown_words_find_nothing(registry):
    results = search.search("现货批发")
    assert (results.total, results.items, results.unmatched) == (0, [], ())


def test_a_typo_that_finds_a_name_keeps_the_correction(registry):
    results = search.search("松疆大米")
    assert results.correction == "松江大米"
    assert results.unmatched == ()


def test_filters_apply_to_partial_results(registry):
    results = search.search("松江大米现货", kind="listing")
    assert keys(results) == ["listing:rice-supply"]
    assert results.kind_counts["product"] == 1
    assert results.unmatched == ("现货",)


# ---- the page and the API ------------------------------------------------------------------


def test_the_page_names_the_words_that_matched_nothing(registry):
    page = registry.test_client().get("/search?q=松江大米现货").get_data(as_text=True)
    assert "未找到：<strong>现货</strong> — 以下结果仅匹配其余词语" in page
    assert "完全匹配的结果" not in page  # the general notice gives way to the precise one
    assert "/products/songjiang" in page


def test_the_page_has_no_notice_when_every_word_matched(registry):
    page = registry.test_client().get("/search?q=松江大米").get_data(as_text=True)
    assert "未找到：" not in page


def test_the_api_lists_the_words_that_matched_nothing(registry):
    client = registry.test_client()
    body = client.get("/api/v1/search?q=松江大米现货").get_json()
    assert body["unmatched"] == ["现货"]
    assert body["items"][0]["slug"] == "songjiang"
    assert client.get("/api/v1/search?q=松江大米").get_json()["unmatched"] == []


# ---- hostile input on the sample -----------------------------------------------------------

HOSTILE = {
    "10,000 characters, known and unknown": ("梅河大米现货" * 2000)[:10_000],
    "10,000 mixed scripts": ("梅河dami现货 wholesale 価格 한국 " * 500)[:10_000],
    "only unknown words": "现货 批发 哪里买 xianhuo wholesale",
    "punctuation only": "！？。，、；：「」『』（）…—!?.,;:'\"()[]{}<>/\\|@#$%^&*+=~`",
    "mixed scripts": "梅河ＤＡＭＩ現貨 wholesale 価格 ✓ 🍚 ß Ω",
    "100 characters of names": ("长白山人参梅河大米延边黄牛肉" * 10)[:100],
}


@pytest.mark.parametrize("query", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_queries_never_fail_and_stay_fast(sample_app, query):
    client = sample_app.test_client()
    for path in ("/search", "/api/v1/search"):
        started = time.perf_counter()
        response = client.get(path, query_string={"q": query})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        # Measured at 0.1-0.2 s; the bound catches a blow-up (a cut trying every span), not noise.
        assert elapsed < 5, (path, elapsed)
