"""Promotion content in the staff area: stories and events written, previewed (sanitised as on the
public page), given a cover, published now or at a local time; the home page's featured slots
added, ordered, scheduled and ended. One sample application for the module: each test uses its
own slugs."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from gi_registry.caching import marker as marker_module
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Event, FeatureSlot, Story, now_utc
from gi_registry.promotion import queries as queries_module
from gi_registry.promotion import views as views_module
from tests.conftest import _app_from
from tests.factories import make_user
from tests.test_staff import FreshClient, post, token

HOSTILE = (
    "### 梅河大米\n\n**好米**来自梅河口。\n\n"
    '<script>alert("x")</script>\n\n'
    "[点我](javascript:alert(1))\n\n"
    '<img src="x" onerror="alert(2)">\n'
)


@pytest.fixture(scope="module")
def app(sample_template, databases, tmp_path_factory):
    yield from _app_from(sample_template, databases, tmp_path_factory.mktemp("promotion"))


@pytest.fixture(scope="module")
def staff_id(app) -> int:
    with app.app_context():
        return make_user("promoter@example.org", role="staff").id


def client_for(app, user_id: int | None, lang: str | None = None) -> FreshClient:
    client = FreshClient(app, app.response_class, use_cookies=True)
    if lang:
        client.set_cookie("lang", lang)
    if user_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
    return client


@pytest.fixture
def staff(app, staff_id) -> FreshClient:
    return client_for(app, staff_id)


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (40, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def story_fields(slug: str, **extra) -> dict:
    return {
        "slug": slug,
        "title_zh": f"故事{slug}",
        "summary_zh": "一段摘要。",
        "body_zh": HOSTILE,
        "sources": "梅河口市人民政府 | https://www.mhk.gov.cn/ | official",
        "products": ["meihe-dami"],
        "save": "1",
        **extra,
    }


def create_story(client, slug: str, **extra):
    answer = post(client, "/staff/stories/new", story_fields(slug, **extra))
    assert answer.status_code == 303, answer.text[:2000]
    return answer


def publish(client, kind: str, slug: str, **fields):
    page = client.get(f"/staff/{kind}/{slug}")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)
    data = {"csrf_token": token(client, f"/staff/{kind}/{slug}"), "version": version, **fields}
    return client.post(f"/staff/{kind}/{slug}/publish", data=data)


def local(app, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(app.config["TIMEZONE"]))


def assert_clean(html: str) -> None:
    """No script element, no javascript: address, no event handler attribute: only their text."""
    assert "<script" not in html and "<img" not in html
    assert not re.search(r"href=\"\s*javascript:", html, re.I)
    assert not re.search(r"<[^>]+\son\w+\s*=", html, re.I)


def test_story_written_previewed_published_and_featured_first(app, staff):
    # The preview is the public renderer: Markdown drawn, the script, link and handler gone.
    preview = post(staff, "/staff/stories/new", story_fields("fresh-rice") | {"preview": "1"})
    assert preview.status_code == 200
    shown = preview.text.split('id="preview-heading"')[1].split("</section>")[0]
    assert "<h3>梅河大米</h3>" in shown and "<strong>好米</strong>" in shown
    assert_clean(shown)
    with app.app_context():  # a preview saves nothing
        assert db.session.scalar(select(Story).where(Story.slug == "fresh-rice")) is None
    live = post(staff, "/staff/stories/preview", {"body": HOSTILE}, "/staff/stories/new")
    assert "<strong>好米</strong>" in live.text
    assert_clean(live.text)

    create_story(staff, "fresh-rice")
    anonymous = client_for(app, None)
    assert anonymous.get("/stories/fresh-rice").status_code == 404  # a draft
    assert publish(staff, "stories", "fresh-rice", publish="1").status_code == 303
    page = anonymous.get("/stories/fresh-rice")
    assert page.status_code == 200 and "故事fresh-rice" in page.text
    assert "<strong>好米</strong>" in page.text
    assert_clean(page.text.split('class="prose"')[1].split("</div>")[0])
    with app.app_context():
        story = db.session.scalar(select(Story).where(Story.slug == "fresh-rice"))
        assert [p.slug for p in story.products] == ["meihe-dami"]
        assert story.sources[0]["confidence"] == "official"
        actors = db.session.scalars(
            select(AuditEntry.actor).where(AuditEntry.entity == "stories")
        ).all()
        assert "promoter@example.org" in actors

    added = post(
        staff,
        "/staff/slots/new",
        {"target": "story:fresh-rice", "position": "0", "headline_zh": "", "save": "1"},
    )
    assert added.status_code == 303, added.text[:2000]
    home = anonymous.get("/").text
    featured = home.split("故事fresh-rice")
    assert len(featured) > 1
    # Position 0 comes before the sample's slot at position 1.
    assert "“吉致吉品”区域品牌" in featured[1]
    listing = staff.get("/staff/slots").text
    assert "展示中" in listing and "/staff/slots/" in listing and "/history" in listing


def test_a_scheduled_story_appears_at_its_time_and_the_store_follows(app, staff, monkeypatch):
    create_story(staff, "later-rice")
    at = local(app, now_utc() + timedelta(hours=3))
    answer = publish(
        staff, "stories", "later-rice", publish="1", publish_at=at.strftime("%Y-%m-%dT%H:%M")
    )
    assert answer.status_code == 303
    assert "定时发布" in staff.get("/staff/stories?state=scheduled").text
    anonymous = client_for(app, None)
    assert anonymous.get("/stories/later-rice").status_code == 404
    before = anonymous.get("/stories")
    assert "故事later-rice" not in before.text
    with app.app_context():
        story = db.session.scalar(select(Story).where(Story.slug == "later-rice"))
        # Entered in the province's time, stored in UTC: the same minute.
        assert story.published_at == at.replace(second=0, microsecond=0)
    later = at + timedelta(minutes=1)
    for module in (marker_module, views_module, queries_module):
        monkeypatch.setattr(module, "now_utc", lambda: later)
    # The stored answer of /stories is not served: the passed moment changes the marker.
    after = anonymous.get("/stories", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "故事later-rice" in after.text
    assert anonymous.get("/stories/later-rice").status_code == 200


def test_cover_upload_is_checked_and_named(app, staff, staff_id):
    create_story(staff, "covered-rice")
    url = "/staff/stories/covered-rice"
    fields = story_fields("covered-rice")

    def send(cover: bytes, alt: str, lang_client=staff):
        page = lang_client.get(url)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)
        data = fields | {"csrf_token": token(lang_client, url), "version": version}
        data |= {"cover": (io.BytesIO(cover), "cover.png"), "cover_alt": alt}
        return lang_client.post(url, data=data, content_type="multipart/form-data")

    hostile = send(b"<?php system($_GET['c']); ?>", "图")
    assert hostile.status_code == 409
    assert "封面图片：无法识别的图片文件" in hostile.text
    refused = send(b"GIF89a not really", "a picture", client_for(app, staff_id, "en"))
    assert refused.status_code == 409 and "Cover image: " in refused.text
    no_alt = send(picture(), "")
    assert no_alt.status_code == 409 and "封面图片说明" in no_alt.text
    assert send(picture(), "稻田").status_code == 303
    with app.app_context():
        story = db.session.scalar(select(Story).where(Story.slug == "covered-rice"))
        assert story.cover is not None and story.cover_alt == "稻田"
        assert story.cover.width == 640  # re-encoded by the pipeline


def test_events_with_named_errors_in_both_languages(app, staff, staff_id):
    event = {
        "slug": "rice-fair",
        "title_zh": "梅河大米推介会",
        "body_zh": "在梅河口举办。",
        "starts_on": "2027-09-20",
        "ends_on": "2027-09-18",
        "place_zh": "梅河口市",
        "region_code": "220581",
        "save": "1",
    }
    wrong = post(staff, "/staff/events/new", event)
    assert wrong.status_code == 422 and "结束日期：不能早于开始日期" in wrong.text
    english = client_for(app, staff_id, "en")
    wrong = post(english, "/staff/events/new", event | {"title_zh": "", "starts_on": "soon"})
    assert wrong.status_code == 422
    assert "Title (Chinese): required" in wrong.text, wrong.text[:3000]
    assert "Start date" in wrong.text
    saved = post(staff, "/staff/events/new", event | {"ends_on": "2027-09-21"})
    assert saved.status_code == 303
    assert publish(staff, "events", "rice-fair", publish="1").status_code == 303
    page = client_for(app, None).get("/events/rice-fair")
    assert page.status_code == 200 and "梅河大米推介会" in page.text
    with app.app_context():
        row = db.session.scalar(select(Event).where(Event.slug == "rice-fair"))
        assert (row.region_code, row.ends_on.isoformat()) == ("220581", "2027-09-21")
    taken = post(staff, "/staff/events/new", event | {"ends_on": ""})
    assert taken.status_code == 409 and "网址标识：已被使用" in taken.text


def test_a_stale_version_is_refused_with_a_message(app, staff):
    create_story(staff, "two-editors")
    url = "/staff/stories/two-editors"
    page = staff.get(url)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)
    fields = story_fields("two-editors") | {"version": version}
    first = staff.post(url, data=fields | {"csrf_token": token(staff, url), "title_zh": "甲"})
    assert first.status_code == 303
    second = staff.post(url, data=fields | {"csrf_token": token(staff, url), "title_zh": "乙"})
    assert second.status_code == 409 and "该记录已被他人修改" in second.text
    stale = publish(staff, "stories", "two-editors")  # fresh version: fine
    assert stale.status_code == 303


def test_slots_order_schedule_refusals_and_end(app, staff):
    def home_order() -> list[str]:
        with app.app_context():
            return [s.target.slug for s in queries_module.showing_slots(now_utc())]

    before = home_order()
    refused = post(staff, "/staff/slots/new", {"target": "story:no-such", "position": "1"})
    assert refused.status_code == 422 and "推荐内容：请选择一项已发布的内容" in refused.text
    later = local(app, now_utc() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    bad = post(
        staff,
        "/staff/slots/new",
        {"target": "product:meihe-dami", "position": "9", "starts_at": later, "ends_at": later},
    )
    assert bad.status_code == 422 and "结束展示：必须晚于开始展示" in bad.text
    scheduled = post(
        staff,
        "/staff/slots/new",
        {"target": "brand:jizhi-jipin", "position": "0", "starts_at": later},
    )
    assert scheduled.status_code == 303
    assert home_order() == before  # not before its time
    with app.app_context():
        new = db.session.scalars(select(FeatureSlot).order_by(FeatureSlot.id)).all()[-1]
        assert local(app, new.starts_at).strftime("%Y-%m-%dT%H:%M") == later
        third = next(
            s for s in queries_module.showing_slots(now_utc()) if s.target.slug == before[2]
        )
    moved = post(staff, f"/staff/slots/{third.id}/move", {"up": "1"}, "/staff/slots")
    assert moved.status_code == 303
    after = home_order()
    assert after[:3] == [before[0], before[2], before[1]]
    ended = post(staff, f"/staff/slots/{third.id}/end", {"submit": "1"}, "/staff/slots")
    assert ended.status_code == 303 and before[2] not in home_order()
    assert "已结束" in staff.get("/staff/slots").text
    # A story taken back to draft: its slot is flagged, not shown.
    create_story(staff, "gone-rice")
    publish(staff, "stories", "gone-rice", publish="1")
    post(staff, "/staff/slots/new", {"target": "story:gone-rice", "position": "5"})
    publish(staff, "stories", "gone-rice", unpublish="1")
    assert "内容未公开，不展示" in staff.get("/staff/slots").text
    assert "gone-rice" not in home_order()
    edit = staff.get(f"/staff/slots/{new.id}")
    assert edit.status_code == 200 and later in edit.text
    # Two edits from the same page: the second was made on what the first replaced.
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"', edit.text).group(1)
    fields = {"target": "brand:jizhi-jipin", "position": "7", "starts_at": later, "seen": seen}
    url = f"/staff/slots/{new.id}"
    first = staff.post(url, data=fields | {"csrf_token": token(staff, url)})
    assert first.status_code == 303
    second = staff.post(url, data=fields | {"csrf_token": token(staff, url), "position": "8"})
    assert second.status_code == 409 and "该记录已被他人修改" in second.text
    with app.app_context():
        assert db.session.get(FeatureSlot, new.id).position == 7
