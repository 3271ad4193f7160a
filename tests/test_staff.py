"""The staff area under /staff/: one role check for every route (enumerated from the URL map), the
dashboard's queues, and moderation end to end through the pages (organisations, listings in bulk,
batch recalls, guidance requests), each action in the history under the staff user's name."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import (
    AuditEntry,
    Authorization,
    Brand,
    GIProduct,
    GuidanceRequest,
    Listing,
    MisuseReport,
    Producer,
    User,
)
from gi_registry.services.authorizations import save_authorization
from gi_registry.services.listings import save_listing
from gi_registry.services.organisations import create_organisation
from gi_registry.services.reports import submit_report
from gi_registry.services.stations import submit_request
from gi_registry.services.trace import create_batch
from gi_registry.services.unit import unit_of_work
from gi_registry.staff.panels import EXPIRY_WINDOW
from tests import factories
from tests.factories import make_user, sign_in
from tests.langmarks import unmarked_chinese

SAMPLE_ORG = "meihekou-hefengyuan-coop"  # sample: verified, authorised for meihe-dami
OTHER_ORG = "taobei-qingye-family-farm"  # sample: the producer member's organisation
STATION = "fusong-station-sample"
ASK = f"/stations/{STATION}/ask"
# Private words: the pending organisation's contacts and the guidance requester's. Only staff see them.
SECRET_NAME = "王秘密联系人"
SECRET_PHONE = "13987654321"
REQUESTER = "李四虚构"
REQUESTER_CONTACT = "13912345678"
REPORTER_CONTACT = "reporter-secret@example.org"
SECRETS = (SECRET_NAME, SECRET_PHONE, REQUESTER, REQUESTER_CONTACT, "BATCHSECRET", REPORTER_CONTACT)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class FreshClient(FlaskClient):
    """Each request in an application context of its own, as in a server."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@dataclass
class World:
    app: Flask
    staff_id: int
    member_id: int
    pending_org: str
    waiting_listing: str  # published, by the pending organisation: public once it is verified
    good: list[str]  # pending listings that pass the GI name rule
    bad: str  # a pending listing naming a product its producer is not authorised for
    batch_id: int
    batch_token: str
    code: str  # a guidance request's tracking code
    report: str = ""  # a misuse report's tracking code (with one evidence photo)

    def client(self, user_id: int | None = None, lang: str | None = None) -> FreshClient:
        client = FreshClient(self.app, self.app.response_class, use_cookies=True)
        if lang:
            client.set_cookie("lang", lang)
        if user_id is not None:
            with self.app.app_context():
                sign_in(client, type("U", (), {"id": user_id})())
        return client


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def sample_producer(slug: str) -> Producer:
    return db.session.scalar(select(Producer).where(Producer.slug == slug))


def unauthorised_products(producer: Producer, count: int = 1) -> list[GIProduct]:
    authorised = select(Authorization.product_id).where(Authorization.producer_id == producer.id)
    query = select(GIProduct).where(
        GIProduct.id.not_in(authorised), GIProduct.status == "published"
    )
    return list(db.session.scalars(query.order_by(GIProduct.id).limit(count)))


def build_world(app: Flask) -> World:
    with app.app_context():
        staff = make_user("curator@example.org", role="staff")
        member = make_user("member@example.org", producer=OTHER_ORG)
        applicant = make_user("applicant@example.org")
        data = {
            "name_zh": "梅河口市虚构稻米合作社",
            "credit_code": factories.credit_code(region="220581", serial=931),
            "kind": "cooperative",
            "region_code": "220581",
            "address": "梅河口市某路 1 号",
            "description": "虚构的合作社，仅供测试。",
            "contact_name": SECRET_NAME,
            "contact_phone": SECRET_PHONE,
            "contact_email": "",
        }
        with unit_of_work(user=applicant) as work:
            pending = create_organisation(work, applicant, data, picture())
        sample = sample_producer(SAMPLE_ORG)
        authorization = db.session.scalar(
            select(Authorization).where(Authorization.producer_id == sample.id)
        )
        wrong = unauthorised_products(sample)[0]
        with unit_of_work(actor="test") as work:
            listing = factories.listing
            save_listing(
                work,
                listing(
                    "waiting-rice",
                    producer=pending.slug,
                    category="grain",
                    title="待核准主体的大米",
                ),
            )
            for slug in ("good-one", "good-two"):
                record = listing(slug, producer=SAMPLE_ORG, category="grain", status="pending")
                save_listing(work, record | {"title": f"待审核{slug}"})
            save_listing(
                work,
                listing("bad-gi", producer=SAMPLE_ORG, product=wrong.slug, status="pending")
                | {"title": "未授权产品的供应"},
            )
            batch = create_batch(
                work,
                sample,
                {
                    "product": authorization.product.slug,
                    "batch_code": "STAFF-01",
                    "produced_on": local_today().isoformat(),
                    "notes": "BATCHSECRET",
                },
            )
            request = submit_request(
                work,
                STATION,
                {
                    "topic": "gi_mark",
                    "question": "我们的人参想使用地理标志专用标志，需要准备哪些材料？",
                    "requester_name": REQUESTER,
                    "organisation": "虚构人参合作社",
                    "contact": REQUESTER_CONTACT,
                },
            )
            report = submit_report(
                work,
                {
                    "product": "梅河大米",
                    "seller": "虚构粮油店",
                    "location": "长春市某农贸市场",
                    "description": "包装上印有专用标志，但核验结果为未获授权。",
                    "reporter_contact": REPORTER_CONTACT,
                },
                [picture()],
            )
        return World(
            app=app,
            staff_id=staff.id,
            member_id=member.id,
            pending_org=pending.slug,
            waiting_listing="waiting-rice",
            good=["good-one", "good-two"],
            bad="bad-gi",
            batch_id=batch.id,
            batch_token=batch.token,
            code=request.tracking_code,
            report=report.tracking_code,
        )


@pytest.fixture
def world(sample_app) -> World:
    return build_world(sample_app)


def token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return CSRF.search(page.text).group(1)


def post(client: FlaskClient, url: str, data: dict, form_url: str | None = None):
    return client.post(url, data={"csrf_token": token(client, form_url or url), **data})


# -- one role check for every route ---------------------------------------------------------------

# Every staff route (by endpoint) and the URL arguments to try it with.
ARGUMENTS: dict[str, Callable[[World], list[dict]]] = {
    "staff.dashboard": lambda w: [{}],
    "staff.organisations": lambda w: [{}, {"status": "active"}],
    "staff.organisation": lambda w: [{"slug": w.pending_org}],
    "staff.listings": lambda w: [{}, {"status": "published"}],
    "staff.batches": lambda w: [{}, {"q": "STAFF-01"}],
    "staff.batch": lambda w: [{"batch_id": w.batch_id}],
    "staff.guidance": lambda w: [{}, {"status": "closed"}],
    "staff.request": lambda w: [{"code": w.code}],
    "staff.import_upload": lambda w: [{}],
    "staff.import_confirm": lambda w: [{}],
    "report_staff.index": lambda w: [{}, {"status": "investigating"}],
    "report_staff.show": lambda w: [{"code": w.report}],
    "report_staff.evidence": lambda w: [{"code": w.report, "number": 1}],
    "report_staff.note": lambda w: [{"code": w.report}],
    "report_staff.link": lambda w: [{"code": w.report}],
    "report_staff.transition": lambda w: [{"code": w.report}],
    "staff.brands": lambda w: [{}, {"status": "archived", "q": "吉"}],
    "staff.new_brand": lambda w: [{}],
    "staff.edit_brand": lambda w: [{"slug": "jizhi-jipin"}, {"slug": "meihe-heyun-sample"}],
    "staff.brand_archive": lambda w: [
        {"slug": "jizhi-jipin", "action": action} for action in ("archive", "unarchive")
    ],
    "staff.history": lambda w: [
        {"kind": "products", "key": "meihe-dami"},
        {"kind": "authorizations", "key": f"{SAMPLE_ORG}/meihe-dami"},
        {"kind": "guidance", "key": w.code},
    ],
    "staff.restore": lambda w: [
        {"kind": "guidance", "key": w.code, "revision_id": first_revision(w, "guidance", w.code)}
    ],
    "staff.trail": lambda w: [{}, {"kind": "guidance", "who": "curator@example.org"}],
    "staff.contents": lambda w: [{"kind": "stories"}, {"kind": "events", "state": "draft"}],
    "staff.content_new": lambda w: [{"kind": "stories"}, {"kind": "events"}],
    "staff.content": lambda w: [
        {"kind": "stories", "slug": "meihe-dami-story"},
        {"kind": "events", "slug": "ip-strong-province-conference"},
    ],
    "staff.content_publish": lambda w: [{"kind": "stories", "slug": "meihe-dami-story"}],
    "staff.content_preview": lambda w: [{"kind": "stories"}],
    "staff.slots": lambda w: [{}],
    "staff.slot_new": lambda w: [{}],
    "staff.slot": lambda w: [{"slot_id": 1}],
    "staff.slot_move": lambda w: [{"slot_id": 1}],
    "staff.slot_end": lambda w: [{"slot_id": 1}],
    "staff.products": lambda w: [{}, {"status": "archived", "q": "梅河"}, {"page": 2}],
    "staff.product_new": lambda w: [{}],
    "staff.product_edit": lambda w: [{"slug": "meihe-dami"}],
    "staff.product_images": lambda w: [{"slug": "meihe-dami"}],
    "staff.product_image": lambda w: [{"slug": "meihe-dami", "media_id": 1}],
    "staff.product_archive": lambda w: [{"slug": "meihe-dami"}],
    "staff.brand_images": lambda w: [{"slug": "jizhi-jipin"}],
    "staff.brand_image": lambda w: [{"slug": "jizhi-jipin", "media_id": 1}],
    "staff.categories": lambda w: [{}],
    "staff.new_category": lambda w: [{}],
    "staff.edit_category": lambda w: [{"code": "grain"}],
    "staff.category_move": lambda w: [{"code": "grain"}],
    "staff.new_producer": lambda w: [{}],
    "staff.edit_producer": lambda w: [{"slug": w.pending_org}, {"slug": SAMPLE_ORG}],
    "staff.producer_archive": lambda w: [
        {"slug": SAMPLE_ORG, "action": action} for action in ("archive", "unarchive")
    ],
    "staff.change": lambda w: [
        {"code": w.code, "action": action} for action in ("assign", "answer", "close")
    ],
    "staff.authorizations": lambda w: [{}, {"status": "revoked", "q": "meihekou", "ending": 60}],
    "staff.grant": lambda w: [{}],
    "staff.authorization": lambda w: [{"producer": SAMPLE_ORG, "product": "meihe-dami"}],
    "staff.label": lambda w: [
        {"producer": SAMPLE_ORG, "product": "meihe-dami", "kind": kind} for kind in ("svg", "png")
    ],
    "staff.labels": lambda w: [{"producer": SAMPLE_ORG, "product": "meihe-dami", "count": 2}],
    "staff.users.index": lambda w: [{}, {"q": "member"}],
    "staff.users.user": lambda w: [{"user_id": w.member_id}],
}
# Admins only: staff get 403 there too (staff.users' own check).
ADMIN_ONLY = frozenset({"staff.users.index", "staff.users.user"})
# What each POST would do if the check let it through: none of it may happen.
POSTED = {
    "decision": "suspend",
    "reason": "不应生效",
    "selected": "good-one",
    "approve": "1",
    "assignee": "member@example.org",
    "answer": "不应生效的答复",
    "note": "不应生效的备注",
    "product": "meihe-dami",
    "submit": "1",
    "unpublish": "1",
    "up": "1",
    "action": "revoke",
    "producer": "fuyu-fengshi-family-farm",  # verified, not authorised for meihe-dami
    "valid_from": "2026-01-01",
    "valid_to": "2030-01-01",
    "role": "admin",
    "active": "y",
}


def first_revision(world: World, kind: str, key: str) -> int:
    with world.app.app_context():
        query = select(AuditEntry.id).where(AuditEntry.entity == kind, AuditEntry.entity_key == key)
        return db.session.scalar(query.order_by(AuditEntry.id).limit(1))


def staff_rules(app: Flask) -> list:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")]


def tries(world: World) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every staff rule, argument set and method."""
    found = []
    with world.app.test_request_context():
        adapter = world.app.url_map.bind("localhost")
        for rule in staff_rules(world.app):
            for arguments in ARGUMENTS[rule.endpoint](world):
                url = adapter.build(rule.endpoint, arguments)
                for method in sorted(rule.methods & {"GET", "POST"}):
                    found.append((rule.endpoint, method, url))
    return found


def test_every_staff_route_is_listed(sample_app):
    rules = staff_rules(sample_app)
    assert len(rules) >= len(ARGUMENTS)
    missing = sorted(rule.endpoint for rule in rules if rule.endpoint not in ARGUMENTS)
    assert not missing, f"add these routes to ARGUMENTS (and decide what they refuse): {missing}"


def test_anonymous_visitors_go_to_login_and_producers_get_403(world):
    anonymous = world.client()
    member = world.client(world.member_id)
    attempts = tries(world)
    assert {endpoint for endpoint, _m, _u in attempts} == set(ARGUMENTS)
    for endpoint, method, url in attempts:
        for who, client in (("anonymous", anonymous), ("producer", member)):
            if method == "POST":
                # A valid CSRF token from a public form: the role check, not CSRF, must refuse.
                answer = client.post(url, data={"csrf_token": token(client, ASK), **POSTED})
            else:
                answer = client.get(url)
            if who == "anonymous":
                assert answer.status_code == 302, (endpoint, method, url, answer.status_code)
                assert "/login" in answer.headers["Location"], (endpoint, url)
            else:
                assert answer.status_code == 403, (endpoint, method, url, answer.status_code)
            leaked = [word for word in SECRETS if word in answer.text]
            assert not leaked, (who, endpoint, url, leaked)
    with world.app.app_context():  # nothing the POSTs asked for happened
        assert sample_producer(world.pending_org).status == "pending"
        assert db.session.get(User, world.member_id).role == "producer"
        assert db.session.scalar(select(Listing.status).where(Listing.slug == "good-one")) == (
            "pending"
        )
        request = db.session.scalar(select(GuidanceRequest))
        assert (request.status, request.answer) == ("received", "")
        umbrella = db.session.scalar(select(Brand).where(Brand.slug == "jizhi-jipin"))
        assert (umbrella.status, umbrella.archived_at) == ("published", None)
        marks = {
            (a.producer.slug, a.product.slug): a.status
            for a in db.session.scalars(select(Authorization))
        }
        assert marks[(SAMPLE_ORG, "meihe-dami")] == "active"  # not revoked
        assert ("fuyu-fengshi-family-farm", "meihe-dami") not in marks  # not granted
        report = db.session.scalar(select(MisuseReport))
        assert (report.status, report.notes, report.product.slug) == ("received", [], "meihe-dami")
        assert not db.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.changes.is_not(None), AuditEntry.actor == "member@example.org"
            )
        )


def test_staff_open_every_page_privately(world):
    staff = world.client(world.staff_id)
    with world.app.app_context():
        admin = world.client(make_user("admin@example.org", role="admin").id)
    for endpoint, method, url in tries(world):
        if endpoint in ADMIN_ONLY:  # staff are refused, GET or POST; admins get the page
            if method == "POST":
                answer = staff.post(url, data={"csrf_token": token(staff, ASK), **POSTED})
            else:
                answer = staff.get(url)
            assert answer.status_code == 403, (endpoint, method, url, answer.status_code)
            if method != "GET":
                continue
            answer = admin.get(url)
        elif method != "GET":
            continue
        else:
            answer = staff.get(url)
        assert answer.status_code == 200, (endpoint, url, answer.status_code)
        assert "private" in answer.headers["Cache-Control"], url
        assert "no-store" in answer.headers["Cache-Control"], url
        assert answer.headers["X-Robots-Tag"] == "noindex", url
    assert admin.get("/staff/").status_code == 200
    with world.app.app_context():
        assert db.session.get(User, world.member_id).role == "producer"


def test_english_staff_pages_mark_their_chinese(world):
    staff = world.client(world.staff_id, lang="en")
    with world.app.app_context():
        admin = world.client(make_user("admin@example.org", role="admin").id, lang="en")
    # Something in every list, so record text shows.
    post(
        staff,
        f"/staff/guidance/{world.code}/answer",
        {"answer": "请带营业执照来站。"},
        form_url=f"/staff/guidance/{world.code}",
    )
    problems = []
    for endpoint, method, url in tries(world):
        if method != "GET":
            continue
        page = (admin if endpoint in ADMIN_ONLY else staff).get(url)
        assert page.status_code == 200, url
        if page.mimetype != "text/html":  # an evidence photo
            continue
        assert '<html lang="en"' in page.text, url
        problems += [f"{url}: {finding}" for finding in unmarked_chinese(page.text)]
    refused = post(staff, "/staff/listings", {"selected": world.bad, "approve": "1"})
    assert refused.status_code == 303
    problems += [f"flash: {f}" for f in unmarked_chinese(staff.get("/staff/listings").text)]
    assert not problems, "\n".join(problems[:20])


# -- the dashboard --------------------------------------------------------------------------------


def count_of(page: str, url_part: str) -> int:
    match = re.search(
        re.escape(url_part) + r'[^"]*">[^<]+</a> <span class="badge count">(\d+)', page
    )
    assert match, url_part
    return int(match.group(1))


def test_the_dashboard_counts_pending_work_and_expiring_authorisations(world):
    with world.app.app_context():
        today = local_today()
        sample = sample_producer(SAMPLE_ORG)
        products = unauthorised_products(sample, 3)
        terms = (("EXP-SOON", 30), ("EXP-LATER", 90), ("EXP-PAST", -1))
        with unit_of_work(actor="test") as work:
            for product, (number, days) in zip(products, terms, strict=True):
                save_authorization(
                    work,
                    factories.authorization(
                        SAMPLE_ORG,
                        product.slug,
                        number=number,
                        valid_from=(today - timedelta(days=400)).isoformat(),
                        valid_to=(today + timedelta(days=days)).isoformat(),
                    ),
                )
        assert timedelta(days=60) == EXPIRY_WINDOW
    page = world.client(world.staff_id).get("/staff/").text
    assert count_of(page, "/staff/organisations?status=pending") == 1
    assert count_of(page, "/staff/listings?status=pending") == 3
    assert count_of(page, "/staff/guidance?status=received") == 1
    assert "梅河口市虚构稻米合作社" in page and world.code in page
    assert "EXP-SOON" in page
    assert "EXP-LATER" not in page and "EXP-PAST" not in page


# -- organisations ----------------------------------------------------------------------------------


def history_actors(app: Flask, entity: str, key: str) -> set[str]:
    with app.app_context():
        query = select(AuditEntry.actor).where(
            AuditEntry.entity == entity, AuditEntry.entity_key == key
        )
        return set(db.session.scalars(query))


def test_the_organisation_page_shows_facts_contacts_licence_and_the_code_check(world):
    staff = world.client(world.staff_id)
    queue = staff.get("/staff/organisations?status=pending").text
    assert f"/staff/organisations/{world.pending_org}" in queue
    page = staff.get(f"/staff/organisations/{world.pending_org}").text
    assert SECRET_NAME in page and SECRET_PHONE in page and "applicant@example.org" in page
    licence = f"/portal/organisations/{world.pending_org}/licence"
    assert f'<img class="licence" src="{licence}"' in page
    assert staff.get(licence).headers["Content-Type"] == "image/jpeg"
    assert "校验位正确" in page
    with world.app.app_context():  # a code that fails its check character is flagged
        producer = sample_producer(world.pending_org)
        producer.credit_code = producer.credit_code[:-1] + (
            "0" if producer.credit_code[-1] != "0" else "1"
        )
        db.session.commit()
    assert "校验位不正确" in staff.get(f"/staff/organisations/{world.pending_org}").text


def test_verifying_through_the_page_publishes_its_listings(world):
    staff = world.client(world.staff_id)
    anonymous = world.client()
    assert anonymous.get(f"/listings/{world.waiting_listing}").status_code == 404
    url = f"/staff/organisations/{world.pending_org}"
    answer = post(staff, url, {"decision": "verify", "reason": ""})
    assert answer.status_code == 303, answer.text[:500]
    assert "已核准" in staff.get(url).text
    with world.app.app_context():
        producer = sample_producer(world.pending_org)
        assert (producer.status, producer.verified) == ("active", True)
    assert anonymous.get(f"/listings/{world.waiting_listing}").status_code == 200
    assert "curator@example.org" in history_actors(world.app, "producers", world.pending_org)


@pytest.mark.parametrize(
    "lang,message",
    [
        ("zh_CN", "原因：退回或暂停时请写明原因"),
        ("en", "Reason: please give a reason to reject or suspend"),
    ],
)
def test_rejecting_needs_a_reason_named_in_the_pages_language(world, lang, message):
    staff = world.client(world.staff_id, lang=lang)
    url = f"/staff/organisations/{world.pending_org}"
    answer = post(staff, url, {"decision": "reject", "reason": "  "})
    assert answer.status_code == 422
    assert message in answer.text
    unknown = post(staff, url, {"decision": "suspend", "reason": "x"})  # not offered while pending
    assert unknown.status_code == 422
    with world.app.app_context():
        assert sample_producer(world.pending_org).status_reason == ""


def test_a_rejection_reason_reaches_the_members(world):
    staff = world.client(world.staff_id)
    url = f"/staff/organisations/{world.pending_org}"
    assert (
        post(staff, url, {"decision": "reject", "reason": "营业执照照片不清晰"}).status_code == 303
    )
    with world.app.app_context():
        producer = sample_producer(world.pending_org)
        assert (producer.status, producer.status_reason) == ("pending", "营业执照照片不清晰")
        owner_id = db.session.scalar(select(User.id).where(User.email == "applicant@example.org"))
    own_page = world.client(owner_id).get("/portal/organisation").text
    assert "营业执照照片不清晰" in own_page


def test_suspending_through_the_page_hides_the_listings(world):
    staff = world.client(world.staff_id)
    anonymous = world.client()
    listing = "owned-rice"
    with world.app.app_context(), unit_of_work(actor="test") as work:
        save_listing(work, factories.listing(listing, producer=SAMPLE_ORG, category="grain"))
    assert anonymous.get(f"/listings/{listing}").status_code == 200
    url = f"/staff/organisations/{SAMPLE_ORG}"
    assert post(staff, url, {"decision": "suspend", "reason": "投诉核查中"}).status_code == 303
    assert anonymous.get(f"/listings/{listing}").status_code == 404
    assert listing not in anonymous.get("/listings").text
    assert post(staff, url, {"decision": "verify"}).status_code == 303  # suspended → active again
    assert anonymous.get(f"/listings/{listing}").status_code == 200


# -- listings in bulk -------------------------------------------------------------------------------


def statuses(app: Flask, slugs: list[str]) -> dict[str, tuple[str, str]]:
    with app.app_context():
        query = select(Listing.slug, Listing.status, Listing.status_reason).where(
            Listing.slug.in_(slugs)
        )
        return {slug: (status, reason) for slug, status, reason in db.session.execute(query)}


def test_bulk_approval_applies_the_good_and_names_the_refused(world):
    staff = world.client(world.staff_id)
    queue = staff.get("/staff/listings?status=pending").text
    for slug in [*world.good, world.bad]:
        assert f'value="{slug}"' in queue
    answer = post(staff, "/staff/listings", {"selected": [*world.good, world.bad], "approve": "1"})
    assert answer.status_code == 303
    after = statuses(world.app, [*world.good, world.bad])
    assert after == {
        "good-one": ("published", ""),
        "good-two": ("published", ""),
        "bad-gi": ("pending", ""),  # the GI name rule, checked again, refused it
    }
    page = staff.get("/staff/listings?status=pending").text
    assert "已发布 2 条" in page
    assert "未处理“未授权产品的供应”" in page
    assert world.client().get("/listings/good-one").status_code == 200
    assert "curator@example.org" in history_actors(world.app, "listings", "good-one")


def test_bulk_rejection_needs_one_reason_and_applies_it_to_each(world):
    staff = world.client(world.staff_id, lang="en")
    chosen = {"selected": world.good, "reject": "1"}
    missing = post(staff, "/staff/listings", chosen | {"reason": " "})
    assert missing.status_code == 422
    assert "Reason for rejection: please give a reason" in missing.text
    nothing = post(staff, "/staff/listings", {"approve": "1"})
    assert nothing.status_code == 422 and "Select: please tick at least one listing" in nothing.text
    assert statuses(world.app, world.good) == {slug: ("pending", "") for slug in world.good}
    done = post(staff, "/staff/listings", chosen | {"reason": "请补充产地信息"})
    assert done.status_code == 303
    assert statuses(world.app, world.good) == {
        slug: ("rejected", "请补充产地信息") for slug in world.good
    }
    assert "Rejected 2 listings." in staff.get("/staff/listings").text


# -- batches ----------------------------------------------------------------------------------------


def test_a_recall_from_the_staff_page_shows_on_the_scan_page(world):
    staff = world.client(world.staff_id)
    found = staff.get("/staff/batches?q=staff-01").text
    assert f"/staff/batches/{world.batch_id}" in found
    assert f"/staff/batches/{world.batch_id}" not in staff.get("/staff/batches?q=NOPE").text
    by_producer = staff.get("/staff/batches?q=meihekou").text
    assert f"/staff/batches/{world.batch_id}" in by_producer
    url = f"/staff/batches/{world.batch_id}"
    empty = post(staff, url, {"reason": "  "})
    assert empty.status_code == 422 and "召回原因：请填写召回原因" in empty.text
    assert post(staff, url, {"reason": "农残超标，请勿食用"}).status_code == 303
    scan = world.client().get(f"/t/{world.batch_token}").text
    assert "农残超标，请勿食用" in scan
    assert "已召回" in staff.get(url).text
    key = f"{SAMPLE_ORG}/STAFF-01"
    assert "curator@example.org" in history_actors(world.app, "batches", key)


# -- guidance requests ------------------------------------------------------------------------------


def test_guidance_is_assigned_answered_and_closed_through_the_pages(world):
    staff = world.client(world.staff_id)
    listed = staff.get("/staff/guidance").text
    assert f"/staff/guidance/{world.code}" in listed
    url = f"/staff/guidance/{world.code}"
    page = staff.get(url).text
    assert REQUESTER in page and REQUESTER_CONTACT in page
    public = world.client().get(f"/guidance/{world.code}").text
    assert REQUESTER_CONTACT not in public
    # Assign: only staff can be chosen; the assignment is in the request's history.
    wrong = post(staff, f"{url}/assign", {"assignee": "member@example.org"}, form_url=url)
    assert wrong.status_code == 422 and "指派给：请选择一位工作人员" in wrong.text
    assert (
        post(staff, f"{url}/assign", {"assignee": "curator@example.org"}, form_url=url).status_code
        == 303
    )
    assert "curator@example.org" in staff.get(url).text.split("负责人")[1][:200]
    # Answer: shown on the requester's public page at once.
    empty = post(staff, f"{url}/answer", {"answer": " "}, form_url=url)
    assert empty.status_code == 422 and "答复：请填写答复内容" in empty.text
    answer = "请携带营业执照复印件到站填写申请书。"
    assert post(staff, f"{url}/answer", {"answer": answer}, form_url=url).status_code == 303
    public = world.client().get(f"/guidance/{world.code}").text
    assert answer in public and "已答复" in public
    assert f"/staff/guidance/{world.code}" in staff.get("/staff/guidance?status=answered").text
    # Close: the answer stays; no further answer is taken.
    assert post(staff, f"{url}/close", {}, form_url=url).status_code == 303
    closed = staff.get(url).text
    assert "该咨询已办结" in closed and 'action="/staff/guidance' not in closed
    later = staff.post(f"{url}/answer", data={"csrf_token": token(staff, ASK), "answer": "再答"})
    assert later.status_code == 409
    public = world.client().get(f"/guidance/{world.code}").text
    assert answer in public and "已办结" in public
    with world.app.app_context():
        query = select(AuditEntry).where(AuditEntry.entity == "guidance").order_by(AuditEntry.id)
        entries = db.session.scalars(query).all()
        assert {entry.actor for entry in entries[1:]} == {"curator@example.org"}
        assert entries[1].changes == {"assigned_to": [None, "curator@example.org"]}
