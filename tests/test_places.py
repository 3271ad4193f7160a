"""Region pages with counts, the offline map of the home province, and the statistics page."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET

import pytest

from gi_registry.catalog import queries
from gi_registry.interchange import import_document
from gi_registry.places import charts, regionmap, statistics
from gi_registry.services import products
from gi_registry.services.unit import unit_of_work
from tests import factories as f

SVG = "{http://www.w3.org/2000/svg}"
JILIN_PREFECTURES = {
    "220100", "220200", "220300", "220400", "220500", "220600", "220700", "220800", "222400",
}  # fmt: skip


def text(response) -> str:
    return response.get_data(as_text=True)


def svgs(page: str) -> list[ET.Element]:
    """Every inline SVG of a page, parsed as XML: a malformed one fails the test here."""
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


def load(*records: dict) -> None:
    report = import_document(f.document(products=list(records)))
    assert report.ok, report


def archive(slug: str) -> None:
    with unit_of_work(actor="test") as work:
        products.archive_product(work, slug)


@pytest.fixture
def registry(ctx):
    """Public products in 通化市 (220500) and its counties 梅河口市 (220581) and 东昌区 (220502),
    one for the whole province, one in 长春市, and a draft and an archived one that must not count."""
    load(
        f.product("in-county", region_codes=["220581"], category="grain",
                  protections=[f.protection(kind="gi_product", approved_on="2006-12")]),
        f.product("two-counties", region_codes=["220581", "220502"], category="fruit",
                  protections=[f.protection(kind="gi_product", approved_on="2010"),
                               f.protection(kind="agri_gi", approved_on="2008-05-01")]),
        f.product("prefecture", region_codes=["220500"], category="fruit",
                  protections=[f.protection(kind="certification_mark", approved_on="2010-01")]),
        f.product("province", region_codes=["220000"], category="grain",
                  protections=[f.protection(kind="agri_gi", status="accepted", approved_on=None)]),
        f.product("changchun", region_codes=["220112"], category="grain"),
        f.product("draft", region_codes=["220581"], category="grain", status="draft",
                  protections=[f.protection(approved_on="2001")]),
        f.product("archived", region_codes=["220581"], category="fruit",
                  protections=[f.protection(approved_on="2001")]),
    )  # fmt: skip
    archive("archived")


# --- Counts per region


def test_counts_include_descendants_once_and_exclude_drafts_and_archived(registry):
    counts = queries.product_counts_below("220000")
    assert counts["220581"] == 2  # in-county, two-counties; not the draft, not the archived one
    assert counts["220502"] == 1
    assert counts["220500"] == 3  # two-counties counts once for the prefecture
    assert counts["220100"] == counts["220112"] == 1
    assert counts["220000"] == 5  # the province's own product too
    assert counts["220200"] == 0 and counts["222401"] == 0
    assert queries.product_counts_below("220581") == {"220581": 2}


def test_a_region_page_lists_children_with_their_counts_and_crumbs(registry, app):
    page = text(app.test_client().get("/regions/220500"))
    assert "<h1>通化市</h1>" in page
    assert '<a href="/regions/220581">梅河口市 <span class="count">2<' in page
    assert '<a href="/regions/220502">东昌区 <span class="count">1<' in page
    assert '<a href="/regions/220503">二道江区 <span class="count">0<' in page
    assert "收录地理标志产品 3 个" in page
    assert '<a href="/regions/220000">吉林省</a>' in page and 'href="/stats"' in page
    for slug in ("in-county", "two-counties", "prefecture"):
        assert f'href="/products/{slug}"' in page
    assert 'href="/products/draft"' not in page and 'href="/products/archived"' not in page
    county = text(app.test_client().get("/regions/220581"))
    crumbs = '<a href="/regions/220000">吉林省</a><span aria-hidden="true"> › </span><a href="/regions/220500">通化市</a>'
    assert crumbs in county and '<span aria-current="page">梅河口市</span>' in county


@pytest.mark.parametrize("url", ["/regions/229999", "/regions/000000", "/regions/22050"])
def test_unknown_region_codes_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404 and "<svg" not in text(response)


# --- The map


def test_the_shipped_outlines_are_jilins_prefectures_by_their_codes():
    with open(regionmap.GEOMETRY.parent / "cn_divisions.csv", encoding="utf-8") as fh:
        names = {r["code"]: r["name"] for r in csv.DictReader(fh) if r["parent_code"] == "220000"}
    shapes = regionmap.geometry()
    assert shapes["province"] == "220000" and set(shapes["regions"]) == set(names)
    for code, shape in shapes["regions"].items():
        assert shape["name"] == names[code]
        assert re.fullmatch(r"(M[\d. ]+L[\d. ]+Z)+", shape["d"]), code
    assert regionmap.GEOMETRY.stat().st_size < 40_000  # simplified: small enough to inline


def test_the_map_has_one_link_per_prefecture_with_its_count(registry, app):
    page = text(app.test_client().get("/regions"))
    (svg,) = [s for s in svgs(page) if s.find(f"{SVG}a") is not None]
    links = svg.findall(f"{SVG}a")
    assert {a.get("href") for a in links} == {f"/regions/{c}" for c in JILIN_PREFECTURES}
    by_href = {a.get("href"): a for a in links}
    tonghua = by_href["/regions/220500"]
    assert tonghua.get("aria-label") == "通化市：3 个地理标志产品"
    assert tonghua.find(f"{SVG}title").text == "通化市：3 个地理标志产品"
    assert tonghua.get("class") == "area shade-4"  # the highest count: the darkest shade
    assert by_href["/regions/220100"].get("class") == "area shade-2"  # 1 of 3
    assert by_href["/regions/220200"].get("class") == "area shade-0"
    assert all(a.find(f"{SVG}path").get("d", "").startswith("M") for a in links)
    # The same numbers as a list of plain links, for screen readers and small screens.
    assert '<a href="/regions/220500">通化市 <span class="count">3<' in page
    assert " style=" not in page  # the CSP allows no style attributes


def test_the_map_shades_in_equal_steps():
    assert [regionmap.shade(n, 8) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert regionmap.shade(0, 0) == 0


def test_no_map_for_a_province_without_outlines(registry, app):
    assert regionmap.region_map("210000") is None
    assert "region-map" not in text(app.test_client().get("/regions/210000"))


# --- Statistics


def table_rows(page: str, key: str) -> dict[str, int]:
    section = re.search(rf'<section class="stats-figure" id="stats-{key}".*?</section>', page, re.S)
    assert section, key
    cells = re.findall(
        r'<th scope="row">(?:<a href="[^"]*">)?([^<]+)(?:</a>)?</th>\s*<td class="num">(\d+)</td>',
        section.group(0),
    )
    return {label: int(n) for label, n in cells}


def test_stats_count_public_products_by_category_region_kind_and_year(registry, app):
    assert statistics.public_total() == 5
    response = app.test_client().get("/stats")
    assert response.status_code == 200
    page = text(response)
    assert "公开的地理标志产品共 5 个" in page
    categories = table_rows(page, "category")
    assert categories["粮食"] == 3 and categories["水果"] == 2 and categories["蔬菜"] == 0
    regions = table_rows(page, "region")
    assert (
        regions["通化"] == 3 and regions["长春"] == 1 and regions["延边"] == 0 and len(regions) == 9
    )
    # The province's product holds only an accepted application: not a protection in force.
    assert table_rows(page, "protection") == {
        "地理标志保护产品": 2,
        "地理标志证明商标": 1,
        "地理标志集体商标": 0,
        "农产品地理标志": 1,
    }
    # First protection in force: 2006 (in-county), 2008 (two-counties), 2010 (prefecture).
    assert table_rows(page, "year") == {"2006": 1, "2008": 1, "2010": 1}
    assert "5 个产品中 3 个收录了批准日期" in page
    assert '<a href="/products?category=grain">粮食</a>' in page
    assert '<a href="/regions/220500">通化</a>' in page
    assert '<a href="/products?protection=agri_gi">农产品地理标志</a>' in page


def test_each_stats_chart_is_wellformed_svg_with_a_bar_per_table_row(registry, app):
    page = text(app.test_client().get("/stats"))
    charts_found = svgs(page)
    assert len(charts_found) == 4
    for svg, key in zip(charts_found, ("category", "region", "protection", "year"), strict=True):
        assert svg.get("role") == "img" and svg.find(f"{SVG}title").text
        assert len(svg.findall(f"{SVG}rect")) == len(table_rows(page, key))
    assert page.count("<caption>") == 4 and page.count('<th scope="col">') == 4


def test_stats_page_is_linked_from_every_page_and_works_on_an_empty_registry(app):
    assert 'href="/stats"' in text(app.test_client().get("/regions/220581"))
    page = text(app.test_client().get("/stats"))
    assert "公开的地理标志产品共 0 个" in page and "暂无数据" in page  # no dated protection


def test_sample_statistics_add_up(sample_ctx, client):
    page = text(client.get("/stats"))
    total = statistics.public_total()
    assert sum(table_rows(page, "category").values()) == total  # one category each
    prefectures = queries.product_counts_below("220000")
    assert table_rows(page, "region")["通化"] == prefectures["220500"]


# --- Charts


def test_bar_lengths_are_proportional_and_labels_escaped():
    svg = ET.fromstring(
        charts.bar_chart([charts.Bar("<甲&>", 4), charts.Bar("乙", 2), charts.Bar("丙", 0)], "图")
    )
    widths = [float(r.get("width")) for r in svg.findall(f"{SVG}rect")]
    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert widths == [room, room / 2, 0.0]
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    assert labels == ["<甲&>", "4", "乙", "2", "丙", "0"]
    assert svg.get("aria-label") == "图" and svg.find(f"{SVG}title").text == "图"


def test_a_tiny_value_still_shows_and_an_empty_chart_is_valid():
    assert charts.bar_length(1, 10_000, 200) == 1.0
    assert ET.fromstring(charts.bar_chart([], "空")).findall(f"{SVG}rect") == []
