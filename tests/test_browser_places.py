"""The region map and the statistics page in Debian's Chromium: a click and a key press on the map
lead to the prefecture's page, and neither page scrolls sideways or logs an error at phone or desktop
width. Uses the browser fixtures of tests/test_browser.py."""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401  (fixtures)
    Visit,
    browser,
    live_server,
    screenshot_dir,
)

pytestmark = pytest.mark.browser

SIZES = {
    "375": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
    "1366": {"viewport": {"width": 1366, "height": 768}},
}
TONGHUA = 'svg a[href="/regions/220500"]'


@pytest.fixture(params=list(SIZES))
def visit(request, browser, live_server, screenshot_dir):  # noqa: F811
    context = browser.new_context(**SIZES[request.param])
    page = Visit(context, live_server, screenshot_dir, "desktop")
    page.viewport, page.width = request.param, SIZES[request.param]["viewport"]["width"]
    yield page
    context.close()


def test_a_click_on_the_map_opens_the_prefecture(visit):
    visit.open("/regions")
    assert visit.page.locator("figure.region-map svg a").count() == 9
    visit.assert_no_horizontal_overflow("/regions")
    visit.screenshot("regions-map")
    visit.assert_clean_console("/regions")
    # Click inside the outline, away from the label (labels let clicks through to the link).
    box = visit.page.locator(f"{TONGHUA} path").bounding_box()
    assert box and box["width"] > 20, box
    with visit.page.expect_navigation():
        visit.page.locator(TONGHUA).click()
    assert visit.page.url.endswith("/regions/220500") and visit.h1() == "通化市"
    visit.assert_clean_console("/regions/220500")


def test_the_map_works_from_the_keyboard(visit):
    visit.open("/regions")
    visit.page.focus(TONGHUA)
    focused = visit.page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "/regions/220500"
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
    assert visit.h1() == "通化市"


def test_the_statistics_page_fits_the_screen(visit):
    visit.open("/stats")
    assert visit.page.locator("figure.chart-figure svg").count() == 4
    assert visit.page.locator("table caption").count() == 4
    visit.assert_no_horizontal_overflow("/stats")
    visit.screenshot("stats")
    visit.assert_clean_console("/stats")
