"""The showcase as a visitor meets it, in Debian's Chromium: each page at 375×812 and 1366×768.

Every page visited here is also checked for console errors (a CSP refusal is one), sideways scrolling,
and axe-core's serious and critical violations; a full-page screenshot of each goes to
``GI_SCREENSHOT_DIR`` (or the test's tmp folder) to be looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, Producer
from tests.test_browser import (  # noqa: F401  (fixtures, shared with the first browser tests)
    Visit,
    browser,
    live_server,
    screenshot_dir,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}


class ShowcaseVisit(Visit):
    """A visit at one of this file's viewports, with the checks every page must pass."""

    def __init__(self, context, base, shots, viewport):
        super().__init__(context, base, shots, "desktop")
        self.viewport = viewport
        self.width = VIEWPORTS[viewport]["viewport"]["width"]

    def check(self, name: str) -> None:
        where = f"{self.viewport} {name} ({self.page.url})"
        self.assert_no_horizontal_overflow(where)
        self.screenshot(name)  # also runs axe-core
        self.assert_clean_console(where)


@pytest.fixture(params=list(VIEWPORTS))
def visit(request, browser, live_server, screenshot_dir) -> Iterator[ShowcaseVisit]:  # noqa: F811
    context = browser.new_context(**VIEWPORTS[request.param])
    try:
        yield ShowcaseVisit(context, live_server, screenshot_dir, request.param)
    finally:
        context.close()


@dataclass(frozen=True)
class Granted:
    id: int
    token: str
    producer_slug: str
    credit_code: str
    product_slug: str
    number: str | None


def valid_authorization(app) -> Granted:
    """An authorisation of a public producer that is valid today, from the sample data."""
    with app.app_context():
        today = local_today()
        for authorization in db.session.scalars(
            select(Authorization)
            .join(Authorization.producer)
            .where(Authorization.status == "active", Producer.status == "active")
            .order_by(Authorization.id)
        ):
            if authorization.is_valid_on(today) and authorization.product.is_public:
                return Granted(
                    authorization.id,
                    authorization.verify_token,
                    authorization.producer.slug,
                    authorization.producer.credit_code,
                    authorization.product.slug,
                    authorization.number,
                )
    pytest.fail("the sample has no authorisation valid today")


def test_verification_by_the_qr_token_says_authorised_and_links_on(visit, sample_app):
    authorization = valid_authorization(sample_app)
    visit.open(f"/verify/{authorization.token}")
    verdict = visit.page.locator("section.verdict")
    assert "verdict-authorized" in verdict.get_attribute("class")
    assert "已获授权" in verdict.inner_text()
    visit.check("verify-token")
    # From the answer to the producer's page, which says the same.
    verdict.locator("dl.facts a").first.click()
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith("/producers/" + authorization.producer_slug)
    visit.check("verify-token-producer")


def test_verification_by_credit_code_typed_into_the_form(visit, sample_app):
    credit_code = valid_authorization(sample_app).credit_code
    visit.open("/verify")
    visit.page.get_by_label("统一社会信用代码或授权编号").fill(credit_code.lower())
    visit.page.get_by_role("button", name="核验").click()
    visit.page.wait_for_load_state("load")
    assert "verdict-authorized" in visit.page.locator("section.verdict").get_attribute("class")
    visit.check("verify-credit-code")


def test_verification_of_a_malformed_code_names_the_field(visit):
    visit.open("/verify?credit_code=91220000ABC")
    error = visit.page.locator(".field-error")
    assert error.is_visible() and "统一社会信用代码" in error.inner_text()
    visit.check("verify-malformed")


def test_an_expired_authorisation_is_shown_as_expired(visit, sample_app):
    from gi_registry.services.authorizations import save_authorization
    from gi_registry.services.unit import unit_of_work

    authorization = valid_authorization(sample_app)
    with sample_app.app_context(), unit_of_work(actor="test") as work:
        yesterday = local_today() - timedelta(days=1)
        save_authorization(
            work,
            {
                "producer": authorization.producer_slug,
                "product": authorization.product_slug,
                "number": authorization.number,
                "valid_from": (yesterday - timedelta(days=365)).isoformat(),
                "valid_to": yesterday.isoformat(),
                "status": "active",
            },
        )
    visit.open(f"/verify/{authorization.token}")
    assert "verdict-expired" in visit.page.locator("section.verdict").get_attribute("class")
    visit.check("verify-expired")


def test_the_product_page_qr_code_decodes_to_the_page_itself(visit, sample_app):
    """What a phone's camera reads: the QR code as drawn by the browser, decoded by zxing-cpp."""
    import io

    import zxingcpp
    from PIL import Image

    from gi_registry.catalog import queries
    from gi_registry.models import GIProduct

    with sample_app.app_context():
        slug = db.session.scalar(
            queries.public_products()
            .order_by(GIProduct.slug)
            .limit(1)
            .with_only_columns(GIProduct.slug)
        )
    visit.open(f"/products/{slug}")
    code = visit.page.locator("svg.qr-code")
    code.scroll_into_view_if_needed()
    picture = Image.open(io.BytesIO(code.screenshot()))
    decoded = [result.text for result in zxingcpp.read_barcodes(picture)]
    page_url = visit.page.locator("a.share-url").get_attribute("href")
    assert decoded == [page_url]
    assert page_url.endswith(f"/products/{slug}")
    visit.check("product-qr")
