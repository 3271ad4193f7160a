"""Misuse reports (侵权投诉举报): the public form, the reporter's status page, the staff workflow under
/staff/reports, and the link from the verification page."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, MisuseReport, ReportNote
from gi_registry.models.base import Private
from gi_registry.services.errors import ConflictError, ValidationError
from gi_registry.services.reports import (
    add_note,
    change_status,
    find_report,
    link_report,
    submit_report,
)
from gi_registry.services.unit import unit_of_work
from tests.conftest import make_app
from tests.factories import credit_code, make_user, sign_in
from tests.langmarks import unmarked_chinese

NEW = "/reports/new"
GOOD = {
    "product": "梅河大米",
    "seller": "虚构粮油店 91220581MA0000001X",
    "location": "长春市某农贸市场 12 号摊位",
    "description": "包装上印有地理标志专用标志，但核验结果为未获授权。",
    "reporter_name": "王五虚构",
    "reporter_contact": "13812345678",
}


def picture(colour=(200, 30, 30), size=(400, 300), fmt="PNG", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def csrf_token(client, url: str = NEW) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def post_report(client, data=None, photos=(), **environ):
    form = {"csrf_token": csrf_token(client), **(GOOD if data is None else data)}
    form["evidence"] = [(io.BytesIO(p), f"photo{i}.png") for i, p in enumerate(photos)]
    return client.post(NEW, data=form, content_type="multipart/form-data", environ_base=environ)


def submitted_code(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    match = re.fullmatch(r"/reports/([A-Z0-9-]+)\?new=1", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MisuseReport))


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="field-error" id="(\w+)-error"[^>]*>([^<]*)<', html))


def english(client):
    client.set_cookie("lang", "en")
    return client


# -- the public form and the status page ---------------------------------------------------------


def test_a_report_is_filed_without_an_account_and_tracked_without_its_contact(client, sample_app):
    code = submitted_code(post_report(client, photos=[picture()]))
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    landing = client.get(f"/reports/{code}?new=1")
    assert landing.status_code == 200 and "举报已提交" in landing.text and code in landing.text

    page = client.get(f"/reports/{code}")
    assert page.status_code == 200
    assert "已收到" in page.text and "虚构粮油店" in page.text
    for private in (GOOD["reporter_name"], GOOD["reporter_contact"], "1381234", "evidence"):
        assert private not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Robots-Tag"] == "noindex"

    with sample_app.app_context():
        stored = find_report(code)
        assert stored.reporter_contact == "13812345678"
        assert stored.product is not None and stored.product.slug == "meihe-dami"  # by its name
        assert len(stored.evidence) == 1 and len(stored.client_hash) == 64
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "reports"))
        assert entry.action == "create" and entry.actor == "report-form"


def test_a_code_is_found_however_typed_and_an_unknown_one_is_a_404(client):
    code = submitted_code(post_report(client))
    lookup = client.get("/reports", query_string={"code": code.replace("-", " ").lower()})
    assert lookup.status_code == 302 and lookup.headers["Location"] == f"/reports/{code}"
    for unknown in ("ZZZZ-ZZZZ-ZZZZ", "nonsense", "new1"):
        page = client.get(f"/reports/{unknown}")
        assert page.status_code == 404 and f"找不到举报编号“{unknown}”" in page.text
    assert "<script>" not in client.get("/reports?code=%3Cscript%3E").text


def test_the_form_needs_its_csrf_token(sample_app):
    client = sample_app.test_client()
    assert client.post(NEW, data=GOOD).status_code == 400
    assert client.post(NEW, data={**GOOD, "csrf_token": "forged"}).status_code == 400
    with sample_app.app_context():
        assert report_count() == 0


def test_bad_input_names_each_field_and_keeps_what_was_typed(client, sample_app):
    bad = {
        "product": "  ",
        "seller": "x" * 301,
        "location": "",
        "description": "太短了",
        "reporter_contact": "call me",
    }
    page = post_report(client, bad)
    assert page.status_code == 422
    assert field_errors(page.text) == {
        "product": "产品：不能为空",
        "seller": "销售者或店铺：过长（301 字，最多 300 字）",
        "location": "发现地点：不能为空",
        "description": "情况描述：请至少写 10 个字，说明您看到的情况",
        "reporter_contact": "联系方式：请填写手机号、带区号的固定电话或电子邮箱",
    }
    assert 'value="call me"' in page.text
    with sample_app.app_context():
        assert report_count() == 0


def test_field_errors_are_english_on_english_pages_and_mark_their_chinese(client):
    english(client)
    page = post_report(client, {**GOOD, "description": "太短了", "reporter_contact": "nope"})
    assert page.status_code == 422
    errors = field_errors(page.text)
    assert errors["description"].startswith("Description: ")
    assert errors["reporter_contact"].startswith("Contact: ")
    assert unmarked_chinese(page.text) == []


def test_the_verification_page_prefills_the_form(client, sample_app):
    page = client.get("/reports/new?product=meihe-dami&seller=%E6%9F%90%E5%BA%97")
    assert 'value="梅河大米"' in page.text and 'value="某店"' in page.text
    assert '<datalist id="gi-products">' in page.text


# -- evidence ------------------------------------------------------------------------------------


def test_evidence_is_reencoded_into_the_private_folder_and_served_to_staff_only(client, sample_app):
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    photo = picture(fmt="JPEG", exif=exif.tobytes())
    code = submitted_code(post_report(client, photos=[photo, picture((0, 90, 0))]))
    with sample_app.app_context():
        stored = find_report(code)
        paths = list(stored.evidence)
    private_root = Path(sample_app.config["PRIVATE_MEDIA_ROOT"])
    assert len(paths) == 2
    for path in paths:
        assert path.startswith("reports/")
        data = (private_root / path).read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and b"SecretCamera" not in data
        assert (private_root / path).stat().st_mode & 0o077 == 0
    media_root = Path(sample_app.config["MEDIA_ROOT"])
    assert not any(p.name.endswith(Path(paths[0]).name) for p in media_root.rglob("*.jpg"))

    url = f"/staff/reports/{code}/evidence/1"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    with sample_app.app_context():
        sign_in(client, make_user("curator@example.org", role="staff"))
    shown = client.get(url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/staff/reports/{code}/evidence/3").status_code == 404
    assert client.get(f"/staff/reports/{code}/evidence/0").status_code == 404


@pytest.mark.parametrize(
    ("upload", "problem"),
    [
        (b"<?php system($_GET['c']); ?>", "无法识别的图片文件"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "无法识别"),
        (picture()[:200], "图片文件已损坏或不完整"),
        (picture(size=(20, 20)), "图片太小"),
    ],
    ids=["php", "svg", "truncated", "tiny"],
)
def test_hostile_or_broken_files_are_refused_naming_the_photo(client, sample_app, upload, problem):
    page = post_report(client, photos=[picture(), upload])
    assert page.status_code == 422
    message = field_errors(page.text)["evidence"]
    assert message.startswith("证据照片：第 2 张照片：") and problem in message
    with sample_app.app_context():
        assert report_count() == 0


def test_a_decompression_bomb_and_too_many_photos_are_refused(client, sample_app):
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # tiny file, 400 megapixels
    page = post_report(client, photos=[buffer.getvalue()])
    assert page.status_code == 422 and "图片尺寸过大" in field_errors(page.text)["evidence"]
    many = [picture((i * 30, 0, 0)) for i in range(7)]
    page = post_report(client, photos=many)
    assert field_errors(page.text)["evidence"] == "证据照片：最多上传 6 张照片"
    with sample_app.app_context():
        assert report_count() == 0


# -- rate limit ----------------------------------------------------------------------------------


def test_rate_limit_holds_across_two_app_instances_sharing_one_database(sample_app, tmp_path):
    limits = {"REPORT_RATE_LIMIT": 2, "REPORT_RATE_WINDOW": 600}
    sample_app.config.update(limits)
    (tmp_path / "second").mkdir()
    second = make_app(tmp_path / "second", sample_app.config["SQLALCHEMY_DATABASE_URI"], **limits)
    first_client, second_client = sample_app.test_client(), second.test_client()
    visitor = {"REMOTE_ADDR": "203.0.113.9"}
    submitted_code(post_report(first_client, **visitor))
    submitted_code(post_report(second_client, **visitor))
    refused = post_report(first_client, **visitor)
    assert refused.status_code == 429
    assert "您在 10 分钟内已提交 2 次举报" in refused.text
    assert refused.headers["Retry-After"] == "600"
    assert post_report(second_client, **visitor).status_code == 429
    submitted_code(post_report(second_client, REMOTE_ADDR="198.51.100.30"))
    with sample_app.app_context():
        assert report_count() == 3
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


# -- staff workflow -------------------------------------------------------------------------------


def file_report(**changes) -> str:
    with unit_of_work(actor="visitor") as work:
        return submit_report(work, {**GOOD, **changes}).tracking_code


def test_transitions_follow_the_workflow_and_illegal_ones_are_refused(sample_ctx):
    staff = make_user("curator@example.org", role="staff")
    code = file_report()
    with pytest.raises(ValidationError) as refused, unit_of_work(user=staff) as work:
        change_status(work, code, "resolved", "已处理。")
    assert refused.value.errors == {"status": "不能从“已收到”改为“已处理”"}
    with pytest.raises(ValidationError) as empty, unit_of_work(user=staff) as work:
        change_status(work, code, "investigating", "  ")
    assert empty.value.errors == {"public_answer": "公开答复：不能为空"}
    with unit_of_work(user=staff) as work:
        change_status(work, code, "investigating", "已转交市场监管部门调查。")
    with pytest.raises(ConflictError), unit_of_work(user=staff) as work:
        change_status(work, code, "resolved", "已处理。", expected_version=1)
    with unit_of_work(user=staff) as work:
        change_status(work, code, "resolved", "经查属实，已责令停止使用专用标志。")
    for later in ("investigating", "dismissed", "received"):
        with pytest.raises(ValidationError), unit_of_work(user=staff) as work:
            change_status(work, code, later, "再改一次。")
    with pytest.raises(ValidationError), unit_of_work(user=staff) as work:
        change_status(work, code, "closed", "未知状态。")
    # Plainly not about the mark: dismissed without an investigation.
    other = file_report()
    with unit_of_work(user=staff) as work:
        change_status(work, other, "dismissed", "举报内容与地理标志无关，不予处理。")
    assert find_report(other).status == "dismissed"


def test_the_report_workflow_end_to_end_through_the_pages(client, sample_app):
    code = submitted_code(post_report(client, photos=[picture()]))
    with sample_app.app_context():
        staff = make_user("curator@example.org", role="staff")
        staff_email = staff.email
        sign_in(client, staff)
    listing = client.get("/staff/reports/")
    assert listing.status_code == 200 and code in listing.text
    assert code in client.get("/staff/reports/?status=received").text
    assert code not in client.get("/staff/reports/?status=resolved").text

    page = client.get(f"/staff/reports/{code}")
    assert page.status_code == 200
    for shown in (
        GOOD["reporter_name"],
        GOOD["reporter_contact"],
        f"/staff/reports/{code}/evidence/1",
    ):
        assert shown in page.text
    assert "meihekou-hefengyuan-coop" not in page.text  # no producer with that code
    base = f"/staff/reports/{code}"

    def post(action: str, data: dict):
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(base).text)
        return client.post(f"{base}/{action}", data={"csrf_token": token.group(1), **data})

    assert post("note", {"note": ""}).status_code == 422
    assert post("note", {"note": "已电话联系举报人，核实了店铺位置。"}).status_code == 303
    linked = post("link", {"product": "meihe-dami", "producer": "nope", "version": "1"})
    assert linked.status_code == 422 and "经营主体：找不到 nope" in linked.text
    with sample_app.app_context():
        version = find_report(code).version
    linked = post(
        "link", {"product": "meihe-dami", "producer": "93220581MA0000107M", "version": version}
    )
    assert linked.status_code == 303
    with sample_app.app_context():
        version = find_report(code).version
    answer = "已转交梅河口市市场监督管理局调查。"
    moved = post(
        "status",
        {
            "target": "investigating",
            "investigating-csrf_token": re.search(
                r'name="investigating-csrf_token" type="hidden" value="([^"]+)"',
                client.get(base).text,
            ).group(1),
            "investigating-status": "investigating",
            "investigating-version": version,
            "investigating-public_answer": answer,
        },
    )
    assert moved.status_code == 303, moved.get_data(as_text=True)[:2000]
    page = client.get(base)
    assert "已电话联系举报人" in page.text and answer in page.text
    assert (
        "/producers/meihekou-hefengyuan-coop" in page.text and "/products/meihe-dami" in page.text
    )
    assert "添加了内部备注" in page.text and "状态从“已收到”改为“调查中”" in page.text

    public = sample_app.test_client().get(f"/reports/{code}")
    assert answer in public.text and "调查中" in public.text
    assert "已电话联系举报人" not in public.text and GOOD["reporter_contact"] not in public.text

    with sample_app.app_context():
        report = find_report(code)
        assert report.producer.slug == "meihekou-hefengyuan-coop"
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "reports").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["create", "update", "update", "update"]
        assert all(e.actor == staff_email and e.user_id is not None for e in entries[1:])
        assert entries[-1].changes["status"] == ["received", "investigating"]
        note = db.session.scalar(select(ReportNote))
        assert note.author == staff_email


def test_an_illegal_transition_through_the_page_is_refused(client, sample_app):
    with sample_app.app_context():
        code = file_report()
        sign_in(client, make_user("curator@example.org", role="staff"))
    base = f"/staff/reports/{code}"
    token = re.search(
        r'name="investigating-csrf_token" type="hidden" value="([^"]+)"', client.get(base).text
    ).group(1)
    refused = client.post(
        f"{base}/status",
        data={
            "target": "investigating",
            "investigating-csrf_token": token,
            "investigating-status": "resolved",
            "investigating-public_answer": "跳过调查。",
        },
    )
    assert refused.status_code == 422 and "不能从“已收到”改为“已处理”" in refused.text
    with sample_app.app_context():
        assert find_report(code).status == "received"


def staff_routes(app) -> list[tuple[str, str]]:
    """Every /staff/reports route from the URL map, with each method it answers."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/reports"):
            continue
        path = rule.rule.replace("<code>", "{code}").replace("<int:number>", "1")
        routes += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_anonymous_visitors_and_producers_get_nothing_from_any_staff_report_route(sample_app):
    routes = staff_routes(sample_app)
    assert len(routes) >= 6, routes  # the list, a report, evidence, note, link, status
    anonymous, member = sample_app.test_client(), sample_app.test_client()
    with sample_app.app_context():
        code = file_report()
        sign_in(member, make_user("seller@example.org", producer="meihekou-hefengyuan-coop"))
    # Each visitor's own valid token, so a refusal is the role check's and not CSRF's.
    tokens = {id(visitor): csrf_token(visitor) for visitor in (anonymous, member)}
    for method, path in routes:
        url = path.format(code=code)
        for visitor, expected in ((anonymous, {302}), (member, {403})):
            data = {"csrf_token": tokens[id(visitor)], "note": "x", "target": "resolved"}
            answer = visitor.open(url, method=method, data=data)
            assert answer.status_code in expected, (method, url, answer.status_code)
            assert GOOD["reporter_contact"] not in answer.get_data(as_text=True)
            if answer.status_code == 302:
                assert "/login" in answer.headers["Location"]
    with sample_app.app_context():
        assert find_report(code).status == "received" and not find_report(code).notes


# -- the verification page ---------------------------------------------------------------------


@pytest.mark.parametrize("state", ["expired", "revoked", "suspended"])
def test_a_mark_that_may_not_be_used_links_to_the_report_form(ctx, state):
    from tests.test_verify import current, register

    code = register(auths=[("test-rice", current(status=state))])
    client = ctx.test_client()
    html = client.get(f"/verify?credit_code={code}").get_data(as_text=True)
    links = re.findall(r'href="(/reports/new[^"]*)"', html)
    assert len(links) == 1
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query["product"] == ["test-rice"]
    assert query["seller"] == [f"coop合作社（示例） {code}"]
    form = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="测试大米"' in form and f"{code}" in form


def test_an_unknown_code_links_with_what_was_typed_and_a_valid_mark_does_not(ctx):
    from tests.test_verify import current, register

    code = register(auths=[("test-rice", current())])
    client = ctx.test_client()
    assert "/reports/new" not in client.get(f"/verify?credit_code={code}").text
    unknown = credit_code(serial=99)
    html = client.get(f"/verify?credit_code={unknown}").get_data(as_text=True)
    assert "名录中没有统一社会信用代码" in html
    assert f'href="/reports/new?seller={unknown}"' in html
    assert 'href="/reports/new"' in client.get("/verify/report").text


# -- privacy and languages -----------------------------------------------------------------------


def test_reports_are_private_rows_that_leave_the_cached_pages_alone(sample_ctx):
    from gi_registry.services.changes import registry_stamp

    assert {MisuseReport, ReportNote} <= set(Private.__subclasses__())
    stamp = registry_stamp()
    staff = make_user("curator@example.org", role="staff")
    code = file_report()
    with unit_of_work(user=staff) as work:
        add_note(work, code, "内部备注。")
        link_report(work, code, product="meihe-dami")
        change_status(work, code, "investigating", "调查中。")
    assert registry_stamp() == stamp


def test_english_pages_mark_their_chinese(client, sample_app):
    english(client)
    code = submitted_code(post_report(client, photos=[picture()]))
    with sample_app.app_context():
        staff = make_user("curator@example.org", role="staff")
        with unit_of_work(user=staff) as work:
            add_note(work, code, "内部备注：已核实。")
            change_status(work, code, "investigating", "已转交调查。")
        staff_id = staff.id
    pages = [NEW, "/reports", f"/reports/{code}", f"/reports/{code}?new=1", "/reports?code=NOPE"]
    for url in pages:
        page = client.get(url)
        assert page.status_code in (200, 404), url
        assert unmarked_chinese(page.get_data(as_text=True)) == [], url
    with client.session_transaction() as session:
        session["_user_id"] = str(staff_id)
    for url in ("/staff/reports/", f"/staff/reports/{code}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert unmarked_chinese(page.get_data(as_text=True)) == [], url


def test_the_staff_dashboard_counts_open_reports_and_the_navigation_leads_to_them(
    client, sample_app
):
    with sample_app.app_context():
        staff = make_user("curator@example.org", role="staff")
        codes = [file_report(), file_report(product="虚构人参")]
        with unit_of_work(user=staff) as work:
            change_status(work, codes[0], "investigating", "调查中。")
            change_status(work, file_report(), "dismissed", "与地理标志无关。")
        sign_in(client, staff)
    dashboard = client.get("/staff/")
    assert dashboard.status_code == 200
    queue = re.search(
        r'<a href="/staff/reports/">([^<]*)</a> <span class="badge count">(\d+)<', dashboard.text
    )
    assert queue and queue.group(2) == "2"  # received and investigating; not the dismissed one
    assert all(f"/staff/reports/{code}" in dashboard.text for code in codes)
    listing = client.get("/staff/reports/")
    assert 'aria-current="page">侵权投诉举报<' in listing.text
