"""The guidance request as a visitor makes it, in Debian's Chromium (see test_browser.py)."""

from __future__ import annotations

import re

import pytest

from tests import test_browser as shared
from tests.test_browser import VIEWPORTS, Visit

# The browser tests' fixtures, shared by name: pytest finds fixtures among a module's attributes.
browser = shared.browser
live_server = shared.live_server
screenshot_dir = shared.screenshot_dir

pytestmark = pytest.mark.browser

STATION = "meihekou-station-sample"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_visitor_finds_a_station_asks_and_tracks_the_answer(
    browser, live_server, screenshot_dir, viewport
):
    context = browser.new_context(**VIEWPORTS[viewport])
    try:
        visit = Visit(context, live_server, screenshot_dir, viewport)
        page = visit.page
        visit.open("/")
        with page.expect_navigation():
            page.get_by_role("navigation", name="主导航").get_by_role("link", name="指导站").click()
        assert visit.h1() == "商标品牌指导站"
        visit.assert_no_horizontal_overflow("/stations")
        visit.screenshot("stations")

        with page.expect_navigation():
            page.get_by_role("link", name="通化市").click()
        station = page.locator(".stations > li", has_text="梅河口市商标品牌指导站")
        assert station.locator(".badge-sample").inner_text().strip() == "示例数据"
        with page.expect_navigation():
            station.get_by_role("link", name="向该站咨询").click()
        assert page.url.endswith(f"/stations/{STATION}/ask")

        visit.expected_status = 422  # an empty form comes back with its messages
        with page.expect_navigation():
            page.get_by_role("button", name="提交咨询").click()
        summary = page.get_by_role("alert")
        assert "姓名：不能为空" in summary.inner_text()
        assert page.get_by_label("姓名").get_attribute("aria-invalid") == "true"
        visit.assert_no_horizontal_overflow("form with errors")
        visit.screenshot("guidance-errors")

        visit.expected_status = 200
        page.get_by_label("咨询事项").select_option("brand")
        page.get_by_label("问题描述").fill("我们合作社的大米想申请集体商标，需要哪些材料？")
        page.get_by_label("姓名").fill("测试访客")
        page.get_by_label("联系方式").fill("visitor@example.org")
        with page.expect_navigation():
            page.get_by_role("button", name="提交咨询").click()
        code = page.locator(".tracking-code").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert "已受理" in page.locator(".facts").inner_text()
        body = page.locator("main").inner_text()
        assert "测试访客" not in body and "visitor@example.org" not in body
        visit.assert_no_horizontal_overflow("status page")
        visit.screenshot("guidance-status")
        visit.assert_clean_console("guidance request")
    finally:
        context.close()
