"""A curator at work in the staff console, in Debian's Chromium: signs in, writes a story in
Markdown, previews it, uploads a cover, publishes it, puts it first on the home page and sees it
there. At phone and desktop size; every page checked for console errors, sideways scrolling and
axe-core violations, and kept as a screenshot to look at."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.factories import PASSWORD, make_user
from tests.test_browser import (  # noqa: F401  (fixtures)
    VIEWPORTS,
    Visit,
    browser,
    live_server,
    screenshot_dir,
)

pytestmark = pytest.mark.browser

TITLE = "查干湖冬捕：一网千年"
BODY = (
    "### 冰上的号子\n\n"
    "每年冬天，**查干湖**的渔把头带着队伍在冰面上凿冰下网。\n\n"
    "- 凿冰眼\n- 走网\n- 出网\n\n"
    "[查干湖胖头鱼](https://example.org/chaganhu)\n"
)


class Curator(Visit):
    def check(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        where = f"{self.viewport} {name} ({self.page.url})"
        self.assert_no_horizontal_overflow(where)
        self.screenshot(name)  # also runs axe-core
        self.assert_clean_console(where)

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).click()

    def sign_in(self, email: str) -> None:
        self.open("/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.submit("main form [type=submit]")


def cover(path: Path) -> Path:
    image = Image.new("RGB", (1200, 700), (190, 215, 235))
    for x in range(0, 1200, 60):
        image.paste((40, 90, 140), (x, 500, x + 30, 700))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(params=list(VIEWPORTS))
def curator(request, sample_app, browser, live_server, screenshot_dir):  # noqa: F811
    """A staff user signed in, in a browser of their own at one viewport."""
    email = f"curator-{request.param}@example.org"
    with sample_app.app_context():
        make_user(email, role="staff")
    context = browser.new_context(**VIEWPORTS[request.param])
    try:
        curator = Curator(context, live_server, screenshot_dir, request.param)
        curator.sign_in(email)
        yield curator
    finally:
        context.close()


def test_a_curator_publishes_a_story_into_the_first_home_slot(curator, tmp_path):
    size = curator.viewport
    slug = f"chaganhu-winter-fishing-{size}"
    page = curator.page

    curator.open("/staff/stories/new")
    page.fill("input[name=slug]", slug)
    page.fill("input[name=title_zh]", TITLE)
    page.fill("textarea[name=summary_zh]", "查干湖冬捕的故事。")
    page.fill("textarea[name=body_zh]", BODY)
    # The live preview: the server's sanitised rendering, as the public page draws it.
    page.locator("#live-preview .prose strong").wait_for()
    assert page.locator("#live-preview .prose h3").inner_text() == "冰上的号子"
    page.select_option("select[name=products]", ["chaganhu-pangtouyu"])
    page.set_input_files("input[name=cover]", str(cover(tmp_path / "cover.jpg")))
    page.fill("input[name=cover_alt]", "冰面上拉网的渔工")
    curator.check("story-editor")

    curator.submit("main form.content-form [name=preview]")
    assert page.locator(".content-preview .prose h3").inner_text() == "冰上的号子"
    curator.check("story-preview")
    # The file input does not survive a round trip: choose the cover again, then save.
    page.set_input_files("input[name=cover]", str(cover(tmp_path / "cover.jpg")))
    curator.submit("main form.content-form [name=save]")
    assert page.url.endswith(f"/staff/stories/{slug}"), page.url
    assert page.locator("main img[alt='冰面上拉网的渔工']").count() == 1
    curator.submit("main form[action$='/publish'] [name=publish]")
    assert "已发布" in page.locator("main").inner_text()

    curator.open("/staff/slots/new")
    page.select_option("select[name=target]", f"story:{slug}")
    page.fill("input[name=position]", "0")
    curator.check("slot-editor")
    curator.submit("main form [name=save]")
    assert page.url.endswith("/staff/slots"), page.url
    curator.check("slots")

    curator.open("/")
    first = page.locator("main a[href*='/stories/']").first
    assert first.get_attribute("href").endswith(f"/stories/{slug}")
    assert TITLE in page.locator("main").inner_text()
    curator.check("home")
    curator.open(f"/stories/{slug}")
    assert page.locator("main .prose h3").inner_text() == "冰上的号子"
    curator.assert_clean_console(f"{size} story")
