"""The English showcase speaks English: every piece of Chinese left on an English page is marked as
Chinese (``lang="zh-CN"``), and English record text on a Chinese page is marked as English.

Pages are parsed (tests/langmarks.py), not searched with patterns: what counts is the nearest
``lang`` of the element around each text and each attribute a person reads.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import GIProduct
from gi_registry.search import SearchUnavailable
from tests.langmarks import text_langs, unmarked_chinese
from tests.test_reachability import REQUIRED, crawl
from tests.test_stations import ASK, GOOD, csrf_token

# Pages that no link reaches from the home page: a form with a field error, the states a visitor can
# only type or be sent to, and what an empty search or filter shows.
TYPED_PAGES = [
    "/verify?credit_code=123",  # too short
    "/verify?credit_code=91220000MA00000IOZ",  # characters a code never holds
    "/verify?credit_code=91220000MA0000010A",  # wrong check character
    "/verify?credit_code=9122ABCDMA0000010X",  # no division code
    "/verify?code=",  # nothing typed
    "/verify?code=" + "9" * 70,  # longer than any number
    "/verify?number=%01",  # a control character
    "/verify?code=NO-SUCH-NUMBER",  # unknown
    "/verify/no-such-token",  # a QR token the register does not hold
    "/verify/" + "x" * 40,
    "/search",
    "/search?q=%E5%A4%A7%E7%B1%B3",  # 大米
    "/search?q=rice",
    "/search?q=meihe",
    "/search?q=zzqqxxjj",  # nothing found
    "/search?q=%E5%A4%A7%E7%B1%B3+zzqqxxjj",  # one word found, one not
    "/products?q=zzqqxxjj",
    "/producers?kind=cooperative&region=220100",
    "/regions/220171",  # a development zone: no English name of its own
    "/regions/220000",
    "/guidance",
    "/guidance?code=NOPE",
    "/guidance/ABCD-EFGH-JKMN",
    "/no-such-page",
    "/products/no-such-product",
]
# Lists and pages as an empty register shows them.
EMPTY_PAGES = [
    "/",
    "/products",
    "/brands",
    "/producers",
    "/regions",
    "/stats",
    "/stories",
    "/events",
    "/stations",
    "/data/",
    "/search?q=rice",
]


def english(client):
    client.set_cookie("lang", "en")
    return client


def findings(client, path: str, response=None) -> list[str]:
    response = response if response is not None else client.get(path)
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    response.close()
    return [f"{path} [{response.status_code}]: {finding}" for finding in unmarked_chinese(html)]


def report(problems: list[str], limit: int = 60) -> str:
    shown = "\n".join(problems[:limit])
    more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
    return f'{len(problems)} runs of Chinese not marked lang="zh…" on English pages:\n{shown}{more}'


def test_every_page_reached_from_home_marks_its_chinese(client):
    english(client)
    reached = crawl(client, depth=3)
    # The crawl must still cover every kind of page test_reachability names.
    for name, pattern in REQUIRED.items():
        assert any(re.match(pattern, path) for path in reached), name
    problems = [p for path in sorted(reached) for p in findings(client, path)]
    assert not problems, report(problems)


def test_typed_and_error_states_mark_their_chinese(client, monkeypatch):
    english(client)
    problems = [p for path in TYPED_PAGES for p in findings(client, path)]

    def lost_index(*args, **kwargs):
        raise SearchUnavailable("index missing")

    with monkeypatch.context() as patch:
        patch.setattr("gi_registry.search_pages.views.search", lost_index)
        problems += findings(client, "/search?q=rice")
    assert not problems, report(problems)


def ask_in_english(client, data: dict, status: int) -> str:
    """Post the guidance form on an English page; the answer's HTML, checked for unmarked Chinese."""
    english(client)
    response = client.post(ASK, data={"csrf_token": csrf_token(client), **data})
    assert response.status_code == status
    html = response.get_data(as_text=True)
    problems = findings(client, ASK, response)
    assert not problems, report(problems)
    return html


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({}, ["Name: cannot be empty", "Contact: cannot be empty"]),
        (
            {**GOOD, "question": "太短", "contact": "not a phone"},
            ["write at least 10 characters", "enter a mobile number"],
        ),
        (
            {**GOOD, "contact": "a@b", "topic": "no-such-topic"},
            ["this e-mail address is not valid", "is not a valid choice"],
        ),
    ],
    ids=["empty", "short-and-bad-contact", "bad-email-and-topic"],
)
def test_the_guidance_form_errors_are_english(client, data, said):
    html = ask_in_english(client, data, 422)
    errors = " ".join(re.findall(r'<p class="field-error"[^>]*>([^<]+)</p>', html))
    for words in said:
        assert words in errors, errors


def test_a_submitted_request_and_its_status_page(client):
    english(client)
    response = client.post(ASK, data={"csrf_token": csrf_token(client), **GOOD})
    assert response.status_code == 303
    status_page = response.headers["Location"]
    problems = findings(client, status_page) + findings(client, status_page.split("?")[0])
    assert not problems, report(problems)


def test_the_rate_limit_message_is_english(client, sample_app):
    sample_app.config["GUIDANCE_RATE_LIMIT"] = 0
    html = ask_in_english(client, GOOD, 429)
    assert "Please try again later" in html


def test_an_empty_register_in_english(app):
    client = english(app.test_client())
    problems = [p for path in EMPTY_PAGES for p in findings(client, path)]
    assert not problems, report(problems)


# --- What the marks stand for


def english_named_product() -> GIProduct:
    product = db.session.scalars(
        select(GIProduct).where(GIProduct.name_en.is_not(None)).order_by(GIProduct.slug)
    ).first()
    assert product is not None, "the sample has no product with an English name"
    return product


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("credit_code=123", "has 18 characters; this one has 3"),
        ("credit_code=91220000MA00000IOZ", "never uses: I, O, Z"),
        ("credit_code=91220000MA0000010A", "check character"),
        ("credit_code=9122ABCDMA0000010X", "division code"),
        ("code=", "Please fill in: Unified social credit code or authorisation number"),
        ("code=" + "9" * 70, "at most 64 characters"),
        ("number=%01", "invisible control characters"),
    ],
)
def test_verify_field_errors_are_english(client, query, said):
    english(client)
    page = client.get(f"/verify?{query}").get_data(as_text=True)
    error = re.search(r'<p class="field-error"[^>]*>([^<]+)</p>', page)
    assert error, "no field error shown"
    assert said in error[1] and not re.search(r"[\u4e00-\u9fff]", error[1]), error[1]


def test_event_dates_are_written_the_english_way(client):
    english(client)
    page = client.get("/events/jilin-top10-gi-2021-notice").get_data(as_text=True)
    assert "Nov 22, 2021" in page and "Nov 26, 2021" in page
    english_texts = [text for text, lang in text_langs(page) if not lang.startswith("zh")]
    assert not [t for t in english_texts if re.search(r"\d年|\d月|\d日|\d{4}-\d\d-\d\d", t)]
    client.set_cookie("lang", "zh_CN")
    chinese = client.get("/events/jilin-top10-gi-2021-notice")
    assert '<time datetime="2021-11-22">2021-11-22</time>' in chinese.get_data(as_text=True)


def test_the_region_map_is_labelled_in_english(client):
    english(client)
    page = client.get("/regions").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert ">Tonghua<" in svg and "Tonghua City" in svg
    assert not re.search(r"[\u4e00-\u9fff]", svg)


def test_search_hits_use_the_english_name_where_a_record_has_one(client, sample_ctx):
    english(client)
    product = english_named_product()
    page = client.get("/search", query_string={"q": product.name_zh}).get_data(as_text=True)
    hit = re.search(
        rf'<h3 class="hit-title"><a href="/products/{product.slug}">(.*?)</a>(.*?)</h3>\s*'
        r'<p class="hit-sub">(.*?)</p>',
        page,
        re.DOTALL,
    )
    assert hit, f"{product.slug} is not a hit for {product.name_zh}"
    title, original, subtitle = hit.groups()
    assert title == product.name_en
    assert 'lang="zh-CN">' in original  # the Chinese name follows, with the matches marked
    # The line under it is made again in English: the category's English name, the place romanised.
    assert product.category.name_en in subtitle and not re.search(r"[\u4e00-\u9fff]", subtitle)


def test_english_record_text_on_a_chinese_page_is_marked_english(client, sample_ctx):
    product = english_named_product()
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    # The name itself (a Chinese sentence that quotes it is Chinese).
    langs = {lang for text, lang in text_langs(page) if text == product.name_en}
    assert langs and all(lang.startswith("en") for lang in langs), langs
