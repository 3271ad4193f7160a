"""Producer organisations in the portal: creation with a private business licence, staff decisions
(CLI), edits, members and invitations, the dashboard panel, and what never leaves the organisation."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import url_for
from PIL import Image
from sqlalchemy import func, select

from gi_registry import create_app
from gi_registry.extensions import db
from gi_registry.interchange.export import export_document
from gi_registry.models import AuditEntry, Invitation, Listing, Producer, User, now_utc
from gi_registry.models.visibility import listing_is_public
from gi_registry.opendata.document import public_document
from gi_registry.services import memberships
from gi_registry.services.errors import ValidationError
from gi_registry.services.listings import save_listing
from gi_registry.services.organisations import (
    OrganisationError,
    create_organisation,
    decide,
    new_slug,
    update_organisation,
)
from gi_registry.services.snapshots import producer_record
from gi_registry.services.unit import unit_of_work
from tests import factories
from tests.factories import PASSWORD, credit_code, sign_in
from tests.langmarks import unmarked_chinese

CODE = credit_code(region="220581", serial=901)
# Private values that must never show anywhere public: distinctive, so a search cannot miss them.
SECRET_NAME = "王秘密联系人"
SECRET_PHONE = "13987654321"
SECRET_EMAIL = "secret-contact@example.org"
DATA = {
    "name_zh": "梅河口市虚构稻米合作社",
    "credit_code": CODE,
    "kind": "cooperative",
    "region_code": "220581",  # 梅河口市, county level
    "address": "梅河口市某路 1 号",
    "phone": "",
    "website": "",
    "description": "虚构的合作社，仅供测试。",
    "contact_name": SECRET_NAME,
    "contact_phone": SECRET_PHONE,
    "contact_email": SECRET_EMAIL,
}
FORM = {
    "name": DATA["name_zh"],
    "credit_code": CODE,
    "kind": "cooperative",
    "region": "220581",
    "address": DATA["address"],
    "phone": "",
    "website": "",
    "description": DATA["description"],
    "contact_name": SECRET_NAME,
    "contact_phone": SECRET_PHONE,
    "contact_email": SECRET_EMAIL,
}


def picture(colour=(200, 30, 30), size=(400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def person(email: str, role: str = "producer") -> User:
    """A signed-up account without an organisation (as registration leaves it)."""
    user = User(email=email, role=role)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def create(user: User, **changes) -> Producer:
    with unit_of_work(user=user) as work:
        producer = create_organisation(work, user, DATA | changes, picture())
    return producer


def refused(user: User, data: dict, licence: bytes | None = b"") -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, unit_of_work(user=user) as work:
        create_organisation(work, user, data, picture() if licence == b"" else licence)
    return caught.value.errors


def token_of(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


# -- creating -------------------------------------------------------------------------------------


def test_a_new_organisation_is_pending_owned_and_keeps_its_licence_private(ctx):
    owner = person("owner@example.org")
    producer = create(owner)
    assert (producer.status, producer.verified, producer.status_reason) == ("pending", False, "")
    assert producer.slug == "mei-he-kou-shi-xu-gou-dao-mi-he-zuo-she"
    assert (owner.producer_id, owner.member_role) == (producer.id, "owner")
    assert producer.contact_phone == SECRET_PHONE
    private_root = Path(ctx.config["PRIVATE_MEDIA_ROOT"])
    assert re.fullmatch(r"licences/[0-9a-f]{2}/[0-9a-f]{64}\.jpg", producer.licence_file)
    stored = private_root / producer.licence_file
    assert stored.read_bytes()[:2] == b"\xff\xd8"  # re-encoded as JPEG: the upload is not kept
    assert not stored.resolve().is_relative_to(Path(ctx.config["MEDIA_ROOT"]).resolve())
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "producers")).all()
    assert {e.action for e in entries} == {"create"}
    assert any("contact_phone" in e.changes for e in entries)
    assert all(e.actor == "owner@example.org" for e in entries)


def test_slugs_are_pinyin_and_unique(ctx):
    first = create(person("a@example.org"))
    second = create(person("b@example.org"), credit_code=credit_code(serial=902))
    assert second.slug == first.slug + "-2"
    assert new_slug("（）") == "org"
    assert len(new_slug("很长的名称" * 30)) <= 60


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"credit_code": CODE[:-1] + ("0" if CODE[-1] != "0" else "1")}, "credit_code", "校验位"),
        ({"credit_code": "123"}, "credit_code", "应为18位"),
        ({"name_zh": ""}, "name_zh", "名称：不能为空"),
        ({"kind": "bank"}, "kind", "主体类型："),
        ({"region_code": ""}, "region_code", "所在地区：不能为空"),
        ({"region_code": "220500"}, "region_code", "县级行政区"),  # 通化市: a prefecture
        ({"region_code": "229999"}, "region_code", "未知的行政区划代码"),
        ({"contact_phone": "12"}, "contact_phone", "联系电话："),
        ({"contact_email": "nobody"}, "contact_email", "联系邮箱："),
        ({"website": "ftp://x"}, "website", "网站："),
    ],
)
def test_bad_fields_are_named(ctx, change, field, message):
    errors = refused(person("x@example.org"), DATA | change)
    assert message in errors[field], errors
    assert db.session.scalar(select(func.count()).select_from(Producer)) == 0


def test_the_licence_is_required_and_must_be_a_picture(ctx):
    user = person("x@example.org")
    assert "营业执照" in refused(user, DATA, licence=None)["licence"]
    assert "营业执照：" in refused(user, DATA, licence=b"%PDF-1.4 not a picture")["licence"]
    assert not (Path(ctx.config["PRIVATE_MEDIA_ROOT"]) / "licences").exists()


def test_a_taken_credit_code_is_a_field_message(ctx):
    create(person("first@example.org"))
    errors = refused(person("second@example.org"), DATA | {"name_zh": "另一个名称"})
    assert "已登记" in errors["credit_code"]
    assert "mei-he-kou" not in errors["credit_code"]  # names no one


def test_one_organisation_per_user(ctx):
    owner = person("owner@example.org")
    create(owner)
    with pytest.raises(OrganisationError), unit_of_work(user=owner) as work:
        create_organisation(work, owner, DATA | {"credit_code": credit_code(serial=903)}, picture())


# -- staff decisions --------------------------------------------------------------------------


LEGAL = [
    ("pending", "verify", "active"),
    ("suspended", "verify", "active"),
    ("pending", "reject", "pending"),
    ("active", "suspend", "suspended"),
]
ILLEGAL = [
    ("active", "verify"),
    ("active", "reject"),
    ("suspended", "reject"),
    ("suspended", "suspend"),
    ("pending", "suspend"),
    ("archived", "verify"),
    ("archived", "suspend"),
]


def in_status(status: str) -> Producer:
    producer = create(person("owner@example.org"))
    if status != "pending":
        producer.status = status
        producer.verified = status != "pending"
        db.session.commit()
    return producer


@pytest.mark.parametrize(("start", "decision", "end"), LEGAL)
def test_legal_decisions(ctx, start, decision, end):
    producer = in_status(start)
    with unit_of_work(actor="cli:test") as work:
        decide(
            work, producer.slug, decision, "" if decision == "verify" else "执照模糊，请重新上传"
        )
    assert producer.status == end
    assert producer.verified is (decision == "verify" or start == "active")
    expected_reason = "" if decision == "verify" else "执照模糊，请重新上传"
    assert producer.status_reason == expected_reason


@pytest.mark.parametrize(("start", "decision"), ILLEGAL)
def test_illegal_decisions(ctx, start, decision):
    producer = in_status(start)
    with pytest.raises(OrganisationError, match="不能"), unit_of_work(actor="t") as work:
        decide(work, producer.slug, decision, "理由")
    db.session.refresh(producer)
    assert producer.status == start


def test_reject_and_suspend_need_a_reason(ctx):
    producer = in_status("pending")
    with pytest.raises(OrganisationError, match="原因"), unit_of_work(actor="t") as work:
        decide(work, producer.slug, "reject", "   ")


def test_the_cli_lists_verifies_rejects_and_suspends(app):
    runner = app.test_cli_runner()
    with app.app_context():
        slug = create(person("owner@example.org")).slug
    listed = runner.invoke(args=["producer", "list", "--pending"])
    assert (
        slug in listed.output and "待审核" in listed.output and "owner@example.org" in listed.output
    )
    rejected = runner.invoke(args=["producer", "reject", slug, "--reason", "执照看不清"])
    assert rejected.exit_code == 0, rejected.output
    returned = runner.invoke(args=["producer", "list", "--pending"]).output
    assert "已退回" in returned and f"/portal/organisations/{slug}/licence" in returned
    assert runner.invoke(args=["producer", "suspend", slug, "--reason", "x"]).exit_code == 1
    assert runner.invoke(args=["producer", "verify", slug]).exit_code == 0
    assert slug not in runner.invoke(args=["producer", "list", "--pending"]).output
    suspended = runner.invoke(args=["producer", "suspend", slug, "--reason", "投诉核查中"])
    assert suspended.exit_code == 0, suspended.output
    unknown = runner.invoke(args=["producer", "verify", "no-such-org"])
    assert unknown.exit_code == 1 and "找不到" in unknown.output
    with app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
        assert (producer.status, producer.status_reason) == ("suspended", "投诉核查中")


def test_suspension_hides_the_listings(ctx):
    producer = in_status("pending")
    with unit_of_work(actor="t") as work:
        decide(work, producer.slug, "verify")
    with unit_of_work(actor="t") as work:
        save_listing(work, factories.listing("org-rice", producer=producer.slug, category="grain"))
    public = select(func.count()).select_from(Listing).where(listing_is_public())
    assert db.session.scalar(public) == 1
    with unit_of_work(actor="t") as work:
        decide(work, producer.slug, "suspend", "投诉核查中")
    assert db.session.scalar(public) == 0


# -- edits ------------------------------------------------------------------------------------


def verified(user: User) -> Producer:
    producer = create(user)
    with unit_of_work(actor="t") as work:
        decide(work, producer.slug, "verify")
    return producer


def edit(user: User, producer: Producer, licence: bytes | None = None, **changes) -> Producer:
    with unit_of_work(user=user) as work:
        return update_organisation(work, producer, DATA | changes, licence)


def test_contacts_change_without_a_new_check(ctx):
    owner = person("owner@example.org")
    producer = verified(owner)
    edit(owner, producer, contact_name="新联系人", address="新地址", description="新简介")
    assert (producer.status, producer.verified, producer.contact_name) == (
        "active",
        True,
        "新联系人",
    )


@pytest.mark.parametrize(
    "change",
    [{"name_zh": "梅河口市改名合作社"}, {"credit_code": credit_code(serial=950)}, "licence"],
)
def test_a_new_name_code_or_licence_needs_a_new_check(ctx, change):
    owner = person("owner@example.org")
    producer = verified(owner)
    if change == "licence":
        edit(owner, producer, licence=picture(colour=(0, 90, 200)))
    else:
        edit(owner, producer, **change)
    assert (producer.status, producer.verified) == ("pending", False)
    assert producer.slug.startswith("mei-he-kou-shi-xu-gou")  # addresses do not move


def test_an_edit_answers_a_rejection(ctx):
    owner = person("owner@example.org")
    producer = create(owner)
    with unit_of_work(actor="t") as work:
        decide(work, producer.slug, "reject", "名称与执照不符")
    edit(owner, producer, name_zh="梅河口市虚构稻米专业合作社")
    assert (producer.status, producer.status_reason) == ("pending", "")


def test_a_suspended_organisation_stays_suspended_after_an_edit(ctx):
    owner = person("owner@example.org")
    producer = verified(owner)
    with unit_of_work(actor="t") as work:
        decide(work, producer.slug, "suspend", "核查中")
    edit(owner, producer, name_zh="换个名字合作社")
    assert (producer.status, producer.status_reason) == ("suspended", "核查中")


# -- members and invitations ------------------------------------------------------------------


def invite(owner: User, address: str) -> str:
    with unit_of_work(user=owner) as work:
        _, token = memberships.invite(work, owner, address)
    return token


def accept(user: User, token: str):
    with unit_of_work(user=user) as work:
        return memberships.accept(work, user, token)


def test_an_invitation_is_stored_as_a_hash_and_used_once(ctx):
    owner = person("owner@example.org")
    producer = create(owner)
    token = invite(owner, "Colleague@Example.org ")
    stored = db.session.scalar(select(Invitation))
    assert stored.token_hash == memberships.token_hash(token) and token not in stored.token_hash
    colleague = person("colleague@example.org")
    assert accept(colleague, token) is producer
    assert (colleague.producer_id, colleague.member_role) == (producer.id, "member")
    with pytest.raises(OrganisationError, match="已被使用"):
        accept(colleague, token)
    assert [m.email for m in memberships.members(producer)] == [
        "owner@example.org",
        "colleague@example.org",
    ]


def test_an_expired_invitation_is_refused(ctx):
    owner = person("owner@example.org")
    create(owner)
    token = invite(owner, "late@example.org")
    db.session.scalar(select(Invitation)).expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(OrganisationError, match="已过期"):
        accept(person("late@example.org"), token)


def test_an_invitation_is_for_its_address_and_for_people_without_an_organisation(ctx):
    owner = person("owner@example.org")
    create(owner)
    token = invite(owner, "invited@example.org")
    with pytest.raises(OrganisationError, match="另一个电子邮箱"):
        accept(person("someone-else@example.org"), token)
    elsewhere = person("invited@example.org")
    create(elsewhere, credit_code=credit_code(serial=960))
    with pytest.raises(OrganisationError, match="已属于一个经营主体"):
        accept(elsewhere, token)
    with pytest.raises(OrganisationError, match="无效"):
        accept(person("x@example.org"), "not-a-token")


def test_only_the_owner_invites_and_removes(ctx):
    owner = person("owner@example.org")
    create(owner)
    member = person("member@example.org")
    accept(member, invite(owner, "member@example.org"))
    with pytest.raises(OrganisationError, match="负责人"), unit_of_work(user=member) as work:
        memberships.invite(work, member, "friend@example.org")
    with pytest.raises(OrganisationError), unit_of_work(user=member) as work:
        memberships.remove_member(work, member, owner.id)
    with pytest.raises(OrganisationError, match="自己"), unit_of_work(user=owner) as work:
        memberships.remove_member(work, owner, owner.id)
    with unit_of_work(user=owner) as work:
        memberships.remove_member(work, owner, member.id)
    assert (member.producer_id, member.member_role) == (None, None)


def test_a_revoked_invitation_no_longer_opens(ctx):
    owner = person("owner@example.org")
    create(owner)
    token = invite(owner, "maybe@example.org")
    with unit_of_work(user=owner) as work:
        memberships.revoke(work, owner, db.session.scalar(select(Invitation.id)))
    with pytest.raises(OrganisationError, match="已过期"):
        accept(person("maybe@example.org"), token)


# -- privacy ----------------------------------------------------------------------------------


def test_private_fields_stay_out_of_snapshots_exports_the_api_and_pages(sample_app):
    client = sample_app.test_client()
    with sample_app.app_context():
        producer = verified(person("owner@example.org"))
        slug, licence_file = producer.slug, producer.licence_file
        assert not {"contact_name", "contact_phone", "contact_email", "licence_file"} & set(
            producer_record(producer)
        )
        documents = [export_document(), export_document(public=True), public_document()]
    texts = [json.dumps(d, ensure_ascii=False) for d in documents]
    for path in (
        f"/producers/{slug}",
        "/producers",
        f"/api/v1/producers/{slug}",
        "/api/v1/producers",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        texts.append(response.get_data(as_text=True))
    for text in texts:
        for secret in (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL, licence_file):
            assert secret not in text
    assert client.get("/media/" + licence_file).status_code == 404
    # The search index has the verified organisation, but none of its private fields.
    assert client.get("/api/v1/search", query_string={"q": "虚构稻米合作社"}).json["total"] >= 1
    for secret in (SECRET_NAME, SECRET_PHONE):
        assert client.get("/api/v1/search", query_string={"q": secret}).json["total"] == 0


# -- pages ------------------------------------------------------------------------------------


def post_form(client, data: dict, licence: bytes | None = None, url="/portal/organisation/new"):
    form = {"csrf_token": token_of(client, url), **data}
    if licence is not None:
        form["licence"] = (io.BytesIO(licence), "licence.png")
    return client.post(url, data=form, content_type="multipart/form-data")


def test_the_form_creates_an_organisation_and_the_owner_sees_it(app):
    client = app.test_client()
    with app.app_context():
        owner = person("owner@example.org")
        sign_in(client, owner)
    dashboard = client.get("/portal/")
    assert "/portal/organisation/new" in dashboard.text
    created = post_form(client, FORM, picture())
    assert created.status_code == 303, created.text[:2000]
    assert created.headers["Location"].endswith("/portal/organisation")
    page = client.get("/portal/organisation")
    assert page.status_code == 200 and "待审核" in page.text and SECRET_PHONE in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    assert client.get("/portal/organisation/new").status_code == 302  # already has one
    licence = client.get("/portal/organisation/licence")
    assert licence.status_code == 200 and licence.mimetype == "image/jpeg"
    assert licence.headers["Cache-Control"] == "private, no-store"
    assert "待审核" in client.get("/portal/").text


def test_form_errors_name_their_fields_without_a_500(app):
    client = app.test_client()
    with app.app_context():
        sign_in(client, person("owner@example.org"))
    bad = post_form(client, FORM | {"credit_code": "91220581MA00009010", "region": "2205"})
    assert bad.status_code == 422
    assert "统一社会信用代码" in bad.text and "营业执照" in bad.text and "所在地区" in bad.text
    forged = client.post("/portal/organisation/new", data={**FORM, "csrf_token": "forged"})
    assert forged.status_code == 400


def test_english_form_errors_are_translated(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    with app.app_context():
        sign_in(client, person("owner@example.org"))
    bad = post_form(client, FORM | {"credit_code": "123", "name": "", "contact_phone": "1"})
    assert bad.status_code == 422
    assert "Unified social credit code" in bad.text or "credit code" in bad.text.lower()
    assert unmarked_chinese(bad.text) == []
    assert unmarked_chinese(client.get("/portal/").text) == []
    assert post_form(client, FORM, picture()).status_code == 303
    with app.app_context():
        decide_now("reject", "执照照片不清楚")
    for path in (
        "/portal/",
        "/portal/organisation",
        "/portal/organisation/edit",
        "/portal/organisation/members",
        "/portal/invitations/unknown",
    ):
        page = client.get(path)
        assert page.status_code in (200, 404), path
        assert unmarked_chinese(page.text) == [], path
    assert "Returned" in client.get("/portal/organisation").text


def decide_now(decision: str, reason: str = "") -> None:
    slug = db.session.scalar(select(Producer.slug))
    with unit_of_work(actor="t") as work:
        decide(work, slug, decision, reason)


def test_outsiders_see_nothing_of_an_organisation(app):
    with app.app_context():
        owner = person("owner@example.org")
        slug = create(owner).slug
        outsider = person("outsider@example.org")
        staff = person("staff@example.org", role="staff")
        client, staff_client = app.test_client(), app.test_client()
        sign_in(client, outsider)
        sign_in(staff_client, staff)
    assert client.get("/portal/organisation/licence").status_code == 404
    assert client.get("/portal/organisation/members").status_code == 404
    assert client.get("/portal/organisation/edit").status_code == 404
    assert client.get(f"/portal/organisations/{slug}/licence").status_code == 403
    staff_licence = staff_client.get(f"/portal/organisations/{slug}/licence")
    assert staff_licence.status_code == 200
    assert staff_licence.headers["Cache-Control"] == "private, no-store"
    assert staff_client.get("/portal/organisations/no-such/licence").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(app):
    if "accounts.login" not in app.view_functions:
        pytest.skip("the sign-in page arrives with the accounts branch")
    client = app.test_client()
    for path in ("/portal/organisation", "/portal/organisation/new", "/portal/invitations/x"):
        response = client.get(path)
        assert response.status_code == 302 and "login" in response.headers["Location"], path


def organisation_urls(app, slug: str) -> list[tuple[str, str]]:
    """Every route of the organisation pages, from the URL map: a new one cannot be forgotten."""
    values = {"slug": slug, "user_id": 1, "invitation_id": 1, "token": "x" * 43}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("organisations."):
                url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
                urls += [(method, url) for method in sorted(rule.methods & {"GET", "POST"})]
    assert len(urls) >= 10
    return urls


def test_no_route_shows_one_organisation_to_another_or_to_the_public(app):
    with app.app_context():
        first = create(person("first@example.org"))
        slug, name = first.slug, first.name_zh
        other = person("other@example.org")
        create(other, name_zh="另一家虚构合作社", credit_code=credit_code(serial=990))
        client = app.test_client()
        sign_in(client, other)
    anonymous = app.test_client()
    for method, url in organisation_urls(app, slug):
        seen = client.open(url, method=method)
        assert name.encode() not in seen.data and CODE.encode() not in seen.data, url
        assert seen.status_code != 500, url
        if url.endswith(f"/{slug}/licence"):
            assert seen.status_code == 403
        response = anonymous.open(url, method=method)
        # GET: to the login page; POST: refused before that for want of a CSRF token.
        assert response.status_code == (302 if method == "GET" else 400), (method, url)
        if method == "GET":
            assert "/login" in response.headers["Location"]


def test_private_media_may_not_lie_under_the_public_folder(tmp_path):
    with pytest.raises(RuntimeError, match="PRIVATE_MEDIA_ROOT"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "x",
                "MEDIA_ROOT": str(tmp_path / "media"),
                "PRIVATE_MEDIA_ROOT": str(tmp_path / "media" / "private"),
            }
        )


def test_the_owner_invites_and_the_member_joins_through_the_pages(app, caplog):
    with app.app_context():
        owner = person("owner@example.org")
        create(owner)
        colleague = person("colleague@example.org")
        owner_id = owner.id
        owner_client, colleague_client = app.test_client(), app.test_client()
        sign_in(owner_client, owner)
        sign_in(colleague_client, colleague)
    invited = owner_client.post(
        "/portal/organisation/members",
        data={
            "csrf_token": token_of(owner_client, "/portal/organisation/members"),
            "email": "colleague@example.org",
        },
    )
    assert invited.status_code == 200
    link = re.search(r'value="(http[^"]+/portal/invitations/[^"]+)"', invited.text).group(1)
    assert link in caplog.text  # no MAIL_SERVER: the mail goes to the log
    path = link.split("localhost", 1)[-1]
    joined = colleague_client.post(path, data={"csrf_token": token_of(colleague_client, path)})
    assert joined.status_code == 303
    assert colleague_client.get(path).status_code == 410  # used
    assert colleague_client.get("/portal/invitations/" + "y" * 43).status_code == 404
    # a member sees the organisation but does not manage members
    assert colleague_client.get("/portal/organisation").status_code == 200
    assert colleague_client.get("/portal/organisation/members").status_code == 403
    with app.app_context():
        member_id = db.session.scalar(select(User.id).where(User.email == "colleague@example.org"))
    removed = colleague_client.post(
        f"/portal/organisation/members/{owner_id}/remove",
        data={"csrf_token": token_of(colleague_client, "/portal/organisation/edit")},
    )
    assert removed.status_code == 403
    page = owner_client.get("/portal/organisation/members")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    gone = owner_client.post(
        f"/portal/organisation/members/{member_id}/remove", data={"csrf_token": csrf}
    )
    assert gone.status_code == 303
    assert colleague_client.get("/portal/organisation").status_code == 302  # to "create one"
