"""The region map and the statistics page in Debian's Chromium, at 375×812 and 1366×768: a click and a
key press on the map lead to the prefecture's page; each page passes the showcase checks (no sideways
scroll, no console error, no serious or critical axe-core violation) and leaves a screenshot."""

from __future__ import annotations

import pytest

from tests.test_browser import browser, live_server, screenshot_dir  # noqa: F401  (fixtures)
from tests.test_showcase_browser import visit  # noqa: F401  (fixture: ShowcaseVisit per viewport)

pytestmark = pytest.mark.browser

TONGHUA = 'svg a[href="/regions/220500"]'


def test_a_click_on_the_map_opens_the_prefecture(visit):  # noqa: F811
    visit.open("/regions")
    assert visit.page.locator("figure.region-map svg a").count() == 9
    visit.check("regions-map")
    box = visit.page.locator(f"{TONGHUA} path").bounding_box()
    assert box and box["width"] > 20, box
    # The label sits over the outline; it lets clicks through to the link.
    with visit.page.expect_navigation():
        visit.page.locator(TONGHUA).click()
    assert visit.page.url.endswith("/regions/220500") and visit.h1() == "通化市"
    visit.check("region-tonghua")


def test_the_map_works_from_the_keyboard(visit):  # noqa: F811
    visit.open("/regions")
    visit.page.focus(TONGHUA)
    focused = visit.page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "/regions/220500"
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
    assert visit.h1() == "通化市"


def test_the_statistics_page_fits_the_screen(visit):  # noqa: F811
    visit.open("/stats")
    assert visit.page.locator("figure.chart-figure svg").count() == 4
    assert visit.page.locator("table caption").count() == 4
    visit.check("stats")
