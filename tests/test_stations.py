"""Guidance stations: the directory, station pages, the request form, tracking, the staff CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, GuidanceRequest, GuidanceStation
from gi_registry.services.errors import ValidationError
from gi_registry.services.fields import FieldError
from gi_registry.services.producers import archive_producer
from gi_registry.services.stations import (
    CODE_ALPHABET,
    archive_station,
    contact,
    find_request,
    new_tracking_code,
    normalise_code,
    save_station,
    submit_request,
)
from gi_registry.services.unit import unit_of_work
from tests.conftest import make_app

STATION = "fusong-station-sample"  # 抚松县 (白山市): topics without "brand"
OTHER_STATION = "meihekou-station-sample"  # 梅河口市 (通化市)
ASK = f"/stations/{STATION}/ask"
GOOD = {
    "topic": "gi_mark",
    "question": "我们的人参想使用地理标志专用标志，需要准备哪些材料？",
    "requester_name": "李四虚构",
    "organisation": "虚构人参合作社",
    "contact": "13912345678",
}


def csrf_token(client, url: str = ASK) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def post_request(client, data=None, url: str = ASK, **environ):
    form = {"csrf_token": csrf_token(client, url), **(GOOD if data is None else data)}
    return client.post(url, data=form, environ_base=environ)


def submitted_code(response) -> str:
    assert response.status_code == 303, response.text[:500]
    match = re.fullmatch(r"/guidance/([A-Z0-9-]+)\?new=1", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def request_count() -> int:
    return db.session.scalar(select(func.count()).select_from(GuidanceRequest))


# -- directory and station pages ---------------------------------------------------------------


def test_directory_groups_sample_stations_by_prefecture_and_filters(client):
    page = client.get("/stations")
    assert page.status_code == 200
    text = page.text
    for prefecture in ("白山市", "通化市", "长春市", "白城市", "吉林市", "延边朝鲜族自治州"):
        assert f">{prefecture}</h2>" in text
    assert "抚松县商标品牌指导站（示例）" in text
    assert "fusong-station-sample@example.org" in text
    assert "示例数据" in text and "均为虚构" in text
    assert "地理标志专用标志使用" in text  # a station's services, by name

    only = client.get("/stations?region=220600")  # 白山市
    assert "抚松县商标品牌指导站" in only.text
    assert "梅河口市商标品牌指导站" not in only.text
    assert 'aria-current="page">白山市' in only.text

    nothing = client.get("/stations?region=220300")  # 四平市: no station
    assert nothing.status_code == 200
    assert "四平市暂无指导站" in nothing.text


def test_station_page_shows_its_public_brands_and_producers_and_a_way_to_ask(client, sample_app):
    page = client.get(f"/stations/{STATION}")
    assert page.status_code == 200
    assert "长白参语（示例）" in page.text
    assert "抚松县参源山货有限公司（示例）" in page.text
    assert f'href="/stations/{STATION}/ask"' in page.text
    assert "虚构的示例指导站" in page.text

    with sample_app.app_context(), unit_of_work(actor="test") as work:
        archive_producer(work, "fusong-shenyuan-co")
    assert "抚松县参源山货有限公司" not in client.get(f"/stations/{STATION}").text


def test_archived_and_draft_stations_are_hidden(client, sample_app):
    with sample_app.app_context():
        with unit_of_work(actor="test") as work:
            code = submit_request(work, STATION, GOOD).tracking_code
        with unit_of_work(actor="test") as work:
            archive_station(work, STATION)
        with unit_of_work(actor="test") as work:
            draft = station_data(slug="draft-station", status="draft")
            save_station(work, draft)
    directory = client.get("/stations").text
    assert "抚松县商标品牌指导站" not in directory and "草稿指导站" not in directory
    for url in (
        f"/stations/{STATION}",
        ASK,
        "/stations/draft-station",
        "/stations/draft-station/ask",
    ):
        assert client.get(url).status_code == 404, url
    with sample_app.app_context(), unit_of_work(actor="test") as work:
        with pytest.raises(ValidationError) as error:
            submit_request(work, STATION, GOOD)
        assert error.value.errors == {"station": "指导站：找不到该指导站"}
    # A request sent before the station closed can still be tracked; the name is no longer a link.
    status = client.get(f"/guidance/{code}")
    assert status.status_code == 200
    assert "抚松县商标品牌指导站（示例）" in status.text
    assert f'href="/stations/{STATION}"' not in status.text


def station_data(**fields):
    record = {
        "slug": "test-station",
        "name_zh": "草稿指导站",
        "region_code": "220581",
        "services": ["trademark"],
        "email": "test@example.org",
        "status": "published",
        "sample": True,
    }
    record.update(fields)
    return record


def test_save_station_names_each_bad_field_in_chinese(sample_ctx):
    bad = station_data(
        slug="Bad Slug",
        name_zh="",
        region_code="229999",
        services=["trademark", "astrology"],
        email="not-an-address",
        brands=["no-such-brand"],
        status="gone",
    )
    with unit_of_work(actor="test") as work, pytest.raises(ValidationError) as error:
        save_station(work, bad)
    errors = error.value.errors
    assert errors["slug"].startswith("标识：")
    assert errors["name_zh"] == "名称：不能为空"
    assert errors["services"].startswith("服务事项：第 2 项")
    assert errors["email"].startswith("电子邮箱：")
    assert errors["brands"] == "服务的品牌：找不到 no-such-brand"
    assert errors["status"].startswith("状态：")
    with unit_of_work(actor="test") as work, pytest.raises(ValidationError) as error:
        save_station(work, station_data(region_code="229999", services=[]))
    assert error.value.errors == {
        "services": "服务事项：至少选择一项",
        "region_code": "所在地区：未知的行政区划代码 229999",
    }


# -- the request form and the status page -------------------------------------------------------


def test_submit_gives_a_tracking_page_with_status_but_never_the_contact(client, sample_app):
    code = submitted_code(post_request(client))
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    landing = client.get(f"/guidance/{code}?new=1")
    assert landing.status_code == 200
    assert "咨询已提交" in landing.text and code in landing.text
    assert f'href="/guidance/{code}"' in landing.text

    page = client.get(f"/guidance/{code}")
    assert page.status_code == 200
    assert "已受理" in page.text and "地理标志专用标志使用" in page.text
    assert "抚松县商标品牌指导站（示例）" in page.text
    for private in (GOOD["requester_name"], GOOD["organisation"], GOOD["contact"], "1391234"):
        assert private not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"

    with sample_app.app_context():
        stored = find_request(code)
        assert stored.requester_name == GOOD["requester_name"]
        assert stored.contact == GOOD["contact"]
        assert stored.station.slug == STATION
        assert len(stored.client_hash) == 64 and "127.0.0.1" not in stored.client_hash


def test_a_code_is_found_however_it_is_typed_and_an_unknown_one_is_a_404(client):
    code = submitted_code(post_request(client))
    typed = code.replace("-", " ").lower()
    lookup = client.get("/guidance", query_string={"code": typed})
    assert lookup.status_code == 302 and lookup.headers["Location"] == f"/guidance/{code}"
    assert client.get(f"/guidance/{code.replace('-', '').lower()}").status_code == 200

    for unknown in ("ZZZZ-ZZZZ-ZZZZ", "nonsense", "0000-OOOO-1111"):
        page = client.get(f"/guidance/{unknown}")
        assert page.status_code == 404
        assert f"找不到咨询编号“{unknown}”" in page.text
    assert client.get("/guidance?code=%3Cscript%3E").status_code == 404
    assert "<script>" not in client.get("/guidance?code=%3Cscript%3E").text


def test_bad_input_shows_the_form_again_naming_each_field(client, sample_app):
    bad = {
        "topic": "brand",  # not offered by this station
        "question": "太短",
        "requester_name": "   ",
        "organisation": "x" * 201,
        "contact": "call me",
    }
    page = post_request(client, bad)
    assert page.status_code == 422
    errors = re.findall(r'class="field-error" id="(\w+)-error">([^<]*)<', page.text)
    assert dict(errors) == {
        "topic": "咨询事项：该指导站不受理此类事项，请选择其他事项或“其他”",
        "question": "问题描述：请至少写 10 个字，说明您要咨询的情况",
        "requester_name": "姓名：不能为空",
        "organisation": "单位：过长（201 字，最多 200 字）",
        "contact": "联系方式：请填写手机号、带区号的固定电话或电子邮箱",
    }
    assert 'aria-invalid="true"' in page.text
    assert ">call me<" not in page.text and 'value="call me"' in page.text  # kept, escaped

    odd = post_request(client, {"topic": "\x00", "question": "\x01" * 20, "contact": ""})
    assert odd.status_code == 422
    assert (
        "咨询事项：" in odd.text and "问题描述：" in odd.text and "联系方式：不能为空" in odd.text
    )
    with sample_app.app_context():
        assert request_count() == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        ("+86 139 1234 5678", "+8613912345678"),
        ("0431-88889999", "0431-88889999"),
        ("(0439) 6212345", "04396212345"),
        ("someone@example.org", "someone@example.org"),
    ],
)
def test_contact_accepts_phones_and_email(typed, stored):
    assert contact(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "139123456789", "someone@", "a@b", "微信 abc123"])
def test_contact_refuses_what_is_neither(typed):
    with pytest.raises(FieldError):
        contact(typed)


def test_the_form_needs_its_csrf_token(sample_app):
    client = sample_app.test_client()
    assert sample_app.config["WTF_CSRF_ENABLED"] is True
    refused = client.post(ASK, data=GOOD)
    assert refused.status_code == 400
    assert "表单已过期或无效" in refused.text
    forged = client.post(ASK, data={**GOOD, "csrf_token": "forged"})
    assert forged.status_code == 400
    with sample_app.app_context():
        assert request_count() == 0


def test_tracking_codes_are_random_and_unambiguous():
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    letters = set("".join(codes).replace("-", ""))
    assert letters <= set(CODE_ALPHABET)
    assert not letters & set("01OIL")
    assert normalise_code("abcd efgh jkmn") == "ABCD-EFGH-JKMN"
    assert normalise_code("ABCD-EFGH-JKM0") is None  # 0 is never used


# -- rate limit --------------------------------------------------------------------------------


def test_rate_limit_holds_across_two_app_instances_sharing_one_database(sample_app, tmp_path):
    limits = {"GUIDANCE_RATE_LIMIT": 2, "GUIDANCE_RATE_WINDOW": 600}
    sample_app.config.update(limits)
    url = sample_app.config["SQLALCHEMY_DATABASE_URI"]
    (tmp_path / "second").mkdir()
    second = make_app(tmp_path / "second", url, **limits)  # another worker: same database, same key
    first_client, second_client = sample_app.test_client(), second.test_client()
    visitor = {"REMOTE_ADDR": "203.0.113.7"}

    submitted_code(post_request(first_client, **visitor))
    submitted_code(post_request(second_client, **visitor))
    refused = post_request(first_client, **visitor)
    assert refused.status_code == 429
    assert "您在 10 分钟内已提交 2 次咨询，请稍后再试" in refused.text
    assert refused.headers["Retry-After"] == "600"
    assert post_request(second_client, **visitor).status_code == 429
    # Another address is not affected; the same /64 of an IPv6 subscriber counts as one client.
    submitted_code(post_request(second_client, REMOTE_ADDR="198.51.100.20"))
    submitted_code(post_request(first_client, REMOTE_ADDR="2001:db8:1:2::10"))
    submitted_code(post_request(first_client, REMOTE_ADDR="2001:db8:1:2::99"))
    assert post_request(second_client, REMOTE_ADDR="2001:db8:1:2:abcd::1").status_code == 429
    with sample_app.app_context():
        assert request_count() == 5
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


# -- staff CLI and history ---------------------------------------------------------------------


def test_answer_by_cli_shows_on_the_status_page_and_close_ends_it(client, sample_app, tmp_path):
    code = submitted_code(post_request(client))
    runner = sample_app.test_cli_runner()

    listed = runner.invoke(args=["guidance", "list", "--status", "received"])
    assert listed.exit_code == 0
    assert code in listed.output and GOOD["contact"] in listed.output  # staff see the contact
    other = runner.invoke(args=["guidance", "list", "--station", OTHER_STATION])
    assert code not in other.output and "没有符合条件的咨询" in other.output

    answer = "请携带营业执照复印件和产品产地证明，到站填写《地理标志专用标志使用申请书》。"
    result = runner.invoke(args=["guidance", "answer", code.lower(), "--text", answer])
    assert result.exit_code == 0, result.output
    page = client.get(f"/guidance/{code}")
    assert "已答复" in page.text and answer in page.text
    assert "答复日期" in page.text

    longer = tmp_path / "answer.txt"
    longer.write_text("第一段答复。\n\n第二段：<b>不是标签</b>", encoding="utf-8")
    assert runner.invoke(args=["guidance", "answer", code, "--file", str(longer)]).exit_code == 0
    page = client.get(f"/guidance/{code}")
    assert "第二段：&lt;b&gt;不是标签&lt;/b&gt;" in page.text and answer not in page.text

    assert runner.invoke(args=["guidance", "close", code]).exit_code == 0
    assert "已办结" in client.get(f"/guidance/{code}").text
    again = runner.invoke(args=["guidance", "answer", code, "--text", "再答复一次"])
    assert again.exit_code == 1 and "该咨询已办结，不能再答复" in again.output
    closed_again = runner.invoke(args=["guidance", "close", code])
    assert closed_again.exit_code == 1 and "该咨询已经办结" in closed_again.output


def test_cli_refuses_unknown_codes_and_empty_answers(client, sample_app):
    code = submitted_code(post_request(client))
    runner = sample_app.test_cli_runner()
    unknown = runner.invoke(args=["guidance", "answer", "ZZZZ-ZZZZ-ZZZZ", "--text", "答复"])
    assert unknown.exit_code == 1 and "找不到咨询编号 ZZZZ-ZZZZ-ZZZZ" in unknown.output
    empty = runner.invoke(args=["guidance", "answer", code, "--text", "  "])
    assert empty.exit_code == 1 and "答复：不能为空" in empty.output
    neither = runner.invoke(args=["guidance", "answer", code])
    assert neither.exit_code == 2 and "--text 或 --file" in neither.output
    assert "已受理" in client.get(f"/guidance/{code}").text


def test_history_records_who_changed_requests_and_stations(client, sample_app):
    code = submitted_code(post_request(client))
    runner = sample_app.test_cli_runner()
    runner.invoke(args=["guidance", "answer", code, "--text", "第一次答复的内容。"])
    runner.invoke(args=["guidance", "answer", code, "--text", "更正后的答复内容。"])

    with sample_app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "guidance").order_by(AuditEntry.id)
        ).all()
        first = entries[0]
        assert (first.action, first.actor, first.entity_key) == ("create", "guidance-form", code)
        assert [e.action for e in entries] == ["create", "update", "update"]
        assert entries[2].actor.startswith("cli")
        assert entries[2].changes["answer"] == ["第一次答复的内容。", "更正后的答复内容。"]
        first_answer = entries[1].id

    shown = runner.invoke(args=["history", "guidance", code])
    assert shown.exit_code == 0 and "guidance-form  create" in shown.output
    restored = runner.invoke(args=["history", "guidance", code, "--restore", str(first_answer)])
    assert restored.exit_code == 0, restored.output
    assert "第一次答复的内容。" in client.get(f"/guidance/{code}").text

    station = runner.invoke(args=["history", "stations", STATION])
    assert station.exit_code == 0 and "load-sample  create" in station.output
    with sample_app.app_context():
        with unit_of_work(actor="test") as work:
            archive_station(work, STATION)
        version = db.session.scalar(
            select(GuidanceStation.status).where(GuidanceStation.slug == STATION)
        )
        assert version == "archived"
    archived = runner.invoke(args=["history", "stations", STATION])
    assert (
        "test  archive" in archived.output and 'status: "published" → "archived"' in archived.output
    )


def test_loading_the_sample_twice_adds_no_station_history(sample_app):
    runner = sample_app.test_cli_runner()
    with sample_app.app_context():
        before = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "stations")
        )
        stations = db.session.scalars(select(GuidanceStation)).all()
        assert before == len(stations) == 6
        assert all(s.sample and s.email.endswith("@example.org") and not s.phone for s in stations)
    assert runner.invoke(args=["load-sample"]).exit_code == 0
    with sample_app.app_context():
        after = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "stations")
        )
    assert after == before


def test_behind_a_proxy_the_limit_counts_the_forwarded_client(sample_app, tmp_path):
    (tmp_path / "proxied").mkdir()
    url = sample_app.config["SQLALCHEMY_DATABASE_URI"]
    behind = make_app(tmp_path / "proxied", url, PROXY_HOPS=1, GUIDANCE_RATE_LIMIT=1)
    client = behind.test_client()

    def send(client_address: str):
        form = {"csrf_token": csrf_token(client), **GOOD}
        headers = {"X-Forwarded-For": client_address}
        return client.post(
            ASK, data=form, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        )

    submitted_code(send("203.0.113.1"))
    submitted_code(send("203.0.113.2"))  # another visitor through the same proxy
    assert send("203.0.113.2").status_code == 429
    with behind.app_context():
        db.session.remove()
        db.engine.dispose()


def test_producer_and_brand_pages_lead_to_the_stations_that_serve_them(client, sample_ctx):
    station_page = f"/stations/{OTHER_STATION}"
    for page in ("/producers/meihekou-hefengyuan-coop", "/brands/meihe-heyun-sample"):
        html = client.get(page).get_data(as_text=True)
        assert f'href="{station_page}"' in html and f'href="{station_page}/ask"' in html, page
    # Each page names its own stations only.
    tongyu = client.get("/producers/tongyu-muge-meat-co").get_data(as_text=True)
    assert 'href="/stations/taobei-station-sample"' in tongyu and station_page not in tongyu
    # An archived station is not offered any more, and a page with no station has no such section.
    with unit_of_work(actor="test") as work:
        archive_station(work, OTHER_STATION)
    after = client.get("/producers/meihekou-hefengyuan-coop").get_data(as_text=True)
    assert station_page not in after and "<h2>商标品牌指导站</h2>" not in after
