"""The search page, /search: finds the right record, filters, pages, corrects, escapes, never 500s."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from gi_registry.catalog.params import clean_query
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.search_pages.views import page_window
from tests import factories as f
from tests.search_inputs import HOSTILE_QUERIES, TOP3

URLS = {"product": "/products/", "brand": "/brands/", "producer": "/producers/"}
HIT_LINK = re.compile(r'<h3 class="hit-title"><a href="([^"]+)"')


def text(response) -> str:
    return response.get_data(as_text=True)


def page(client, **args) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in args.items())
    response = client.get(f"/search?{query}")
    assert response.status_code == 200, query
    return text(response)


def hit_links(html: str) -> list[str]:
    return [unescape(link) for link in HIT_LINK.findall(html)]


def result_count(html: str) -> int:
    found = re.search(r"找到 (\d+) 条结果", html)
    return int(found.group(1)) if found else 0


def links_in(html: str, css_class: str) -> list[str]:
    block = re.search(rf'<[a-z]+ class="{css_class}"[^>]*>(.*?)</(?:nav|aside|ul)>', html, re.S)
    assert block, css_class
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', block.group(1))]


@pytest.mark.parametrize(("q", "kind", "slug"), TOP3)
def test_the_expected_record_is_in_the_top_three(client, q, kind, slug):
    links = hit_links(page(client, q=q))
    assert URLS[kind] + slug in links[:3], f"{q!r}: {links[:5]}"


def test_results_show_kind_title_marks_subtitle_and_snippet(client):
    html = page(client, q="梅河")
    assert "<title>“梅河”的搜索结果" in html
    first = html[html.index('<li class="hit">') :]
    first = first[: first.index("</li>")]
    assert "地理标志产品" in first
    assert '<a href="/products/meihe-dami"><mark>梅河</mark>大米</a>' in first
    assert '<p class="hit-sub">粮食 · 梅河口</p>' in first
    snippet = first[first.index('<p class="hit-snippet">') :]
    assert "<mark>梅河</mark>口市" in snippet[: snippet.index("</p>")]
    assert 'name="robots" content="noindex' in html


def test_tabs_count_each_kind_and_narrow_to_one(client):
    html = page(client, q="梅河")
    tabs = re.search(r'<nav class="search-tabs".*?</nav>', html, re.S).group(0)
    counts = dict(
        re.findall(r">(全部|产品|品牌|经营主体|供需信息) <span class=\"count\">(\d+)<", tabs)
    )
    assert set(counts) == {"全部", "产品", "品牌", "经营主体", "供需信息"}
    assert int(counts["全部"]) == sum(
        int(counts[k]) for k in ("产品", "品牌", "经营主体", "供需信息")
    )
    assert int(counts["全部"]) == result_count(html)
    assert 'aria-current="page">全部' in tabs

    brands = page(client, q="梅河", kind="brand")
    assert result_count(brands) == int(counts["品牌"]) > 0
    assert hit_links(brands) and all(link.startswith("/brands/") for link in hit_links(brands))
    assert 'kind=brand" aria-current="page">品牌' in brands


def test_facets_show_names_and_counts_and_narrow(client):
    html = page(client, q="大米")
    total = result_count(html)
    assert '">粮食</span> <span class="count">' in html  # category name from the Category table
    assert '">吉林省</span> <span class="count">' in html  # provinces when no region is chosen
    assert '地理标志保护产品</span> <span class="count">' in html  # protection label from vocab

    grain = page(client, q="大米", category="grain")
    assert 0 < result_count(grain) < total
    assert 'class="is-active" aria-current="true"' in grain and "清除条件" in grain

    protected = page(client, q="大米", protection="agri_gi")
    assert 0 < result_count(protected) < total


def test_region_facet_walks_one_level_down_and_links_back_up(client):
    province = page(client, q="大米", region="220000")
    assert "‹ </span>全部地区" in province  # the way back up from a province
    assert '">通化市</span> <span class="count">' in province  # prefectures below it

    prefecture = page(client, q="大米", region="220500")
    assert "‹ </span>吉林省" in prefecture
    assert '">梅河口市</span> <span class="count">' in prefecture
    assert 0 < result_count(prefecture) < result_count(province)
    up = re.search(r'<a class="facet-up" href="([^"]+)"', prefecture).group(1)
    assert parse_qs(urlsplit(unescape(up)).query) == {"q": ["大米"], "region": ["220000"]}


def test_filters_and_tabs_keep_each_other(client):
    html = page(client, q="大米", category="grain", kind="product")
    tabs = links_in(html, "search-tabs")
    assert len(tabs) == 5 and all("category=grain" in link for link in tabs)
    facet = re.search(r'href="([^"]*protection=[^"]*)"', html).group(1)
    query = parse_qs(urlsplit(unescape(facet)).query)
    assert query["kind"] == ["product"] and query["category"] == ["grain"]
    assert "page" not in query  # a new filter starts at page one


def test_pagination_links_keep_the_query_and_filters(client):
    first = page(client, q="人参")
    total = result_count(first)
    assert total > 10, "the sample needs more than one page of 人参"
    assert 'class="pager-current" aria-current="page"' in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)
    query = parse_qs(urlsplit(unescape(next_link)).query)
    assert query == {"q": ["人参"], "page": ["2"]}
    second = page(client, q="人参", page=2)
    assert "第 2 / " in second and 'rel="prev"' in second
    assert not set(hit_links(first)) & set(hit_links(second))
    assert len(hit_links(first)) + len(hit_links(second)) <= total


@pytest.mark.parametrize("number", ["-1", "0", "abc", "99999999999999999999", "1e3", "10000"])
def test_page_numbers_clamp(client, number):
    html = page(client, q="人参", page=number)
    assert hit_links(html), number  # the first or the last page, never an empty one


def test_page_window():
    assert page_window(1, 1) == [1]
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(1, 20) == [1, 2, 3, None, 20]
    assert page_window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_window(20, 20) == [1, None, 18, 19, 20]


def test_did_you_mean_and_showing_correction(client):
    html = page(client, q="长白山人生")
    assert "没有找到与「长白山人生」完全匹配的结果，以下是相近的结果" in html
    assert f'您是不是要找：<a href="/search?q={quote("吉林长白山人参")}">吉林长白山人参</a>' in html
    assert "相近结果" in html  # relaxed hits say so


def test_zero_results_help(client):
    html = page(client, q="xyzzyq")
    assert "没有找到与「xyzzyq」相关的结果。" in html
    assert "拼音" in html and "错别字" in html
    assert "按类别浏览" in html and "/products?category=grain" in html
    assert "按地区浏览" in html and "/products?region=220500" in html
    assert not hit_links(html)


def test_zero_results_with_filters_offers_to_drop_them(client):
    html = page(client, q="梅河", category="fruit")
    assert not hit_links(html)
    assert 'href="/search?q=%E6%A2%85%E6%B2%B3">去掉类型和筛选条件' in html


def test_empty_query_shows_a_form_and_examples(client):
    html = page(client)
    assert "<h1>搜索</h1>" in html
    assert 'id="search-page-q"' in html
    examples = re.findall(r'<li><a href="(/search\?q=[^"]+)">([^<]+)</a></li>', html)
    assert [text for _, text in examples] == ["梅河大米", "长白山人参", "mhdm", "Meihe rice"]
    for link, example in examples:
        assert parse_qs(urlsplit(unescape(link)).query) == {"q": [example]}
    assert not hit_links(html)
    assert "<h1>搜索</h1>" in page(client, q=" \u3000 ")  # blank is empty


def test_query_text_is_escaped_everywhere(client):
    html = page(client, q="<script>alert(1)</script>")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_highlighting_escapes_stored_markup(sample_ctx, client):
    report = import_document(
        f.document(
            products=[
                f.product(
                    slug="markup-rice",
                    name_zh="测试<b>大米",
                    summary='测试<script>alert("x")</script>的大米 & <i>稻</i>',
                )
            ]
        )
    )
    assert report.ok, report
    db.session.remove()
    html = page(client, q="测试")
    assert "/products/markup-rice" in hit_links(html)
    assert "<b>" not in html and "<i>" not in html and "<script>alert" not in html
    assert "<mark>测试</mark>&lt;b&gt;大米" in html
    assert "<mark>测试</mark>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_header_search_goes_to_the_search_page(client):
    for path in ("/", "/products", "/search?q=x"):
        html = text(client.get(path))
        assert 'action="/search" method="get" role="search"' in html
        assert 'data-suggest-url="/api/v1/suggest"' in html
        # The file's name carries its digest (gi_registry/caching/static_files.py).
        assert re.search(
            r'<script src="/static/js/suggest\.[0-9a-f]{12}\.js" defer></script>', html
        )


def test_the_old_product_name_filter_still_works(client):
    html = text(client.get(f"/products?q={quote('梅河')}"))
    assert 'href="/products/meihe-dami"' in html


def test_suggest_script_is_served_and_needs_no_inline_code(client):
    response = client.get("/static/js/suggest.js")
    assert response.status_code == 200
    script = text(response)
    response.close()
    for must in ("compositionstart", "compositionend", "aria-activedescendant", "AbortController"):
        assert must in script
    assert "innerHTML" not in script  # titles go in as text


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_input_never_fails(client, query):
    response = client.get(f"/search?{query}")
    assert response.status_code == 200, query
    html = text(response)
    assert "<h1" in html and "服务器出了点问题" not in html


def test_clean_query():
    assert clean_query(None) is None
    assert clean_query(" \x00 ") is None
    assert clean_query("梅河\x00大米") == "梅河 大米"
    assert clean_query("Meihe\trice") == "Meihe rice"
    assert clean_query("梅河\u3000大米") == "梅河 大米"
    assert len(clean_query("x" * 10_000)) == 100
