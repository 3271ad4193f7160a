"""专用标志核验: /verify, /verify/<token>, /api/v1/verify and the lookups behind them."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import segno
from flask import url_for
from PIL import Image
from sqlalchemy import select

from gi_registry import localtime
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import Authorization, Producer
from gi_registry.services.authorizations import rotate_verify_token
from gi_registry.services.errors import ConflictError, NotFoundError
from gi_registry.services.revisions import record_history
from gi_registry.services.unit import unit_of_work
from gi_registry.verify import lookup
from tests import factories as f
from tests.sqlcount import statements

PRODUCTS = {"test-rice": "测试大米", "test-beans": "测试绿豆", "draft-honey": "草稿蜂蜜"}


def day(offset: int) -> str:
    """A date ``offset`` days from today in the province's calendar, as the importer takes it."""
    return (localtime.local_today() + timedelta(days=offset)).isoformat()


def shown(offset: int) -> str:
    """The same day as a Chinese page writes it (2026年1月2日)."""
    moment = localtime.local_today() + timedelta(days=offset)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def register(slug: str = "coop", serial: int = 1, auths=(), **producer_fields) -> str:
    """Import three products (one a draft), a producer and its authorisations; return its code."""
    products = [
        f.product(s, name_zh=name, status="draft" if s.startswith("draft") else "published")
        for s, name in PRODUCTS.items()
    ]
    producer = f.producer(slug, serial=serial, name_zh=f"{slug}合作社（示例）", **producer_fields)
    authorizations = [f.authorization(slug, product, **fields) for product, fields in auths]
    document = f.document(products=products, producers=[producer], authorizations=authorizations)
    assert import_document(document).ok
    return f.credit_code(serial=serial)


def current(**fields):
    return {"valid_from": day(-30), "valid_to": day(365), **fields}


def token_of(producer_slug: str, product_slug: str = "test-rice") -> str:
    return db.session.scalar(
        select(Authorization.verify_token)
        .join(Authorization.producer)
        .where(Producer.slug == producer_slug)
        .where(Authorization.product.has(slug=product_slug))
    )


@pytest.fixture
def web(ctx):
    with ctx.test_request_context():  # for url_for in the tests
        yield ctx.test_client()


def page_text(response) -> str:
    """The main content as plain text, spaces squeezed."""
    html = response.get_data(as_text=True)
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def api(web, **params):
    response = web.get(url_for("api.verify", **params))
    return response.status_code, response.get_json()


# --- Answers


def test_a_valid_authorisation_is_authorized_on_the_page_and_in_the_api(ctx, web):
    code = register(auths=[("test-rice", current(number="吉GI-2025-007"))])
    text = page_text(web.get(url_for("verify.lookup", credit_code=code)))
    assert "coop合作社（示例）已获授权使用地理标志专用标志" in text
    assert f"已获授权使用“ 测试大米 ”地理标志专用标志，有效期自{shown(-30)}至{shown(365)}。" in text
    status, body = api(web, credit_code=code)
    assert status == 200
    assert body["status"] == "authorized"
    assert body["producer"]["slug"] == "coop" and body["producer"]["credit_code"] == code
    assert body["producer"]["url"] == "/producers/coop"
    [auth] = body["authorizations"]
    assert auth == {
        "product": {"slug": "test-rice", "name_zh": "测试大米", "url": "/products/test-rice"},
        "producer": {"slug": "coop", "name_zh": "coop合作社（示例）", "sample": True},
        "number": "吉GI-2025-007",
        "valid_from": day(-30),
        "valid_to": day(365),
        "status": "authorized",
    }


def test_the_answer_links_to_producer_product_and_how_to_report(ctx, web):
    code = register(auths=[("test-rice", current())])
    html = web.get(url_for("verify.lookup", credit_code=code)).get_data(as_text=True)
    for href in ("/producers/coop", "/products/test-rice", "/verify/report"):
        assert f'href="{href}"' in html, href


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"valid_from": -400, "valid_to": -1}, "expired", "已过期"),
        ({"status": "expired"}, "expired", "已过期"),
        ({"status": "suspended"}, "suspended", "已被暂停"),
        ({"status": "revoked"}, "revoked", "已被撤销"),
    ],
    ids=["valid-to-yesterday", "marked-expired", "suspended", "revoked"],
)
def test_an_authorisation_that_may_not_be_used_says_why(ctx, web, fields, status, words):
    # Offsets become dates here: the parameters are built before any app (and its time zone) exists.
    fields = {k: day(v) if isinstance(v, int) else v for k, v in fields.items()}
    code = register(auths=[("test-rice", current(**fields))])
    assert api(web, credit_code=code)[1]["status"] == status
    assert api(web, credit_code=code)[1]["authorizations"][0]["status"] == status
    text = page_text(web.get(url_for("verify.lookup", credit_code=code)))
    assert f"coop合作社（示例）的专用标志使用授权{words}" in text
    assert "已获授权使用" not in text


def test_an_authorisation_not_yet_valid_is_not_authorized(ctx, web):
    code = register(auths=[("test-rice", current(valid_from=day(1)))])
    status, body = api(web, credit_code=code)
    assert (status, body["status"]) == (200, "not_authorized")
    assert body["authorizations"][0]["status"] == "not_yet_valid"
    assert f"自{shown(1)}" in page_text(web.get(url_for("verify.lookup", credit_code=code)))


# 16:30 UTC on 1 January is half past midnight on 2 January in 吉林.
JILIN_NEW_DAY = datetime(2025, 1, 1, 16, 30, tzinfo=UTC)


def test_yesterday_is_yesterday_in_jilin_not_on_the_servers_clock(ctx, web, monkeypatch):
    monkeypatch.setattr(localtime, "now_utc", lambda: JILIN_NEW_DAY)
    # valid_to is 1 January: still today in UTC, already yesterday in 吉林.
    code = register(auths=[("test-rice", {"valid_from": "2024-01-01", "valid_to": "2025-01-01"})])
    assert api(web, credit_code=code)[1]["status"] == "expired"
    assert lookup.by_credit_code(code, today=date(2025, 1, 1)).status == "authorized"


@pytest.mark.parametrize(
    ("states", "overall"),
    [
        (["authorized", "revoked"], "authorized"),
        (["expired", "revoked", "suspended"], "revoked"),
        (["expired", "suspended"], "suspended"),
        (["not_yet_valid", "expired"], "expired"),
        (["not_yet_valid"], "not_authorized"),
        ([], "not_authorized"),
    ],
)
def test_precedence_over_several_authorisations(states, overall):
    assert lookup.overall_status(states) == overall


def test_one_valid_and_one_revoked_is_authorized_listing_each(ctx, web):
    code = register(
        auths=[("test-rice", current()), ("test-beans", current(status="revoked"))],
    )
    body = api(web, credit_code=code)[1]
    assert body["status"] == "authorized"
    by_product = {a["product"]["slug"]: a["status"] for a in body["authorizations"]}
    assert by_product == {"test-rice": "authorized", "test-beans": "revoked"}
    text = page_text(web.get(url_for("verify.lookup", credit_code=code)))
    assert "“ 测试绿豆 ”地理标志专用标志的使用授权已被撤销" in text


def test_a_producer_without_authorisation_is_not_authorized(ctx, web):
    code = register()
    status, body = api(web, credit_code=code)
    assert (status, body["status"], body["authorizations"]) == (200, "not_authorized", [])
    assert body["producer"]["slug"] == "coop"
    assert "coop合作社（示例）未获授权使用地理标志专用标志" in page_text(
        web.get(url_for("verify.lookup", credit_code=code))
    )


def test_an_unknown_but_well_formed_credit_code_is_unknown(ctx, web):
    register(auths=[("test-rice", current())])
    unknown = f.credit_code(serial=999)
    status, body = api(web, credit_code=unknown)
    assert (status, body) == (
        200,
        {
            "status": "unknown",
            "query": {"by": "credit_code", "value": unknown},
            "producer": None,
            "authorizations": [],
        },
    )
    text = page_text(web.get(url_for("verify.lookup", credit_code=unknown)))
    assert f"名录中没有统一社会信用代码为 {unknown} 的经营主体" in text


def test_a_credit_code_is_normalised_before_the_lookup(ctx, web):
    code = register(auths=[("test-rice", current())])
    typed = " " + code[:6].lower() + "－" + code[6:] + " "  # full-width hyphen, spaces, lower case
    assert api(web, credit_code=typed)[1]["status"] == "authorized"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91220581MA0000001X", "校验位不正确"),
        ("12345", "应为18位"),
        ("91220581MA000000I0", "不允许的字符"),
        ("", "请输入统一社会信用代码"),
    ],
)
def test_a_malformed_credit_code_is_a_400_naming_the_field(ctx, web, value, message):
    status, body = api(web, credit_code=value)
    assert status == 400
    assert body["error"]["message"].startswith("credit_code: ")
    assert message in body["error"]["message"]
    # The page shows the same message at the field, not an answer.
    response = web.get(url_for("verify.lookup", credit_code=value))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and message in html
    assert "verdict" not in html


def test_answers_are_revalidated_because_they_change_at_midnight(ctx, web):
    code = register(auths=[("test-rice", current())])
    for response in (
        web.get(url_for("verify.lookup", credit_code=code)),
        web.get(url_for("verify.token", token=token_of("coop"))),
        web.get(url_for("api.verify", credit_code=code)),
    ):
        assert response.cache_control.no_cache, response.request.path


def test_every_page_leads_to_the_check_and_to_reporting(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/verify"' in html and 'href="/verify/report"' in html


def test_a_missing_parameter_is_a_400(ctx, web):
    status, body = api(web)
    assert status == 400 and "credit_code" in body["error"]["message"]


def test_lookup_by_number(ctx, web):
    code = register(auths=[("test-rice", current(number="吉 GI-2025-007"))])
    for typed in ("吉 GI-2025-007", " 吉GI-2025-007 "):
        body = api(web, number=typed)[1]
        assert body["status"] == "authorized", typed
        assert body["producer"]["credit_code"] == code
    assert api(web, number="吉GI-2025-008")[1]["status"] == "unknown"
    # The page's one box takes a number or a code.
    page = web.get(url_for("verify.lookup", code="吉 GI-2025-007"))
    assert "已获授权使用" in page_text(page)
    assert 'name="q" value=""' in page.get_data(as_text=True)  # the header's search box stays empty
    assert "已获授权使用" in page_text(web.get(url_for("verify.lookup", code=code)))
    assert "校验位不正确" in page_text(web.get(url_for("verify.lookup", code=code[:-1] + "0")))
    assert "查不到编号为“不存在-1”" in page_text(web.get(url_for("verify.lookup", code="不存在-1")))


def test_a_check_costs_the_same_few_statements_however_many_authorisations(ctx):
    one = register("one", 1, auths=[("test-rice", current(number="N-1"))])
    many = register(
        "many",
        2,
        auths=[("test-rice", current(number="N-2")), ("test-beans", current(number="N-2"))],
    )
    counts = {}
    for name, check in (
        ("one", lambda: lookup.by_credit_code(one)),
        ("many", lambda: lookup.by_credit_code(many)),
    ):
        db.session.expire_all()
        with statements(ctx) as seen:
            assert check().status == "authorized"
        counts[name] = len(seen)
    assert counts["one"] == counts["many"] <= 3, counts
    db.session.expire_all()
    with statements(ctx) as seen:
        assert lookup.by_code_or_number(many).status == "authorized"  # a code: no number scan
    assert len(seen) == counts["many"]


# --- QR tokens


def test_a_token_answers_for_its_own_authorisation(ctx, web):
    register(auths=[("test-rice", current()), ("test-beans", current(status="suspended"))])
    rice, beans = token_of("coop", "test-rice"), token_of("coop", "test-beans")
    assert len(rice) >= 22 and rice != beans
    response = web.get(url_for("verify.token", token=rice))
    assert response.status_code == 200
    text = page_text(response)
    assert "已获授权使用“ 测试大米 ”" in text and "测试绿豆" not in text
    suspended = page_text(web.get(url_for("verify.token", token=beans)))
    assert "已被暂停" in suspended and "测试大米" not in suspended
    assert api(web, token=beans)[1]["status"] == "suspended"


@pytest.mark.parametrize("token", ["no-such-token-000000000", "x", "a" * 300, "%00", "..", "报告"])
def test_an_unknown_token_is_a_404_page_that_says_so(ctx, web, token):
    response = web.get(url_for("verify.token", token=token))
    assert response.status_code == 404
    assert "名录中查不到这个核验码" in page_text(response)


# --- What stays hidden


@pytest.mark.parametrize(
    "producer_fields",
    [{"status": "archived"}, {"status": "pending"}, {"status": "suspended"}],
    ids=["archived", "pending", "suspended"],
)
def test_a_producer_the_public_cannot_see_is_not_authorized_and_not_named(
    ctx, web, producer_fields
):
    code = register(auths=[("test-rice", current())], **producer_fields)
    token = token_of("coop")
    for check in ({"credit_code": code}, {"token": token}):
        status, body = api(web, **check)
        assert (status, body["status"], body["producer"], body["authorizations"]) == (
            200,
            "not_authorized",
            None,
            [],
        ), check
    for response in (
        web.get(url_for("verify.lookup", credit_code=code)),
        web.get(url_for("verify.token", token=token)),
    ):
        text = page_text(response)
        assert "该主体目前未获授权使用地理标志专用标志" in text
        assert "coop合作社" not in text and "测试大米" not in text


def test_an_authorisation_for_a_draft_product_stays_hidden(ctx, web):
    code = register(auths=[("draft-honey", current(number="草稿-1"))])
    body = api(web, credit_code=code)[1]
    assert (body["status"], body["authorizations"]) == ("not_authorized", [])
    assert api(web, number="草稿-1")[1]["status"] == "unknown"
    token_body = api(web, token=token_of("coop", "draft-honey"))[1]
    assert (token_body["status"], token_body["authorizations"]) == ("not_authorized", [])
    assert "草稿蜂蜜" not in page_text(web.get(url_for("verify.lookup", credit_code=code)))


# --- Bad input never breaks anything

JUNK = [
    "",
    " ",
    "'; DROP TABLE producers; --",
    "<script>alert(1)</script>",
    "\x00",
    "🌾" * 80,
    "9" * 5000,
]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("name", ["credit_code", "number", "token", "code"])
def test_no_input_gives_a_server_error(ctx, web, name, junk):
    page = web.get("/verify", query_string={name: junk})
    assert page.status_code == 200
    assert "<script>alert" not in page.get_data(as_text=True)
    status, body = api(web, **{name: junk})
    assert status in (200, 400) and body["error" if status == 400 else "status"]


# --- QR labels and token rotation (flask authorization …)

PUBLIC_URL = "https://gi.example.cn/registry"


@pytest.fixture
def labelled(ctx, tmp_path):
    """A valid authorisation, PUBLIC_URL set, and a CLI runner."""
    register(auths=[("test-rice", current(number="吉GI-2025-007"))])
    ctx.config["PUBLIC_URL"] = PUBLIC_URL
    return ctx.test_cli_runner()


def decode(png: bytes) -> list[str]:
    """What a phone camera would read: zxing-cpp, the decoder behind many Android scanners."""
    zxingcpp = pytest.importorskip("zxingcpp")
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("key", ["吉GI-2025-007", "coop/test-rice", "{id}"])
def test_a_png_label_decodes_to_the_canonical_verify_url(labelled, tmp_path, key):
    auth = db.session.scalar(select(Authorization))
    out = tmp_path / "label.png"
    result = labelled.invoke(args=["authorization", "label", key.format(id=auth.id), "--out", out])
    assert result.exit_code == 0, result.output
    assert decode(out.read_bytes()) == [f"{PUBLIC_URL}/verify/{auth.verify_token}"]
    with Image.open(out) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_an_svg_label_holds_the_same_code_as_a_fresh_encode(labelled, tmp_path):
    auth = db.session.scalar(select(Authorization))
    out = tmp_path / "label.svg"
    result = labelled.invoke(
        args=["authorization", "label", str(auth.id), "--out", out, "--size", "30"]
    )
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert 'width="' in svg and "测试大米" in svg and "吉GI-2025-007" in svg
    expected = segno.make_qr(
        f"{PUBLIC_URL}/verify/{auth.verify_token}", error="m", boost_error=False
    )
    assert svg_modules(svg) == dark_modules(expected)


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules a label's path draws (runs ``M x y h n v1 …z``), quiet zone removed."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    cells = set()
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        cells |= {(int(x) - 4 + i, int(y) - 4) for i in range(int(run))}
    return cells


def dark_modules(code) -> set[tuple[int, int]]:
    return {(x, y) for y, row in enumerate(code.matrix) for x, dark in enumerate(row) if dark}


def test_a_label_needs_the_public_address(labelled, tmp_path):
    labelled.app.config["PUBLIC_URL"] = None
    result = labelled.invoke(
        args=["authorization", "label", "coop/test-rice", "--out", tmp_path / "x.svg"]
    )
    assert result.exit_code != 0 and "GI_PUBLIC_URL" in result.output
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("key", ["9999", "nobody/test-rice", "不存在-1"])
def test_a_label_for_an_unknown_key_is_refused(labelled, key):
    result = labelled.invoke(args=["authorization", "label", key])
    assert result.exit_code != 0 and "找不到专用标志使用授权" in result.output


def test_rotating_the_token_retires_the_old_label(labelled, web):
    auth = db.session.scalar(select(Authorization))
    old, version = auth.verify_token, auth.version
    result = labelled.invoke(args=["authorization", "rotate-token", str(auth.id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    auth = db.session.get(Authorization, auth.id)
    assert auth.verify_token != old and auth.version == version + 1
    old_page = web.get(url_for("verify.token", token=old))
    assert old_page.status_code == 404 and "名录中查不到这个核验码" in page_text(old_page)
    assert api(web, token=old)[1]["status"] == "unknown"
    assert api(web, token=auth.verify_token)[1]["status"] == "authorized"
    [entry] = [r for r in record_history("authorizations", auth.id) if "verify_token" in r.changes]
    assert entry.changes["verify_token"] == (old, auth.verify_token)
    assert entry.actor.startswith("cli")


def test_rotation_checks_the_version_a_form_showed(ctx):
    register(auths=[("test-rice", current())])
    auth = db.session.scalar(select(Authorization))
    with pytest.raises(ConflictError), unit_of_work(actor="test") as work:
        rotate_verify_token(work, auth.id, expected_version=auth.version - 1)
    with pytest.raises(NotFoundError), unit_of_work(actor="test") as work:
        rotate_verify_token(work, auth.id + 1000)
