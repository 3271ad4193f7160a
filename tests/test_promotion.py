"""Stories, events, featured slots, Atom feeds and the home page's figures (issue 11, parts 2 and 8)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.localtime import local_today
from gi_registry.models import AuditEntry, Event, FeatureSlot, Story, now_utc
from gi_registry.promotion import queries
from gi_registry.services import promotion as service
from gi_registry.services.errors import ValidationError
from gi_registry.services.unit import unit_of_work
from tests import factories as f

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC_URL = "https://gi.jl.gov.cn"


def story(slug: str = "test-story", **fields) -> dict:
    record = {
        "slug": slug,
        "title_zh": "测试故事",
        "summary_zh": "一段摘要",
        "body_zh": "正文**加粗**",
        "sources": [{"url": "https://example.cn/a", "title": "测试来源", "confidence": "press"}],
        "status": "published",
    }
    return record | fields


def event(slug: str = "test-event", **fields) -> dict:
    record = {
        "slug": slug,
        "title_zh": "测试活动",
        "starts_on": "2030-05-01",
        "ends_on": "2030-05-03",
        "place_zh": "长春市",
        "region_code": "220100",
        "status": "published",
    }
    return record | fields


def write(change):
    with unit_of_work(actor="cli:test") as work:
        return change(work)


@pytest.fixture
def registry(ctx):
    """Products in 梅河口市 (under 通化市) and in 长春市双阳区, a producer in each, and listings."""
    document = f.document(
        products=[
            f.product("tonghua-rice", region_codes=["220581"]),
            f.product("changchun-deer", name_zh="测试鹿茸", region_codes=["220112"]),
        ],
        producers=[
            f.producer("tonghua-coop", serial=1, region_code="220581"),
            f.producer("changchun-farm", serial=2, region_code="220112"),
        ],
        listings=[
            f.listing(
                "tonghua-supply",
                producer="tonghua-coop",
                product="tonghua-rice",
                title="通化的测试供应",
            ),
            f.listing(
                "changchun-supply",
                producer="changchun-farm",
                product="changchun-deer",
                title="长春的测试供应",
                region_code="220112",
            ),
        ],
    )
    report = import_document(document, actor="cli:test")
    assert report.ok, report.issues
    return ctx


# --- scheduling and visibility


def test_a_scheduled_story_stays_hidden_until_its_moment(registry):
    later = now_utc() + timedelta(hours=2)
    write(lambda w: service.save_story(w, story(status="draft")))
    write(lambda w: service.publish(w, "stories", "test-story", at=later))
    client = registry.test_client()

    assert client.get("/stories/test-story").status_code == 404
    assert "测试故事" not in client.get("/stories").get_data(as_text=True)
    assert "测试故事" not in client.get("/feeds/stories.atom").get_data(as_text=True)
    assert queries.get_public_story("test-story", now_utc()) is None
    # Due once the moment has passed, with nobody acting.
    assert queries.get_public_story("test-story", later + timedelta(seconds=1)) is not None

    write(lambda w: service.publish(w, "stories", "test-story"))
    assert client.get("/stories/test-story").status_code == 200


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_drafts_and_archived_stories_and_events_are_404(registry, status):
    write(lambda w: service.save_story(w, story(status=status)))
    write(lambda w: service.save_event(w, event(status=status)))
    client = registry.test_client()
    assert client.get("/stories/test-story").status_code == 404
    assert client.get("/events/test-event").status_code == 404
    assert "测试活动" not in client.get("/events").get_data(as_text=True)


def test_a_schedule_given_without_offset_is_the_provinces_time(ctx):
    ctx.config["TIMEZONE"] = "Asia/Shanghai"
    item = write(lambda w: service.save_story(w, story(published_at="2030-01-01 08:00")))
    assert item.published_at.isoformat() == "2030-01-01T00:00:00+00:00"


def test_slots_show_only_inside_their_window_and_in_position_order(registry):
    now = now_utc()
    write(lambda w: service.save_story(w, story()))
    ids = write(
        lambda w: [
            service.add_slot(w, {"position": 5, "product": "tonghua-rice"}).id,
            service.add_slot(w, {"position": 1, "story": "test-story"}).id,
            service.add_slot(
                w,
                {"position": 0, "product": "changchun-deer", "starts_at": now + timedelta(days=1)},
            ).id,
            service.add_slot(
                w, {"position": 0, "story": "test-story", "ends_at": now - timedelta(minutes=1)}
            ).id,
        ]
    )
    showing = [s.id for s in queries.showing_slots(now_utc())]
    assert showing == [ids[1], ids[0]]
    tomorrow = [s.id for s in queries.showing_slots(now + timedelta(days=1, minutes=1))]
    assert tomorrow == [ids[2], ids[1], ids[0]]

    home = registry.test_client().get("/").get_data(as_text=True)
    featured = home[home.index('id="featured-h"') :].split("</section>")[0]
    assert "/stories/test-story" in featured and "测试鹿茸" not in featured


def test_a_slot_whose_story_is_unpublished_disappears(registry):
    write(lambda w: service.save_story(w, story()))
    write(lambda w: service.add_slot(w, {"story": "test-story"}))
    assert len(queries.showing_slots(now_utc())) == 1
    write(lambda w: service.unpublish(w, "stories", "test-story"))
    assert queries.showing_slots(now_utc()) == []


def test_events_list_upcoming_first_then_past_then_undated(registry):
    today = local_today()
    write(
        lambda w: service.save_event(
            w, event("soon", starts_on=str(today + timedelta(days=3)), ends_on=None)
        )
    )
    write(
        lambda w: service.save_event(
            w, event("later", starts_on=str(today + timedelta(days=30)), ends_on=None)
        )
    )
    write(
        lambda w: service.save_event(
            w, event("running", starts_on=str(today - timedelta(days=1)), ends_on=str(today))
        )
    )
    write(
        lambda w: service.save_event(w, event("old", starts_on="2021-11-22", ends_on="2021-11-26"))
    )
    write(lambda w: service.save_event(w, event("nodate", starts_on=None, ends_on=None)))
    listed = queries.event_list(now_utc(), today)
    assert [e.slug for e in listed.upcoming] == ["running", "soon", "later"]
    assert [e.slug for e in listed.past] == ["old"]
    assert [e.slug for e in listed.undated] == ["nodate"]

    page = registry.test_client().get("/events/old").get_data(as_text=True)
    assert "2021-11-22" in page and "2021-11-26" in page and "长春市" in page
    assert 'href="/regions/220100"' in page


# --- Markdown and sources


def test_story_markdown_is_sanitised(registry):
    body = (
        "<script>alert(1)</script>\n\n[点我](javascript:alert(2))\n\n"
        '<img src=x onerror="alert(3)">\n\n**真的加粗**'
    )
    write(lambda w: service.save_story(w, story(body_zh=body)))
    stored = db.session.scalar(select(Story.body_zh))
    assert stored == body  # the Markdown is kept as written
    page = registry.test_client().get("/stories/test-story").get_data(as_text=True)
    prose = page[page.index('<div class="prose">') :].split("</div>")[0]
    assert "<script" not in prose and "<img" not in prose  # raw HTML shows as text
    assert "href=" not in prose  # the javascript: link is not a link
    assert "&lt;script&gt;" in prose
    assert "<strong>真的加粗</strong>" in prose
    feed = registry.test_client().get("/feeds/stories.atom").get_data(as_text=True)
    root = ET.fromstring(feed.encode())
    content = root.find(f"{ATOM}entry/{ATOM}content").text
    assert "<script" not in content and "href=" not in content


def test_story_page_shows_sources_and_the_sample_label(registry):
    write(lambda w: service.save_story(w, story(sample=True)))
    page = registry.test_client().get("/stories/test-story").get_data(as_text=True)
    assert "测试来源" in page and 'href="https://example.cn/a"' in page
    assert "示例" in page


# --- feeds


def parse_feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_titles(root: ET.Element) -> list[str]:
    return [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]


def test_feeds_are_atom_with_absolute_links(registry):
    registry.config["PUBLIC_URL"] = PUBLIC_URL
    write(lambda w: service.save_story(w, story()))
    client = registry.test_client()
    for url in ("/feeds/stories.atom", "/feeds/products.atom", "/feeds/listings.atom"):
        root = parse_feed(client, url)
        for required in ("id", "title", "updated"):
            assert root.findtext(f"{ATOM}{required}"), (url, required)
        assert root.find(f"{ATOM}author/{ATOM}name") is not None
        entries = list(root.iter(f"{ATOM}entry"))
        assert entries, url
        for element in root.iter(f"{ATOM}link"):
            assert element.get("href").startswith(PUBLIC_URL + "/"), element.get("href")
        for entry in entries:
            assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
            assert entry.findtext(f"{ATOM}updated").endswith("Z")
    root = parse_feed(client, "/feeds/stories.atom")
    self_link = next(e for e in root.iter(f"{ATOM}link") if e.get("rel") == "self")
    assert self_link.get("href") == f"{PUBLIC_URL}/feeds/stories.atom"


def test_feed_ids_do_not_depend_on_the_public_address(registry):
    client = registry.test_client()
    first = parse_feed(client, "/feeds/products.atom")
    registry.config["PUBLIC_URL"] = PUBLIC_URL
    second = parse_feed(client, "/feeds/products.atom")
    ids = [[e.findtext(f"{ATOM}id") for e in r.iter(f"{ATOM}entry")] for r in (first, second)]
    assert ids[0] == ids[1] and len(ids[0]) == 2


def test_region_feeds_hold_the_region_and_its_descendants(registry):
    client = registry.test_client()
    tonghua = entry_titles(parse_feed(client, "/feeds/products.atom?region=220500"))
    assert tonghua == ["测试大米"]
    province = entry_titles(parse_feed(client, "/feeds/products.atom?region=220000"))
    assert sorted(province) == ["测试大米", "测试鹿茸"]
    # The producer's region counts when a listing names none.
    listings = entry_titles(parse_feed(client, "/feeds/listings.atom?region=220500"))
    assert listings == ["【供应】通化的测试供应"]
    listings = entry_titles(parse_feed(client, "/feeds/listings.atom?region=220100"))
    assert listings == ["【供应】长春的测试供应"]


@pytest.mark.parametrize("region", ["229999", "abc", "２２００００", ""])
def test_a_bad_feed_region_is_404(registry, region):
    response = registry.test_client().get(f"/feeds/products.atom?region={region}")
    assert response.status_code == 404


def test_pages_advertise_their_feeds(sample_app):
    client = sample_app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml"' in home and 'href="/feeds/stories.atom"' in home
    region = client.get("/regions/220500").get_data(as_text=True)
    assert 'href="/feeds/products.atom?region=220500"' in region
    assert 'href="/feeds/listings.atom?region=220500"' in region


# --- home page figures


def test_key_figures_count_what_the_public_may_see(ctx):
    today = local_today()
    day = timedelta(days=1)
    document = f.document(
        products=[f.product("p1"), f.product("p2"), f.product("p3", status="draft")],
        brands=[f.brand("b1"), f.brand("b2", status="draft")],
        producers=[
            f.producer("aa", serial=1, status="active"),
            f.producer("bb", serial=2, status="active"),
            f.producer("cc", serial=3, status="active"),
            f.producer("dd", serial=4, status="pending"),
        ],
        authorizations=[
            f.authorization("aa", "p1", valid_to=str(today)),  # valid through today
            f.authorization("aa", "p2"),  # the same producer twice: counted once
            f.authorization("bb", "p1", valid_to=str(today - day)),  # expired
            f.authorization("cc", "p1", valid_from=str(today + day)),  # not yet
            f.authorization("cc", "p3"),  # a draft product
            f.authorization("dd", "p1"),  # a pending producer
        ],
        listings=[
            f.listing("s1", producer="aa", category="grain"),
            f.listing("s2", producer="aa", category="grain", available_to=str(today - day)),  # over
            f.listing("s3", producer="aa", category="grain", status="draft"),
            f.listing("s4", producer="dd", category="grain"),  # producer not public
            f.listing("s5", producer="aa", product="p3"),  # hidden with its draft product
            f.listing(
                "d1", producer="bb", category="grain", kind="demand", available_to=str(today)
            ),
        ],
    )
    report = import_document(document, actor="cli:test")
    assert report.ok, report.issues
    figures = queries.key_figures(today)
    assert figures == queries.KeyFigures(
        products=2,
        brands=1,
        producers=3,
        authorized_producers=1,
        supply_listings=1,
        demand_listings=1,
    )
    page = ctx.test_client().get("/").get_data(as_text=True)
    assert "<strong>2</strong> 个地理标志产品" in page


def test_home_shows_sample_slots_stories_and_events(sample_app):
    page = sample_app.test_client().get("/").get_data(as_text=True)
    for link in (
        "/stories/gi-showcase-centre-plan",
        "/brands/jizhi-jipin",
        "/products/meihe-dami",
        "/stories",
        "/events",
        "/regions",
    ):
        assert f'href="{link}"' in page, link


# --- validation


def test_validation_errors_name_the_field(registry):
    with pytest.raises(ValidationError) as caught:
        write(
            lambda w: service.save_story(
                w, story(slug="Bad Slug", title_zh="", products=["nope"], published_at="明天")
            )
        )
    assert {"slug", "title_zh", "published_at"} <= set(caught.value.errors)
    with pytest.raises(ValidationError) as caught:
        write(lambda w: service.save_story(w, story(products=["nope"])))
    assert "nope" in caught.value.errors["products"]
    with pytest.raises(ValidationError) as caught:
        write(lambda w: service.save_event(w, event(starts_on="2030-05-03", ends_on="2030-05-01")))
    assert "ends_on" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        write(lambda w: service.save_event(w, event(region_code="229999")))
    assert "229999" in caught.value.errors["region_code"]
    assert db.session.scalar(select(Story)) is None and db.session.scalar(select(Event)) is None


def test_a_slot_needs_exactly_one_public_target(registry):
    write(lambda w: service.save_story(w, story("draft-story", status="draft")))
    cases = [
        ({}, "target"),
        ({"product": "tonghua-rice", "story": "draft-story"}, "target"),
        ({"story": "draft-story"}, "story"),
        ({"product": "missing"}, "product"),
        ({"product": "tonghua-rice", "position": "first"}, "position"),
        (
            {"product": "tonghua-rice", "starts_at": "2030-01-02", "ends_at": "2030-01-01"},
            "ends_at",
        ),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            write(lambda w, data=data: service.add_slot(w, data))
        assert field in caught.value.errors, (data, caught.value.errors)
    assert db.session.scalar(select(FeatureSlot)) is None


# --- history


def test_every_change_is_in_the_history(registry):
    write(lambda w: service.save_story(w, story(status="draft")))
    write(lambda w: service.publish(w, "stories", "test-story"))
    write(lambda w: service.archive(w, "stories", "test-story"))
    write(lambda w: service.save_event(w, event()))
    slot_id = write(lambda w: service.add_slot(w, {"event": "test-event", "position": 2})).id
    write(lambda w: service.update_slot(w, slot_id, {"position": 3}))
    write(lambda w: service.remove_slot(w, slot_id))

    def actions(entity: str) -> list[str]:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
        return [row.action for row in rows]

    assert actions("stories") == ["create", "update", "archive"]
    assert actions("events") == ["create"]
    assert actions("slots") == ["create", "update", "archive"]
    publish = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "stories").order_by(AuditEntry.id)
    ).all()[1]
    assert publish.changes["status"] == ["draft", "published"]
    assert publish.actor == "cli:test"
    # Saving the same record again changes nothing and writes no entry.
    write(lambda w: service.save_event(w, event()))
    assert actions("events") == ["create"]


# --- command line


STORY_FILE = """---
slug: cli-story
title_zh: 命令行导入的故事
summary_zh: 摘要
products: [tonghua-rice]
sources:
  - {"url": "https://example.cn/s", "title": "来源一", "confidence": "official"}
status: draft
---
# 不会成为 h1

正文第一段。
"""


def test_cli_round_trip(registry, tmp_path):
    runner = registry.test_cli_runner()
    path = tmp_path / "story.md"
    path.write_text(STORY_FILE, encoding="utf-8")

    result = runner.invoke(args=["story", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.output
    again = runner.invoke(args=["story", "import", str(path)])
    assert "未变 1" in again.output

    item = db.session.scalar(select(Story).where(Story.slug == "cli-story"))
    assert item.body_zh.startswith("# 不会成为 h1") and item.status == "draft"
    assert [p.slug for p in item.products] == ["tonghua-rice"]

    result = runner.invoke(args=["story", "publish", "cli-story", "--at", "2099-01-01 09:00"])
    assert result.exit_code == 0, result.output
    assert "2099-01-01 09:00" in result.output
    listed = runner.invoke(args=["story", "list"]).output
    assert "cli-story\t定时 2099-01-01 09:00" in listed
    assert registry.test_client().get("/stories/cli-story").status_code == 404

    assert runner.invoke(args=["story", "publish", "cli-story"]).exit_code == 0
    assert registry.test_client().get("/stories/cli-story").status_code == 200

    result = runner.invoke(args=["slot", "add", "--story", "cli-story", "--position", "2"])
    assert result.exit_code == 0, result.output
    assert "展示中" in runner.invoke(args=["slot", "list"]).output
    slot_id = db.session.scalar(select(FeatureSlot.id))
    assert runner.invoke(args=["slot", "remove", str(slot_id)]).exit_code == 0
    assert "未展示" in runner.invoke(args=["slot", "list"]).output

    history = runner.invoke(args=["history", "stories", "cli-story"])
    assert history.exit_code == 0, history.output
    assert "create" in history.output and 'status: "draft" → "published"' in history.output
    assert "archive" in runner.invoke(args=["history", "slots", str(slot_id)]).output


def test_cli_event_import_from_json_and_bad_input(registry, tmp_path):
    runner = registry.test_cli_runner()
    good = tmp_path / "events.json"
    good.write_text(json.dumps([event("e1"), event("e2")]), encoding="utf-8")
    result = runner.invoke(args=["event", "import", str(good)])
    assert result.exit_code == 0 and "新增 2" in result.output, result.output

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([event("e3"), event("e4", ends_on="2000-01-01")]), encoding="utf-8")
    result = runner.invoke(args=["event", "import", str(bad)])
    assert result.exit_code == 1
    assert "events[1].ends_on" in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(Event).where(Event.slug == "e3")) is None  # all or nothing

    broken = tmp_path / "broken.md"
    broken.write_text("no front matter", encoding="utf-8")
    result = runner.invoke(args=["story", "import", str(broken)])
    assert result.exit_code == 1 and "front matter" in result.output

    result = runner.invoke(args=["slot", "add", "--product", "tonghua-rice", "--story", "xx"])
    assert result.exit_code == 1 and "target" in result.output
    result = runner.invoke(args=["story", "publish", "missing"])
    assert result.exit_code == 1 and "找不到故事 missing" in result.output


# --- sample content


def test_sample_stories_and_events_cite_sources_or_say_sample(sample_ctx):
    items = [*db.session.scalars(select(Story)), *db.session.scalars(select(Event))]
    assert len(items) >= 5
    for item in items:
        assert item.sources or item.sample, item.slug
    assert db.session.scalar(select(FeatureSlot.id)) is not None


def test_sample_quotes_of_the_provincial_plan_are_verbatim(sample_ctx):
    """Every text quoted as 「> …」 from the plan appears in the plan's text shipped with the repo."""
    from pathlib import Path

    plan = Path("/work/shared/context/jilin-ip-plan.txt")
    if not plan.exists():
        pytest.skip("the provincial plan's text is not on this machine")
    text = plan.read_text(encoding="utf-8")
    for item in [*db.session.scalars(select(Story)), *db.session.scalars(select(Event))]:
        for line in item.body_zh.splitlines():
            if line.startswith("> "):
                assert line[2:] in text, item.slug


def test_sample_event_dates_come_from_the_sources(sample_ctx):
    dated = {e.slug: (e.starts_on, e.ends_on) for e in db.session.scalars(select(Event))}
    assert dated["jilin-top10-gi-2021-notice"] == (date(2021, 11, 22), date(2021, 11, 26))
    assert dated["ip-strong-province-plan-issued"] == (date(2022, 9, 1), None)
    assert dated["ip-strong-province-conference"] == (None, None)


# --- story covers


def cover_png(colour=(40, 120, 60)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_story_cover_is_stored_shown_sized_and_in_the_history(registry):
    from gi_registry.services.history import history
    from gi_registry.services.revisions import restore_revision

    write(lambda w: service.save_story(w, story()))
    alt = "稻田里的收割机"
    saved = write(lambda w: service.set_story_cover(w, "test-story", cover_png(), alt=alt))
    asset = saved.cover
    assert asset is not None and saved.cover_alt == alt and asset.variants["hero"]["width"] == 1280
    client = registry.test_client()
    page = client.get("/stories/test-story").get_data(as_text=True)
    hero = f'src="/media/{asset.file_for("hero")}"'
    assert hero in page and f'alt="{alt}"' in page
    assert 'sizes="(min-width: 768px) 736px, calc(100vw - 32px)"' in page  # the text column
    # A story shared in WeChat shows its title, summary and cover (absolute URLs).
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="测试故事">' in page
    assert '<meta property="og:description" content="一段摘要">' in page
    card = f"http://localhost/media/{asset.file_for('card')}"
    assert f'<meta property="og:image" content="{card}">' in page
    listing = client.get("/stories").get_data(as_text=True)
    assert f'src="/media/{asset.file_for("card")}"' in listing and 'loading="lazy"' in listing
    with client.get(f"/media/{asset.file_for('card')}") as served:  # closes the sent file
        assert served.status_code == 200 and served.mimetype == "image/jpeg"

    removed = write(lambda w: service.set_story_cover(w, "test-story", None))
    assert removed.cover is None and removed.cover_alt == ""
    without = client.get("/stories/test-story").get_data(as_text=True)
    assert hero not in without and 'property="og:image"' not in without
    assert '<meta property="og:url" content="http://localhost/stories/test-story">' in without
    entries = history("stories", removed.id)
    assert entries[0].changes["cover"] == (asset.id, None)
    assert entries[1].changes["cover"] == (None, asset.id)
    restored = write(lambda w: restore_revision(w, "stories", removed.id, entries[1].id))
    assert (restored.cover_id, restored.cover_alt) == (asset.id, alt)


def test_a_story_cover_needs_a_description_and_a_real_picture(registry):
    from gi_registry.media import MediaError
    from gi_registry.models import MediaAsset

    write(lambda w: service.save_story(w, story()))
    with pytest.raises(ValidationError) as missing_alt:
        write(lambda w: service.set_story_cover(w, "test-story", cover_png(), alt="  "))
    assert "封面图片说明" in missing_alt.value.errors["cover_alt"]
    with pytest.raises(MediaError) as not_a_picture:
        write(lambda w: service.set_story_cover(w, "test-story", b"<svg/>", alt="图"))
    assert not_a_picture.value.field == "cover"
    with pytest.raises(ValidationError) as unknown:
        write(lambda w: service.save_story(w, story(cover=999_999, cover_alt="图")))
    assert "cover" in unknown.value.errors
    db.session.remove()
    assert db.session.scalar(select(Story).where(Story.slug == "test-story")).cover is None
    assert db.session.scalars(select(MediaAsset)).all() == []


def test_cli_sets_and_removes_a_story_cover(registry, tmp_path):
    write(lambda w: service.save_story(w, story()))
    picture = tmp_path / "cover.png"
    picture.write_bytes(cover_png())
    runner = registry.test_cli_runner()
    refused = runner.invoke(args=["story", "cover", "test-story", str(picture)])
    assert refused.exit_code == 1 and "封面图片说明" in refused.output
    done = runner.invoke(args=["story", "cover", "test-story", str(picture), "--alt", "稻田"])
    assert done.exit_code == 0 and "已更新" in done.output, done.output
    both = runner.invoke(args=["story", "cover", "test-story", str(picture), "--remove"])
    assert both.exit_code == 2
    gone = runner.invoke(args=["story", "cover", "test-story", "--remove"])
    assert gone.exit_code == 0 and "已移除" in gone.output
    db.session.remove()
    assert db.session.scalar(select(Story).where(Story.slug == "test-story")).cover is None
