"""GI-mark authorisations in the staff area: grant, renew, suspend, reinstate and revoke through the
pages, each seen at once by the public verification page and API (same app, no cache reset), the
reason kept in the history under the staff user's name, and the QR labels (SVG, PNG, A4 PDF) holding
the verification URL. One app for the module: each test works on its own authorisation."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import AuditEntry, Authorization, GIProduct, Producer
from gi_registry.services.listing_rules import GINameError, check_gi_name
from tests.conftest import _app_from
from tests.factories import make_user, sign_in
from tests.test_staff import ASK, FreshClient, post
from tests.test_trace import decode_all, pdf_images

PUBLIC_URL = "https://gi.example.cn/registry"
VERIFIED = "fuyu-fengshi-family-farm"  # sample: active and verified
UNVERIFIED = "taobei-qingye-family-farm"  # sample: active, not verified


@pytest.fixture(scope="module")
def site(sample_template, databases, tmp_path_factory):
    for app in _app_from(sample_template, databases, tmp_path_factory.mktemp("grants")):
        app.config["PUBLIC_URL"] = PUBLIC_URL
        with app.app_context():
            app.config["TEST_STAFF_ID"] = make_user("curator@example.org", role="staff").id
        yield app


def today(app: Flask) -> date:
    with app.app_context():
        return local_today()


def client(app: Flask, lang: str | None = None, staff: bool = True) -> FreshClient:
    browser = FreshClient(app, app.response_class, use_cookies=True)
    if lang:
        browser.set_cookie("lang", lang)
    if staff:
        sign_in(browser, type("U", (), {"id": app.config["TEST_STAFF_ID"]})())
    return browser


def authorization(app: Flask, producer: str, product: str) -> Authorization:
    with app.app_context():
        auth = db.session.scalar(
            select(Authorization)
            .join(Authorization.producer)
            .join(Authorization.product)
            .where(Producer.slug == producer, GIProduct.slug == product)
        )
        db.session.expunge(auth)
        return auth


def verify(app: Flask, token: str) -> tuple[str, str]:
    """The public page's text and the API's status for a pack's token."""
    public = client(app, staff=False)
    page = public.get(f"/verify/{token}")
    api = public.get(f"/api/v1/verify?token={token}").get_json()
    return page.text, api["status"]


def reasons(app: Flask, auth_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        query = select(AuditEntry.actor, AuditEntry.changes).where(
            AuditEntry.entity == "authorizations", AuditEntry.entity_id == auth_id
        )
        return [(actor, c["reason"][1]) for actor, c in db.session.execute(query) if "reason" in c]


def test_granting_through_the_page_is_checked_and_verifies_at_once(site):
    staff = client(site)
    url = "/staff/authorizations/new"
    first = today(site)
    form = {
        "producer": VERIFIED,
        "product": "meihe-dami",
        "valid_from": first.isoformat(),
        "valid_to": (first + timedelta(days=3 * 365)).isoformat(),
        "number": "",
    }
    refused = post(staff, url, form | {"producer": UNVERIFIED})
    assert refused.status_code == 409
    assert "只有已核准且状态正常的经营主体可以获得授权" in refused.text
    taken = post(staff, url, form | {"product": "fuyu-silihong"})  # it holds that one already
    assert taken.status_code == 409 and "已有此产品的授权" in taken.text
    done = post(staff, url, form)
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/staff/authorizations/{VERIFIED}/meihe-dami")
    auth = authorization(site, VERIFIED, "meihe-dami")
    assert (auth.status, auth.number, auth.valid_from) == ("active", None, first)
    text, status = verify(site, auth.verify_token)
    assert status == "authorized" and "已获授权" in text
    page = staff.get(f"/staff/authorizations/{VERIFIED}/meihe-dami").text
    assert "未登记" in page  # no number was invented
    assert f'href="/staff/authorizations/{VERIFIED}/meihe-dami/history"' in page
    with site.app_context():
        actors = db.session.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.entity == "authorizations", AuditEntry.entity_id == auth.id
            )
        ).all()
        assert actors == ["curator@example.org"]


@pytest.mark.parametrize(
    "lang,message",
    [("zh_CN", "原因：请写明原因"), ("en", "Reason: please give a reason")],
)
def test_a_change_without_a_reason_is_refused_naming_the_field(site, lang, message):
    url = "/staff/authorizations/jian-yajiang-family-farm/jian-wuweizi"
    answer = post(client(site, lang), url, {"action": "suspend", "reason": "  "})
    assert answer.status_code == 422 and message in answer.text
    assert authorization(site, "jian-yajiang-family-farm", "jian-wuweizi").status == "active"


def test_revoking_changes_the_verification_page_and_api_at_once(site):
    producer, product = "shuangyang-luming-coop", "shuangyang-meihualu"
    auth = authorization(site, producer, product)
    before, status = verify(site, auth.verify_token)  # answered, and maybe stored, before
    assert status == "authorized" and "已获授权" in before
    url = f"/staff/authorizations/{producer}/{product}"
    answer = post(client(site), url, {"action": "revoke", "reason": "抽检不合格，撤销授权"})
    assert answer.status_code == 303
    after, status = verify(site, auth.verify_token)
    assert status == "revoked" and "已撤销" in after and "已获授权" not in after
    assert reasons(site, auth.id) == [("curator@example.org", "抽检不合格，撤销授权")]
    with site.app_context():  # a supply listing may no longer use the name
        found = db.session.get(Authorization, auth.id)
        with pytest.raises(GINameError) as refused:
            check_gi_name(found.producer, "supply", found.product, local_today())
        assert refused.value.problem == "revoked"
    page = client(site).get(url).text
    assert "抽检不合格，撤销授权" in page and 'name="action"' not in page  # revoked is final
    assert "抽检不合格，撤销授权" in client(site).get(f"{url}/history").text
    again = post(client(site), url, {"action": "reinstate", "reason": "误操作"}, form_url=ASK)
    assert again.status_code == 422


def test_suspend_reinstate_and_renew(site):
    producer, product = "jiaohe-songdian-fungi-coop", "huangsongdian-heimuer"
    url = f"/staff/authorizations/{producer}/{product}"
    auth = authorization(site, producer, product)
    staff = client(site)
    assert post(staff, url, {"action": "suspend", "reason": "待核查投诉"}).status_code == 303
    assert verify(site, auth.verify_token)[1] == "suspended"
    assert post(staff, url, {"action": "reinstate", "reason": "核查无误"}).status_code == 303
    assert verify(site, auth.verify_token)[1] == "authorized"
    earlier = (auth.valid_to - timedelta(days=1)).isoformat()
    short = post(staff, url, {"action": "renew", "valid_to": earlier, "reason": "续期"})
    assert short.status_code == 409 and "新的有效期至：应晚于当前的有效期至" in short.text
    later = date(auth.valid_to.year + 3, 7, 31)
    assert (
        post(staff, url, {"action": "renew", "valid_to": later.isoformat(), "reason": "续期三年"})
    ).status_code == 303
    assert authorization(site, producer, product).valid_to == later
    assert [r for _a, r in reasons(site, auth.id)] == ["待核查投诉", "核查无误", "续期三年"]
    # A form showing an older version does not overwrite what happened since.
    stale = post(staff, url, {"action": "suspend", "reason": "旧页面", "version": auth.version})
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    assert authorization(site, producer, product).status == "active"


def test_an_expired_authorisation_renews_to_active(site):
    producer, product = "fusong-shenyuan-co", "fusong-renshen"
    url = f"/staff/authorizations/{producer}/{product}"
    until = (today(site) + timedelta(days=700)).isoformat()
    answer = post(client(site), url, {"action": "renew", "valid_to": until, "reason": "重新核准"})
    assert answer.status_code == 303
    auth = authorization(site, producer, product)
    assert (auth.status, auth.valid_to.isoformat()) == ("active", until)
    assert verify(site, auth.verify_token)[1] == "authorized"


def test_the_list_filters(site):
    staff = client(site)
    link = "/staff/authorizations/meihekou-hefengyuan-coop/meihe-dami"
    assert link in staff.get("/staff/authorizations").text
    assert link in staff.get("/staff/authorizations?q=hefengyuan&product=meihe-dami").text
    assert link not in staff.get("/staff/authorizations?status=revoked").text
    assert "/dongliao-linyuan-pig-coop/" in staff.get("/staff/authorizations?status=revoked").text
    assert link not in staff.get("/staff/authorizations?ending=30").text  # ends in 2028
    assert link in staff.get("/staff/authorizations?ending=3650").text
    assert staff.get("/staff/authorizations?ending=x&status=nonsense").status_code == 200


def test_the_labels_hold_the_verification_url(site):
    auth = authorization(site, "meihekou-hefengyuan-coop", "meihe-dami")
    expected = f"{PUBLIC_URL}/verify/{auth.verify_token}"
    base = "/staff/authorizations/meihekou-hefengyuan-coop/meihe-dami"
    staff = client(site)
    svg = staff.get(f"{base}/label.svg")
    assert svg.mimetype == "image/svg+xml" and f'aria-label="{expected}"' in svg.text
    assert "示例-2025-001" in svg.text
    png = staff.get(f"{base}/label.png")
    assert png.mimetype == "image/png"
    assert decode_all(Image.open(io.BytesIO(png.data))) == [expected]
    pdf = staff.get(f"{base}/labels.pdf?count=30")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    pages = pdf_images(pdf.data)
    assert len(pages) == 2
    assert decode_all(pages[1]) == [expected] * 6
    assert staff.get(f"{base}/labels.pdf?count=0").status_code == 400
    assert client(site, staff=False).get(f"{base}/label.svg").status_code == 302
