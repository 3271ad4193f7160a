"""The producer portal's whole flow, in Debian's Chromium, as two new users meet it.

A seller registers, creates an organisation with its business licence, staff verify it (on the
command line until the staff console exists) and grant it the GI mark for 梅河大米; the seller posts a
supply listing with a photo. A buyer registers, creates an organisation, is verified and posts a
demand. Both see the match with its reasons; the buyer asks about the supply and the seller replies.
The seller works on a phone and the buyer on a desktop; every page is checked for console errors,
sideways scrolling and axe-core violations, and kept as a screenshot to look at.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Listing, Producer
from gi_registry.services.authorizations import save_authorization
from gi_registry.services.unit import unit_of_work
from tests.factories import PASSWORD, credit_code
from tests.test_browser import browser, live_server, screenshot_dir  # noqa: F401  (fixtures)
from tests.test_showcase_browser import VIEWPORTS, ShowcaseVisit

pytestmark = pytest.mark.browser

PRODUCT = "meihe-dami"
PRODUCT_NAME = "梅河大米"


def licence_scan(path: Path) -> Path:
    """A photographed licence: any real picture will do, the pipeline re-encodes it."""
    image = Image.new("RGB", (900, 640), (236, 228, 210))
    for x in range(60, 840, 40):
        image.paste((150, 40, 40), (x, 80, x + 20, 100))
    image.save(path, "JPEG", quality=85)
    return path


def product_photo(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (214, 196, 120)).save(buffer, "JPEG", quality=88)
    path.write_bytes(buffer.getvalue())
    return path


class Person(ShowcaseVisit):
    """One user in their own browser context, at their own screen size."""

    def submit(self, form_selector: str = "main form") -> None:
        with self.page.expect_navigation():
            self.page.locator(f"{form_selector} [type=submit]").last.click()

    def check(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        super().check(name)

    def register(self, email: str, name: str) -> None:
        self.open("/register")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=display_name]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.fill("input[name=confirm]", PASSWORD)
        self.check("register")
        self.submit()
        assert self.page.url.endswith("/portal/"), self.page.url

    def create_organisation(self, name: str, serial: int, region: str, licence: Path) -> None:
        self.open("/portal/organisation/new")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=credit_code]", credit_code(region=region, serial=serial))
        self.page.select_option("select[name=kind]", "cooperative")
        self.page.select_option("select[name=region]", region)
        self.page.fill("input[name=contact_name]", "李明")
        self.page.fill("input[name=contact_phone]", "0435-4200000")
        self.page.set_input_files("input[name=licence]", str(licence))
        self.check("organisation-form")
        self.submit()
        assert "/portal/organisation" in self.page.url, self.page.url
        assert name in self.page.content()

    def post_listing(
        self, kind: str, title: str, region: str, fields: dict, photo: Path | None = None
    ) -> str:
        self.open("/portal/listings/new")
        self.page.check(f"input[name=kind][value={kind}]")
        self.page.select_option("select[name=product]", PRODUCT)
        self.page.fill("input[name=title]", title)
        for name, value in fields.items():
            self.page.fill(f"[name={name}]", value)
        self.page.select_option("select[name=region]", region)
        if photo is not None:
            self.page.set_input_files("input[name=photos]", str(photo))
        self.check(f"{kind}-form")
        self.submit()
        slug = re.search(r"/portal/listings/([a-z0-9-]+)/edit", self.page.url).group(1)
        publish = self.page.locator("form[action$='/submit'] [type=submit]")
        if publish.count():
            with self.page.expect_navigation():
                publish.click()
        return slug


def verify_and_authorise(app, name: str, *, authorise: bool) -> str:
    """Staff's part: verify the organisation on the command line and, for the seller, grant the
    GI mark (the staff console will do both in the browser)."""
    with app.app_context():
        slug = db.session.scalar(select(Producer.slug).where(Producer.name_zh == name))
    result = app.test_cli_runner().invoke(args=["producer", "verify", slug])
    assert result.exit_code == 0, result.output
    if authorise:
        with app.app_context(), unit_of_work(actor="staff-test") as work:
            today = local_today()
            save_authorization(
                work,
                {
                    "producer": slug,
                    "product": PRODUCT,
                    "number": None,
                    "valid_from": (today - timedelta(days=30)).isoformat(),
                    "valid_to": (today + timedelta(days=365)).isoformat(),
                    "status": "active",
                },
            )
    return slug


@pytest.fixture
def people(browser, live_server, screenshot_dir):  # noqa: F811
    contexts = [browser.new_context(**VIEWPORTS[size]) for size in ("phone", "desktop")]
    try:
        seller = Person(contexts[0], live_server, screenshot_dir / "seller", "phone")
        buyer = Person(contexts[1], live_server, screenshot_dir / "buyer", "desktop")
        for person in (seller, buyer):
            person.shots.mkdir(parents=True, exist_ok=True)
        yield seller, buyer
    finally:
        for context in contexts:
            context.close()


def test_register_verify_list_match_and_talk(sample_app, people, tmp_path):
    seller, buyer = people
    with sample_app.app_context():
        today = local_today()
    window = {
        "available_from": today.isoformat(),
        "available_to": (today + timedelta(days=60)).isoformat(),
    }
    seller_name = "梅河口示例稻米合作社（浏览器测试）"
    buyer_name = "长春示例粮油贸易公司（浏览器测试）"

    seller.register("seller@example.com", "王经理")
    seller.create_organisation(seller_name, 41, "220581", licence_scan(tmp_path / "a.jpg"))
    verify_and_authorise(sample_app, seller_name, authorise=True)
    supply = seller.post_listing(
        "supply",
        "梅河大米新米 20 吨",
        "220581",
        {
            "quantity": "20",
            "unit": "吨",
            "price_min": "10",
            "price_max": "16",
            "price_unit": "元/公斤",
            **window,
        },
        product_photo(tmp_path / "rice.jpg"),
    )

    buyer.register("buyer@example.com", "赵采购")
    buyer.create_organisation(buyer_name, 42, "220102", licence_scan(tmp_path / "b.jpg"))
    verify_and_authorise(sample_app, buyer_name, authorise=False)
    demand = buyer.post_listing(
        "demand",
        "求购梅河大米 10 吨",
        "220102",
        {
            "quantity": "10",
            "unit": "吨",
            "price_min": "12",
            "price_max": "15",
            "price_unit": "元/公斤",
            **window,
        },
    )
    with sample_app.app_context():
        statuses = dict(
            db.session.execute(
                select(Listing.slug, Listing.status).where(Listing.slug.in_([supply, demand]))
            ).all()
        )
    assert statuses == {supply: "published", demand: "published"}

    # The supply's public page: the photo, the GI-mark badge, and the buyer's demand as a match.
    seller.open(f"/listings/{supply}")
    page = seller.page
    assert page.locator("main img").count() >= 1
    assert "地理标志专用标志授权" in page.content()
    matches = page.locator("section.listing-matches")
    assert "求购梅河大米 10 吨" in matches.inner_text()
    assert "同一地理标志产品" in matches.inner_text()
    seller.check("supply-page")

    # The buyer sees the supply among their demand's matches, with a score and reasons.
    buyer.open(f"/listings/{demand}")
    match_text = buyer.page.locator("section.listing-matches").inner_text()
    assert "梅河大米新米 20 吨" in match_text and "同一地理标志产品" in match_text
    assert "数量可满足" in match_text and "价格区间重叠" in match_text
    buyer.check("demand-page")

    # Inquiry and reply.
    buyer.open(f"/listings/{supply}/ask")
    buyer.page.fill("textarea[name=body]", "请问可以分两批发货吗？每批 5 吨。")
    buyer.check("ask")
    buyer.submit()
    assert "请问可以分两批发货吗" in buyer.page.content()

    seller.open("/portal/")
    assert "请问可以分两批发货吗" in seller.page.content() or "咨询" in seller.page.content()
    seller.check("dashboard")
    seller.open("/portal/inquiries")
    with seller.page.expect_navigation():
        seller.page.locator("main a[href*='/portal/inquiries/']").first.click()
    seller.page.fill("textarea[name=body]", "可以，两批间隔一周。")
    seller.submit()
    seller.check("thread-seller")

    buyer.open("/portal/inquiries")
    with buyer.page.expect_navigation():
        buyer.page.locator("main a[href*='/portal/inquiries/']").first.click()
    assert "可以，两批间隔一周。" in buyer.page.content()
    assert "seller@example.com" not in buyer.page.content()  # not shown unless the seller chooses
    buyer.check("thread-buyer")
