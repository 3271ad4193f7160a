"""The product, brand and producer pages in Chromium: picture slots measured against their ``sizes``,
the file a phone really fetches, the JSON-LD under the CSP, and no sideways scrolling.

Uses the fixtures of tests/test_browser.py (Debian's Chromium; skips without it outside CI).
"""

from __future__ import annotations

import pytest

from gi_registry.web import IMAGE_SIZES
from tests import test_browser
from tests.test_browser import Visit

# The browser, the live sample site and the screenshot folder of the main browser tests.
browser = test_browser.browser
live_server = test_browser.live_server
screenshot_dir = test_browser.screenshot_dir

pytestmark = pytest.mark.browser

# A phone at 375 px with three device pixels per CSS pixel (many Android phones, recent iPhones).
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP_1366 = {"viewport": {"width": 1366, "height": 768}}

# The width a ``sizes`` list gives at the current viewport, resolved by the browser's own media
# queries and calc(); set through the CSSOM, which the CSP (no inline style attributes) allows.
SLOT_WIDTH = """sizes => {
  for (const part of sizes.split(/,(?![^(]*\\))/)) {
    const text = part.trim();
    const cut = text.startsWith('(') ? text.indexOf(')') + 1 : 0;
    const media = text.slice(0, cut).trim();
    if (media && !matchMedia(media).matches) continue;
    const probe = document.createElement('div');
    probe.style.width = text.slice(cut).trim();
    probe.style.position = 'absolute';
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  }
}"""

MEASURE = """(selector) => [...document.querySelectorAll(selector)].map(img => ({
  rendered: img.getBoundingClientRect().width, sizes: img.sizes, src: img.currentSrc }))"""


def measured(visit: Visit, selector: str) -> list[dict]:
    visit.load_all_images()
    rows = visit.page.evaluate(MEASURE, selector)
    for row in rows:
        row["slot"] = visit.page.evaluate(SLOT_WIDTH, row["sizes"])
    return rows


def open_visit(browser, live_server, shots, name: str, options: dict) -> Visit:
    context = browser.new_context(**options)
    visit = Visit(context, live_server, shots, "phone" if options.get("is_mobile") else "desktop")
    visit.width = options["viewport"]["width"]
    return visit


@pytest.mark.parametrize(("name", "options"), [("375", PHONE_375), ("1366", DESKTOP_1366)])
def test_picture_slots_match_their_sizes_and_a_phone_grid_skips_the_big_file(
    browser, live_server, screenshot_dir, name, options
):
    visit = open_visit(browser, live_server, screenshot_dir, name, options)
    path = "/products/meihe-dami"
    visit.open(path)
    hero = measured(visit, ".detail-media img")
    cards = measured(visit, ".grid .card img")
    assert len(hero) == 1 and cards
    assert hero[0]["sizes"] == IMAGE_SIZES["hero"]
    for row in hero + cards:
        # The slot the browser chose a file for is the width it shows, to the pixel.
        assert abs(row["rendered"] - row["slot"]) <= 1.5, (name, row)
    if name == "375":
        for card in cards:
            assert card["sizes"] == IMAGE_SIZES["card"]
            assert card["src"].endswith("-card.jpg"), card  # 640 px, not the 1280 px hero file
    visit.assert_no_horizontal_overflow(path)
    visit.screenshot(f"product-{name}")
    visit.assert_clean_console(path)
    print(
        f"\n{name} px: hero {hero[0]['rendered']:.1f} px; card {cards[0]['rendered']:.1f} px "
        f"-> {cards[0]['src'].rsplit('-', 1)[-1]}"
    )


def test_json_ld_raises_no_csp_violation(browser, live_server, screenshot_dir):
    visit = open_visit(browser, live_server, screenshot_dir, "1366", DESKTOP_1366)
    violations: list[str] = []
    visit.page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    visit.open("/products/jilin-changbaishan-renshen")
    data = visit.page.evaluate(
        "() => JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["name"] == "吉林长白山人参"
    assert visit.page.locator("svg.qr-code").count() == 1
    visit.page.wait_for_timeout(200)
    assert not violations
    visit.assert_clean_console("json-ld")


@pytest.mark.parametrize(("name", "options"), [("375", PHONE_375), ("1366", DESKTOP_1366)])
def test_brand_and_producer_pages_fit_the_screen(
    browser, live_server, screenshot_dir, name, options
):
    visit = open_visit(browser, live_server, screenshot_dir, name, options)
    for shot, path in [
        ("brands", "/brands"),
        ("umbrella", "/brands/jizhi-jipin"),
        ("producers", "/producers?region=220500"),
        ("producer", "/producers/meihekou-hefengyuan-coop"),
    ]:
        visit.open(path)
        visit.assert_no_horizontal_overflow(path)
        for row in measured(visit, "main img[sizes]"):
            assert abs(row["rendered"] - row["slot"]) <= 1.5, (path, row)
        visit.screenshot(f"{shot}-{name}")
        visit.assert_clean_console(path)
