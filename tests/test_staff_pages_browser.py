"""Every staff page in Debian's Chromium, at phone (390×844) and desktop (1366×900) size: no console
errors, no sideways scrolling, no serious or critical axe-core violations, and a full-page
screenshot of each to look at (``GI_SCREENSHOT_DIR`` or the test's tmp folder, ``<size>-<page>.png``).

The pages are those of tests/test_staff_pages.py (the URL map with tests/test_staff.py's
ARGUMENTS on its World), the first argument set of each route: the others are the same template
with other filters. Pictures, label sheets and PDFs are left out: they are not pages."""

from __future__ import annotations

import re

import pytest

from tests.axe import assert_accessible
from tests.factories import make_user
from tests.test_browser import (  # noqa: F401  (fixtures)
    VIEWPORTS,
    browser,
    live_server,
    screenshot_dir,
)
from tests.test_staff import ADMIN_ONLY, build_world
from tests.test_staff_browser import Curator
from tests.test_staff_pages import get_pages

pytestmark = pytest.mark.browser
# Screenshots stop this far down (CSS pixels): the tops of long lists and forms show the layout, and
# shooting a 13 000-pixel trail on a phone costs more than all the checks.
SHOT_HEIGHT = 3000


class StaffVisit(Curator):
    """The staff curator's visit (sign-in and checks), with screenshots cut at SHOT_HEIGHT."""

    def screenshot(self, name: str) -> None:
        height = self.page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": self.width, "height": min(height, SHOT_HEIGHT)}
        path = self.shots / f"{self.viewport}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True, clip=clip)
        assert_accessible(self.page, f"{self.viewport} {name} ({self.page.url})")


def shot_name(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "staff"


def html_pages(world) -> list[tuple[str, str]]:
    """(endpoint, url) of the first argument set of each route that answers with a page."""
    staff, admin = world.client(world.staff_id), world.client(world.admin_id)
    pages, seen = [], set()
    for endpoint, url in get_pages(world):
        if endpoint in seen:
            continue
        seen.add(endpoint)
        answer = (admin if endpoint in ADMIN_ONLY else staff).get(url)
        if answer.mimetype == "text/html":
            pages.append((endpoint, url))
    return pages


def test_every_staff_page_on_a_phone_and_a_desktop(
    sample_app,
    browser,  # noqa: F811
    live_server,  # noqa: F811
    screenshot_dir,  # noqa: F811
):
    world = build_world(sample_app)
    with sample_app.app_context():
        world.admin_id = make_user("admin@example.org", role="admin").id
    pages = html_pages(world)
    assert len(pages) >= 25
    problems, checked = [], 0
    for size in VIEWPORTS:
        people = {}
        for role, email in (("staff", "curator@example.org"), ("admin", "admin@example.org")):
            # At 1 device pixel per CSS pixel: the same layout, a quarter of the pixels to shoot.
            context = browser.new_context(**VIEWPORTS[size] | {"device_scale_factor": 1})
            people[role] = StaffVisit(context, live_server, screenshot_dir, size)
            people[role].sign_in(email)
        try:
            for endpoint, url in pages:
                person = people["admin" if endpoint in ADMIN_ONLY else "staff"]
                try:
                    person.open(url)
                    person.check(shot_name(url))
                except AssertionError as error:
                    problems.append(f"{size} {url}: {str(error).splitlines()[0]}")
                checked += 1
        finally:
            for person in people.values():
                person.page.context.close()
    assert checked == 2 * len(pages)
    assert not problems, f"{len(problems)} pages fail:\n" + "\n".join(problems)
