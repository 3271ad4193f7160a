"""Languages: the switch, <html lang>, English strings and names, and the catalogue itself."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from gi_registry.i18n import TRANSLATIONS_DIR
from gi_registry.i18n.content import romanised_region
from gi_registry.i18n.views import local_path

REPO = Path(__file__).resolve().parent.parent
PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
ENGLISH = {"lang": "en"}


def text(response) -> str:
    return response.get_data(as_text=True)


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', text(response))
    assert match, "no <html lang>"
    return match[1]


def english(client):
    client.set_cookie("lang", "en")
    return client


# --- The switch


def test_switch_sets_a_long_lived_cookie_and_returns_to_the_page(client):
    response = client.get("/lang/en?next=/products%3Fcategory%3Dgrain")
    assert response.status_code == 303
    assert response.headers["Location"] == "/products?category=grain"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;")
    assert "Max-Age=31536000" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "no-store" in response.headers["Cache-Control"]
    assert html_lang(client.get("/products")) == "en"  # remembered
    client.get("/lang/zh_CN?next=/")
    assert html_lang(client.get("/products")) == "zh-CN"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/products\r\nSet-Cookie: x=1",
        "products",
        "",
    ],
)
def test_switch_redirects_only_to_local_paths(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_local_path_keeps_a_query_and_a_fragment():
    assert (
        local_path("/search?q=%E5%A4%A7%E7%B1%B3&page=2#hits")
        == "/search?q=%E5%A4%A7%E7%B1%B3&page=2#hits"
    )
    assert local_path(None) == "/"


def test_switch_to_an_unknown_language_is_not_found(client):
    response = client.get("/lang/fr?next=/")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_switch_links_point_back_to_the_same_page(client):
    page = text(client.get("/products?category=grain"))
    assert 'href="/lang/en?next=/products?category%3Dgrain"' in page
    assert 'lang="en" hreflang="en" rel="nofollow">English</a>' in page
    english_page = text(english(client).get("/products"))
    assert 'href="/lang/zh_CN?next=/products"' in english_page
    assert ">中文</a>" in english_page


# --- Which language a page is in


def test_html_lang_follows_the_cookie(client):
    assert html_lang(client.get("/")) == "zh-CN"
    assert html_lang(english(client).get("/")) == "en"
    client.set_cookie("lang", "de")  # not offered: Chinese
    assert html_lang(client.get("/")) == "zh-CN"


def test_accept_language_alone_does_not_change_the_page(client):
    """Decision (docs/i18n.md): without a chosen language every visitor and cache gets Chinese."""
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(response) == "zh-CN"
    assert "Cookie" in response.headers["Vary"]
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_the_api_answers_in_chinese_whatever_the_cookie(client):
    paths = ("/api/v1/products?category=nope", "/api/v1/nothing-here", "/api/v1/products/nothing")
    chinese = [client.get(path).get_json() for path in paths]
    english(client)
    assert [client.get(path).get_json() for path in paths] == chinese
    assert "未知的产品类别" in chinese[0]["error"]["message"]


def test_english_pages_show_english_strings(client):
    english(client)
    home = text(client.get("/"))
    assert "Jilin’s geographical indications and regional brands" in home
    assert "Skip to content" in home and ">GI products</a>" in home
    assert "吉林地理标志产品与区域品牌" not in home
    assert "Grain <span" in home  # categories by their English names
    products = text(client.get("/products"))
    assert "All categories" in products and "GI-protected product" in products  # vocab labels
    one = text(client.get("/products?category=beans"))  # the sample has one bean GI
    assert re.search(r"\b1 product\b(?!s)", one) and "2 products" not in one
    stats = text(client.get("/stats"))
    assert "By category" in stats and ">Grain</a>" in stats and "Tonghua" in stats
    not_found = client.get("/products/no-such-product")
    assert not_found.status_code == 404
    assert "The page you asked for cannot be found." in text(not_found)


def test_english_names_where_they_exist_and_chinese_otherwise(client):
    english(client)
    page = text(client.get("/products/jilin-changbaishan-renshen"))
    assert "<h1>Jilinchangbaishan ginseng</h1>" in page
    assert '<span lang="zh-CN">吉林长白山人参</span>' in page  # the Chinese name is kept beside it
    assert "<title>Jilinchangbaishan ginseng · GI products · Jilin GI</title>" in page
    page = text(client.get("/products/meihe-dami"))
    assert '<h1><span lang="zh-CN">梅河大米</span></h1>' in page  # no English name: Chinese, marked
    assert "Meihekou City, Tonghua City, Jilin Province" in page  # the protected area
    assert "Last updated: " in page and re.search(
        r"Last updated: [A-Z][a-z]{2} \d{1,2}, \d{4}", page
    )
    chinese = text(client.get("/lang/zh_CN?next=/", follow_redirects=True))
    assert "吉林地理标志产品与区域品牌" in chinese


def test_verification_answers_in_english(client):
    page = text(english(client).get("/verify?credit_code=93220422MA0000170K"))  # a sample producer
    assert "<h1>Check the GI special mark</h1>" in page
    verdict = page[page.index('<section class="verdict') : page.index("</section>")]
    assert "GI special mark" in verdict and "东辽县林源黑猪养殖专业合作社" in verdict
    assert "授权" not in verdict.replace("示例", "")  # no Chinese sentence left, only the name


def test_search_facets_in_english(client):
    page = text(english(client).get("/search?q=%E5%A4%A7%E7%B1%B3"))
    assert '<span class="facet-label">Grain</span>' in page
    assert '<span class="facet-label">Jilin Province</span>' in page
    assert '<span class="facet-label">GI-protected product</span>' in page


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("吉林省", "Jilin Province"),
        ("吉林市", "Jilin City"),
        ("梅河口市", "Meihekou City"),
        ("延边朝鲜族自治州", "Yanbian Korean Autonomous Prefecture"),
        ("长白朝鲜族自治县", "Changbai Korean Autonomous County"),
        ("前郭尔罗斯蒙古族自治县", "Qian Gorlos Mongol Autonomous County"),
        ("珲春市", "Hunchun City"),
        ("集安市", "Ji'an City"),
        ("农安县", "Nong'an County"),
        ("绿园区", "Lüyuan District"),
        ("长春高新技术产业开发区", None),  # a description, not a place name: stays Chinese
        ("市辖区", None),
    ],
)
def test_romanised_region_names(chinese, english):
    assert romanised_region(chinese) == english


# --- The catalogue


def translated(message) -> bool:
    """A message has English: its msgstr, or every plural form of it."""
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def entries(catalog) -> dict:
    """id → translation; a plural entry's ids and forms as tuples."""

    def frozen(value):
        return tuple(value) if isinstance(value, tuple | list) else value

    return {(m.context, frozen(m.id)): frozen(m.string) for m in catalog if m.id}


def compiled(catalog) -> dict:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return entries(read_mo(buffer))


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (docs/i18n.md): after editing the .po, run `tools/translations compile`."""
    with PO.open("rb") as po, MO.open("rb") as mo:
        assert compiled(read_po(po)) == entries(read_mo(mo)), (
            "messages.mo is out of date: run tools/translations compile"
        )


def test_every_message_is_translated_with_its_placeholders():
    with PO.open("rb") as po:
        catalog = read_po(po)
    untranslated = [m.id for m in catalog if m.id and (not translated(m) or m.fuzzy)]
    assert not untranslated, f"untranslated or fuzzy in {PO.name}: {untranslated}"
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert not problems, problems


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch):
    """A new _() string without an English entry fails here: run `tools/translations update`,
    translate the new entries, then `tools/translations compile`."""
    monkeypatch.chdir(REPO)
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l",
         "--ignore-dirs", ".* __pycache__", "-o", str(pot), "."]
    )  # fmt: skip
    with pot.open("rb") as source, PO.open("rb") as po:
        wanted = {(m.context, m.id) for m in read_po(source) if m.id}
        have = {(m.context, m.id) for m in read_po(po) if m.id and translated(m)}
    assert len(wanted) > 150  # the extraction really ran (templates, Python and vocab.py)
    missing = sorted(wanted - have, key=str)
    assert not missing, f"strings without English: {missing}"
