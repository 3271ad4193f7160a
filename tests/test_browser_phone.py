# ruff: noqa: F811  (the fixtures imported from test_browser are parameters of the tests below)
"""Phones first, in both languages: the main pages at 375×812 (the smallest phone in common use, and
WeChat's in-app browser at that width) never scroll sideways, and the language switch is remembered.

Uses the harness of tests/test_browser.py (Debian's Chromium, the sample site on a local port).
Screenshots go to ``GI_SCREENSHOT_DIR`` as ``phone375-<lang>-<page>.png``.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import GIProduct, Producer
from tests.test_browser import (  # noqa: F401  (fixtures, shared with test_browser)
    Visit,
    browser,
    live_server,
    sample,
    screenshot_dir,
)

pytestmark = pytest.mark.browser

PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    # WeChat's in-app browser on Android: Chromium-based, with its own token in the user agent.
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN"
    ),
}


class PhoneVisit(Visit):
    def __init__(self, context, base, shots):
        super().__init__(context, base, shots, "phone")
        self.width = PHONE_375["viewport"]["width"]
        self.viewport = "phone375"


def main_pages(sample) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("products", "/products"),
        ("products-filtered", f"/products?category={sample.category_code}&region=220000"),
        ("product", f"/products/{sample.product_slug}"),
        ("brands", "/brands"),
        ("brand", f"/brands/{sample.brand_slug}"),
        ("producers", "/producers"),
        ("producer", f"/producers/{sample.producer_slug}"),
        ("region", f"/regions/{sample.region_code}"),
        ("regions", "/regions"),
        ("search", "/search?q=" + quote("大米")),
        ("search-empty", "/search"),
        ("search-none", "/search?q=" + quote("无此产品xyz")),
        ("verify", "/verify"),
    ]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_main_pages_fit_a_375px_phone(browser, live_server, sample, screenshot_dir, language):
    context = browser.new_context(**PHONE_375)
    try:
        visit = PhoneVisit(context, live_server, screenshot_dir)
        if language == "en":
            visit.open("/lang/en?next=/")
        for name, path in main_pages(sample):
            visit.open(path)
            expected = "en" if language == "en" else "zh-CN"
            assert visit.page.locator("html").get_attribute("lang") == expected, path
            visit.assert_no_horizontal_overflow(path)
            visit.screenshot(f"{'en' if language == 'en' else 'zh'}-{name}")
            visit.assert_clean_console(path)
    finally:
        context.close()


def test_language_switch_is_remembered_and_returns_to_the_page(
    browser, live_server, sample, screenshot_dir
):
    context = browser.new_context(**PHONE_375)
    try:
        visit = PhoneVisit(context, live_server, screenshot_dir)
        page = visit.page
        path = f"/products/{sample.product_slug}"
        visit.open(path)
        switch = page.get_by_role("navigation", name="语言")
        with page.expect_navigation():
            switch.get_by_role("link", name="English").click()
        assert page.url == live_server + path
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("link", name="Skip to content").count() == 1
        # Remembered: another page, opened directly, is English too.
        visit.open("/products")
        assert visit.h1() == "GI products"
        switch = page.get_by_role("navigation", name="Language")
        with page.expect_navigation():
            switch.get_by_role("link", name="中文").click()
        assert urlsplit_path(page.url) == "/products"
        assert visit.h1() == "地理标志产品"
        visit.assert_clean_console("language switch")
    finally:
        context.close()


def test_keyboard_focus_is_visible(browser, live_server, screenshot_dir):
    """Tab from the top: the skip link comes first and every focused element draws an outline."""
    context = browser.new_context(**PHONE_375)
    try:
        visit = PhoneVisit(context, live_server, screenshot_dir)
        page = visit.page
        visit.open("/products")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        for _ in range(8):
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            label = page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
            assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on {label}"
            page.keyboard.press("Tab")
    finally:
        context.close()


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


# Text nodes with a Han character whose element the browser does not take for Chinese.
UNMARKED_CHINESE = """() => {
  const han = /[\\u3400-\\u9fff\\uf900-\\ufaff]/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!han.test(node.data) || element.closest('script, style, textarea')) continue;
    if (!element.matches(':lang(zh)')) found.push(element.tagName + ': ' + node.data.trim());
  }
  return found;
}"""


def english_pages(app) -> list[tuple[str, str]]:
    with app.app_context():
        named = db.session.scalars(
            select(GIProduct.slug).where(GIProduct.name_en.is_not(None)).order_by(GIProduct.slug)
        ).first()
        producer = db.session.scalars(
            select(Producer).where(Producer.sample.is_(True)).order_by(Producer.slug)
        ).first()
        code = producer.credit_code
    return [
        ("home", "/"),
        ("product", "/products/meihe-dami"),  # no English name
        ("product-named", f"/products/{named}"),
        ("regions", "/regions"),
        ("verify-answer", f"/verify?credit_code={code}"),
        ("verify-error", "/verify?credit_code=123"),
        ("event", "/events/jilin-top10-gi-2021-notice"),
        ("station", "/stations/fusong-station-sample"),
        ("ask-errors", None),
    ]


def test_english_pages_on_a_phone(browser, live_server, sample_app, screenshot_dir):
    """The English pages a visitor reaches from a pack or a link fit the phone, pass axe, and keep
    the Chinese they show marked as Chinese: Chromium's own reading of ``lang`` (``:lang(zh)``
    matches what the browser resolved), not the markup's."""
    context = browser.new_context(**PHONE_375)
    try:
        visit = PhoneVisit(context, live_server, screenshot_dir)
        visit.open("/lang/en?next=/")
        for name, path in english_pages(sample_app):
            if path is None:  # the guidance form sent empty: its field errors
                visit.open("/stations/fusong-station-sample/ask")
                visit.expected_status = 422
                visit.page.get_by_role("button", name="Send question").click()
                visit.page.wait_for_selector(".field-error")
                path = "/stations/fusong-station-sample/ask (sent empty)"
            else:
                visit.open(path)
            assert visit.page.locator("html").get_attribute("lang") == "en", path
            visit.assert_no_horizontal_overflow(path)
            visit.screenshot(f"en-{name}")
            assert visit.page.evaluate(UNMARKED_CHINESE) == [], path
            visit.assert_clean_console(path)
    finally:
        context.close()
