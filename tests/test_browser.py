"""The public pages in a real browser: Debian's Chromium driven by Playwright.

What a test client cannot see: the layout on a phone (no sideways scrolling), the Content-Security-Policy
as the browser enforces it (a refused inline style or script is a console error), images that really
decode, and the forms as a visitor submits them.

Without /usr/bin/chromium (or the playwright package) these tests skip, except under ``CI=true`` where
they fail. Screenshots go to ``GI_SCREENSHOT_DIR`` when it is set, otherwise to the test's tmp_path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from gi_registry.catalog import queries
from gi_registry.errors import MESSAGES
from gi_registry.extensions import db
from gi_registry.models import Brand, GIProduct, Producer
from tests.axe import assert_accessible
from tests.live_server import make_live_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
TIMEOUT_MS = 10_000
HEADER_SEARCH_LABEL = "搜索产品、品牌和经营主体"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; the browser tests are required under CI=true")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(sample_app) -> Iterator[str]:
    """The sample site on a free local port, served from a background thread."""
    server = make_live_server(sample_app)
    thread = threading.Thread(target=server.serve_forever, name="gi-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    path = Path(os.environ.get("GI_SCREENSHOT_DIR") or tmp_path / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Sample:
    """Records of the sample data the pages are checked against, read from the database."""

    product_slug: str
    product_name: str
    product_has_image: bool
    region_code: str
    region_name: str
    brand_slug: str
    brand_name: str
    producer_slug: str
    producer_name: str
    category_code: str
    category_count: int
    total_products: int
    per_page: int


@pytest.fixture
def sample(sample_app) -> Sample:
    with sample_app.app_context():
        products = db.session.scalars(
            queries.public_products().where(GIProduct.protections.any()).order_by(GIProduct.slug)
        ).all()
        assert products, "the sample has no public product with a protection record"
        # Prefer a product with a picture and a county-level protected area: the richest page.
        product = next((p for p in products if p.images and p.regions), products[0])
        region = product.regions[-1]
        brand = db.session.scalars(
            queries.public_brands().order_by(Brand.parent_id.is_(None).desc(), Brand.slug)
        ).first()
        producer = db.session.scalars(
            queries.public_producers().where(Producer.sample.is_(True)).order_by(Producer.slug)
        ).first()
        total = db.session.scalar(
            select(func.count()).select_from(queries.public_products().subquery())
        )
        # A category that narrows the list without emptying it.
        category, count = next((c, n) for c, n in queries.category_counts() if 0 < n < total)
        assert brand is not None and producer is not None
        return Sample(
            product.slug,
            product.name_zh,
            bool(product.images),
            region.code,
            region.name,
            brand.slug,
            brand.name_zh,
            producer.slug,
            producer.name_zh,
            category.code,
            count,
            total,
            sample_app.config["PER_PAGE"],
        )


class Visit:
    """One browser page that remembers console errors and uncaught exceptions."""

    def __init__(self, context, base: str, shots: Path, viewport: str):
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.base, self.shots, self.viewport = base, shots, viewport
        self.width = VIEWPORTS[viewport]["viewport"]["width"]
        self.errors: list[str] = []
        self.expected_status = 200
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # A 404 page reports its own status as a failed resource: that is the point, not a fault.
        if (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") == self.page.url
            and self.expected_status >= 400
        ):
            return
        self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def open(self, path: str, *, status: int = 200):
        self.expected_status = status
        self.errors.clear()
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None, path
        assert response.status == status, f"{path}: HTTP {response.status}"
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, f"{path}: CSP missing"
        return response

    def h1(self) -> str:
        return " ".join(self.page.locator("h1").inner_text().split())

    def assert_no_horizontal_overflow(self, path: str) -> None:
        widths = self.page.evaluate(
            "() => ({scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),"
            " inner: window.innerWidth, client: document.documentElement.clientWidth})"
        )
        assert widths["scroll"] <= widths["inner"], f"{path}: page scrolls sideways {widths}"
        # A mobile browser zooms out to fit content that is too wide, which widens innerWidth too:
        # the layout viewport (clientWidth) is what must still match the screen.
        assert widths["inner"] == widths["client"] == self.width, (
            f"{path}: content wider than the screen {widths}"
        )

    def load_all_images(self) -> None:
        """Lazy images below the fold: load them, so that full-page screenshots show them."""
        self.page.evaluate(
            """() => Promise.all([...document.images].map(img => {
                 img.loading = 'eager';
                 return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
               }))"""
        )

    def screenshot(self, name: str) -> None:
        """Keep a full-page picture to look at, and check the page with axe-core as it stands."""
        self.load_all_images()
        self.page.screenshot(path=str(self.shots / f"{self.viewport}-{name}.png"), full_page=True)
        assert_accessible(self.page, f"{self.viewport} {name} ({self.page.url})")

    def assert_clean_console(self, path: str) -> None:
        assert not self.errors, f"{path}: " + "\n".join(self.errors)


def first_card_images_loaded(page) -> list[int]:
    # The first card with a picture: the home page's featured stories and events have none.
    card = page.locator(".card:has(img)").first
    card.scroll_into_view_if_needed()
    images = card.locator("img")
    images.first.wait_for(state="attached")
    page.wait_for_function(
        "() => [...document.querySelector('.card:has(img)').querySelectorAll('img')]"
        ".every(i => i.complete)",
        timeout=TIMEOUT_MS,
    )
    return images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_pages_render_without_errors_or_overflow(
    browser, live_server, sample, screenshot_dir, viewport
):
    pages = [
        ("home", "/", 200, "吉林地理标志产品与区域品牌"),
        ("products", "/products", 200, "地理标志产品"),
        ("product", f"/products/{sample.product_slug}", 200, sample.product_name),
        ("brand", f"/brands/{sample.brand_slug}", 200, sample.brand_name),
        ("producer", f"/producers/{sample.producer_slug}", 200, sample.producer_name),
        ("region", f"/regions/{sample.region_code}", 200, sample.region_name),
        ("stories", "/stories", 200, "地理标志故事"),
        ("story", "/stories/gi-showcase-centre-plan", 200, "讲好地理标志故事"),
        ("events", "/events", 200, "活动"),
        ("event", "/events/jilin-top10-gi-2021-notice", 200, "2021年“吉林十大地理标志”"),
        ("not-found", "/products/no-such-product", 404, str(MESSAGES[404])),
    ]
    context = browser.new_context(**VIEWPORTS[viewport])
    try:
        visit = Visit(context, live_server, screenshot_dir, viewport)
        for name, path, status, heading in pages:
            visit.open(path, status=status)
            assert visit.h1().startswith(heading), f"{path}: h1 is {visit.h1()!r}"
            assert visit.page.locator("h1").count() == 1, f"{path}: more than one h1"
            visit.assert_no_horizontal_overflow(path)
            visit.screenshot(name)
            visit.assert_clean_console(path)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_card_and_hero_images_really_load(browser, live_server, sample, screenshot_dir, viewport):
    if not sample.product_has_image:
        unavailable("the sample products have no images (gi_registry/sample/images is incomplete)")
    context = browser.new_context(**VIEWPORTS[viewport])
    try:
        visit = Visit(context, live_server, screenshot_dir, viewport)
        for path in ("/", "/products"):
            visit.open(path)
            widths = first_card_images_loaded(visit.page)
            assert widths and all(w > 0 for w in widths), (
                f"{path}: first card image did not load {widths}"
            )
        visit.open(f"/products/{sample.product_slug}")
        hero = visit.page.locator(".detail-media img")
        hero.wait_for()
        visit.page.wait_for_function("() => document.querySelector('.detail-media img').complete")
        assert hero.evaluate("img => img.naturalWidth") > 0
        assert hero.get_attribute("alt"), "the product picture has no alt text"
        visit.assert_clean_console("images")
    finally:
        context.close()


def test_filter_form_narrows_the_product_list(browser, live_server, sample, screenshot_dir):
    context = browser.new_context(**VIEWPORTS["phone"])
    try:
        visit = Visit(context, live_server, screenshot_dir, "phone")
        page = visit.page
        visit.open("/products")
        count = page.locator(".result-count")
        before = " ".join(count.inner_text().split())
        assert str(sample.total_products) in before

        page.get_by_label("类别", exact=True).select_option(sample.category_code)
        with page.expect_navigation():
            page.get_by_role("button", name="筛选").click()

        query = parse_qs(urlsplit(page.url).query)
        assert urlsplit(page.url).path == "/products"
        assert "category=" in page.url and query["category"] == [sample.category_code]
        after = " ".join(count.inner_text().split())
        assert after != before
        assert f"共 {sample.category_count} 个产品" in after
        assert page.locator(".grid .card").count() == min(sample.category_count, sample.per_page)
        assert (
            page.get_by_label("类别", exact=True).input_value() == sample.category_code
        )  # the choice is kept
        assert page.get_by_role("link", name="清除条件").is_visible()
        visit.assert_no_horizontal_overflow(page.url)
        visit.screenshot("products-filtered")
        visit.assert_clean_console("filter form")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_header_search_submits_to_the_search_page(
    browser, live_server, sample, screenshot_dir, viewport
):
    context = browser.new_context(**VIEWPORTS[viewport])
    try:
        visit = Visit(context, live_server, screenshot_dir, viewport)
        page = visit.page
        visit.open(f"/brands/{sample.brand_slug}")
        box = page.get_by_role("search").get_by_label(HEADER_SEARCH_LABEL)
        assert box.is_visible()
        box.fill(sample.product_name)
        with page.expect_navigation():
            page.get_by_role("search").get_by_role("button", name="搜索").click()

        url = urlsplit(page.url)
        assert url.path == "/search"
        assert parse_qs(url.query) == {"q": [sample.product_name]}
        assert visit.h1() == f"搜索：“{sample.product_name}”"
        assert page.locator(".hit-title", has_text=sample.product_name).count() >= 1
        assert page.locator("#site-q").input_value() == sample.product_name
        visit.assert_clean_console("header search")
    finally:
        context.close()


def test_sample_producer_is_labelled_as_sample_data(browser, live_server, sample, screenshot_dir):
    context = browser.new_context(**VIEWPORTS["phone"])
    try:
        visit = Visit(context, live_server, screenshot_dir, "phone")
        page = visit.page
        visit.open(f"/producers/{sample.producer_slug}")
        badge = page.locator("h1 .badge-sample")
        assert badge.is_visible()
        assert badge.inner_text().strip() == "示例数据"
        assert page.locator(".notice").is_visible()
        # The list of producers labels it too.
        visit.open("/producers")
        item = page.locator(".list li", has_text=sample.producer_name)
        assert item.locator(".badge-sample").inner_text().strip() == "示例数据"
        visit.assert_clean_console("sample producer")
    finally:
        context.close()


# --- Search: the results page and the suggestions under the header box


def open_suggestions(page, text: str):
    """Type into the header box as a person does and wait for the list; returns the listbox."""
    box = page.locator("#site-q")
    box.click()
    box.press_sequentially(text, delay=30)
    listbox = page.get_by_role("listbox", name="搜索建议")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    return box, listbox


def test_suggestions_from_the_keyboard(browser, live_server, sample, screenshot_dir):
    context = browser.new_context(**VIEWPORTS["desktop"])
    try:
        visit = Visit(context, live_server, screenshot_dir, "desktop")
        page = visit.page
        visit.open(f"/brands/{sample.brand_slug}")
        box = page.get_by_role("combobox", name=HEADER_SEARCH_LABEL)
        assert box.get_attribute("aria-expanded") == "false"
        asked: list[str] = []
        page.on("request", lambda r: "/api/v1/suggest" in r.url and asked.append(r.url))
        box, listbox = open_suggestions(page, "梅河")
        options = listbox.get_by_role("option")
        assert 1 <= options.count() <= 10
        first = options.first
        assert "梅河大米" in first.inner_text() and "地理标志产品" in first.inner_text()
        assert len(asked) <= 2, asked  # debounced: not one request per character
        visit.screenshot("suggestions")

        box.press("ArrowDown")
        assert first.get_attribute("aria-selected") == "true"
        assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
        box.press("ArrowUp")  # wraps to the last one
        assert options.last.get_attribute("aria-selected") == "true"
        box.press("Escape")
        assert box.get_attribute("aria-expanded") == "false" and listbox.is_hidden()
        assert box.get_attribute("aria-activedescendant") is None

        box.press("ArrowDown")  # opens the list again, then picks the first suggestion
        listbox.wait_for(state="visible")
        box.press("ArrowDown")
        assert first.get_attribute("aria-selected") == "true"
        with page.expect_navigation():
            box.press("Enter")
        assert urlsplit(page.url).path == "/products/meihe-dami"
        assert visit.h1().startswith("梅河大米")
        visit.assert_clean_console("suggestions")
    finally:
        context.close()


def test_enter_without_a_highlighted_suggestion_submits_the_form(browser, live_server):
    context = browser.new_context(**VIEWPORTS["desktop"])
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server + "/")
        box, _ = open_suggestions(page, "mhdm")
        with page.expect_navigation():
            box.press("Enter")
        url = urlsplit(page.url)
        assert url.path == "/search" and parse_qs(url.query) == {"q": ["mhdm"]}
    finally:
        context.close()


def test_a_tap_opens_a_suggestion_on_a_phone(browser, live_server, screenshot_dir):
    context = browser.new_context(**VIEWPORTS["phone"])
    try:
        visit = Visit(context, live_server, screenshot_dir, "phone")
        page = visit.page
        visit.open("/")
        _, listbox = open_suggestions(page, "meihe")
        visit.assert_no_horizontal_overflow("/ with suggestions")
        visit.screenshot("suggestions")
        with page.expect_navigation():
            listbox.get_by_role("option", name="梅河大米").tap()
        assert urlsplit(page.url).path == "/products/meihe-dami"
        visit.assert_clean_console("suggestion tap")
    finally:
        context.close()


def test_suggestions_wait_for_the_input_method(browser, live_server):
    """Pinyin being composed is not the text yet: ask only once the composition ends."""
    context = browser.new_context(**VIEWPORTS["desktop"])
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server + "/")
        asked: list[str] = []
        page.on("request", lambda r: "/api/v1/suggest" in r.url and asked.append(r.url))
        page.locator("#site-q").focus()
        cdp = context.new_cdp_session(page)
        for typed in ("m", "me", "mei", "meih", "meihe"):
            cdp.send(
                "Input.imeSetComposition",
                {"text": typed, "selectionStart": len(typed), "selectionEnd": len(typed)},
            )
        page.wait_for_timeout(400)  # well past the debounce
        assert asked == [], "a request was sent while composing"
        assert page.locator("#site-q").input_value() == "meihe"
        cdp.send("Input.insertText", {"text": "梅河"})  # the candidate is chosen
        listbox = page.get_by_role("listbox", name="搜索建议")
        listbox.wait_for(state="visible")
        assert len(asked) == 1 and "q=%E6%A2%85%E6%B2%B3" in asked[0], asked
        assert "梅河大米" in listbox.get_by_role("option").first.inner_text()
    finally:
        context.close()


def test_search_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, **VIEWPORTS["phone"])
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server + "/")
        page.get_by_role("search").get_by_label(HEADER_SEARCH_LABEL).fill("梅河")
        with page.expect_navigation():
            page.get_by_role("search").get_by_role("button", name="搜索").click()
        assert urlsplit(page.url).path == "/search"
        assert page.locator(".hit-title a").first.get_attribute("href") == "/products/meihe-dami"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_search_pages_render_without_errors_or_overflow(
    browser, live_server, screenshot_dir, viewport
):
    pages = [
        ("search-results", "/search?q=梅河", "搜索：“梅河”"),
        ("search-filtered", "/search?q=大米&region=220500&category=grain", "搜索：“大米”"),
        ("search-page-2", "/search?q=人参&page=2", "搜索：“人参”"),
        ("search-correction", "/search?q=长白山人生", "搜索：“长白山人生”"),
        ("search-nothing", "/search?q=xyzzyq", "搜索：“xyzzyq”"),
        ("search-empty", "/search", "搜索"),
    ]
    context = browser.new_context(**VIEWPORTS[viewport])
    try:
        visit = Visit(context, live_server, screenshot_dir, viewport)
        page = visit.page
        for name, path, heading in pages:
            visit.open(path)
            assert visit.h1() == heading, f"{path}: h1 is {visit.h1()!r}"
            assert page.locator("h1").count() == 1
            visit.assert_no_horizontal_overflow(path)
            visit.screenshot(name)
            visit.assert_clean_console(path)
        # The tabs fit a phone's width: the last one is not cut off.
        visit.open("/search?q=梅河")
        tabs = page.locator(".search-tabs")
        last = tabs.locator("a").last.bounding_box()
        box = tabs.bounding_box()
        assert last and box and last["x"] + last["width"] <= box["x"] + box["width"] + 1
    finally:
        context.close()
