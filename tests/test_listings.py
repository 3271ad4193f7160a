"""The producer portal's listings: the form, the lifecycle, ownership and the GI name rule."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import AuditEntry, Authorization, Listing, ListingStat, Producer
from gi_registry.services import listings as service
from gi_registry.services.errors import ValidationError
from gi_registry.services.listing_rules import TRANSITIONS, GINameError, TransitionError
from gi_registry.services.unit import unit_of_work
from tests.factories import make_user, sign_in

VERIFIED = "meihekou-hefengyuan-coop"  # verified, authorised for meihe-dami until 2028-02-29
UNVERIFIED = "taobei-qingye-family-farm"  # not verified, authorised for baicheng-lvdou
NEW = "/portal/listings/new"


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def form_data(**fields) -> dict:
    data = {
        "kind": "supply",
        "product": "meihe-dami",
        "category": "",
        "title": "供应梅河大米新米",
        "description": "真空包装",
        "quantity": "20",
        "unit": "吨",
        "price_min": "10",
        "price_max": "16",
        "price_unit": "元/公斤",
        "region": "220581",
        "available_from": "",
        "available_to": "",
    }
    data.update(fields)
    return data


def jpeg(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 80), colour).save(out, "JPEG")
    return out.getvalue()


def signed_in(app, email="owner@example.com", producer=VERIFIED):
    client = app.test_client()
    with app.app_context():
        sign_in(client, make_user(email, producer=producer))
    return client


def post_new(client, **fields):
    data = {"csrf_token": csrf_token(client, NEW), **form_data(**fields)}
    return client.post(NEW, data=data, content_type="multipart/form-data")


def created_slug(response) -> str:
    assert response.status_code == 303, re.findall(
        r'class="(?:form-errors|field-error)".*', response.text
    )
    return re.search(r"/portal/listings/([a-z0-9-]+)/edit", response.headers["Location"]).group(1)


def listing(slug: str) -> Listing:
    return db.session.scalar(select(Listing).where(Listing.slug == slug))


def act(client, slug: str, action: str):
    token = csrf_token(client, f"/portal/listings/{slug}/edit")
    return client.post(f"/portal/listings/{slug}/{action}", data={"csrf_token": token})


# -- the form -------------------------------------------------------------------------------------


def test_a_member_posts_a_draft_with_photos_that_belongs_to_the_organisation(sample_app):
    client = signed_in(sample_app)
    data = {"csrf_token": csrf_token(client, NEW), **form_data()}
    data["photos"] = [(io.BytesIO(jpeg()), "a.jpg"), (io.BytesIO(jpeg((0, 90, 0))), "b.jpg")]
    slug = created_slug(client.post(NEW, data=data, content_type="multipart/form-data"))
    with sample_app.app_context():
        item = listing(slug)
        assert item.status == "draft" and item.producer.slug == VERIFIED
        assert item.created_by_id is not None
        assert [str(item.price_min), str(item.price_max)] == ["10.00", "16.00"]
        assert len(item.images) == 2 and item.region_code == "220581"
    page = client.get(f"/portal/listings/{slug}/edit")
    assert "草稿" in page.text and 'name="remove_photo"' in page.text
    # Not public while a draft.
    assert sample_app.test_client().get(f"/listings/{slug}").status_code == 404


def test_photos_can_be_removed_on_edit_and_the_history_lists_the_changes(sample_app):
    client = signed_in(sample_app)
    data = {"csrf_token": csrf_token(client, NEW), **form_data()}
    data["photos"] = [(io.BytesIO(jpeg()), "a.jpg")]
    slug = created_slug(client.post(NEW, data=data, content_type="multipart/form-data"))
    with sample_app.app_context():
        media_id = listing(slug).images[0].media_id
        version = listing(slug).version
    edit = f"/portal/listings/{slug}/edit"
    data = {
        "csrf_token": csrf_token(client, edit),
        **form_data(title="供应梅河大米（改）", price_max="18"),
        "remove_photo": str(media_id),
        "version": str(version),
    }
    response = client.post(edit, data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.text[:1000]
    with sample_app.app_context():
        item = listing(slug)
        assert item.images == [] and item.title == "供应梅河大米（改）"
    page = client.get(edit).text
    assert "修改记录" in page and "供应梅河大米（改）" in page and "16" in page and "18" in page


def test_a_stale_form_is_refused_and_overwrites_nothing(sample_app):
    client = signed_in(sample_app)
    slug = created_slug(post_new(client))
    edit = f"/portal/listings/{slug}/edit"
    with sample_app.app_context():
        old = listing(slug).version
    first = {
        "csrf_token": csrf_token(client, edit),
        **form_data(title="第一次修改"),
        "version": old,
    }
    assert client.post(edit, data=first).status_code == 303
    second = {
        "csrf_token": csrf_token(client, edit),
        **form_data(title="第二次修改"),
        "version": old,
    }
    refused = client.post(edit, data=second)
    assert refused.status_code == 422 and "已被他人修改" in refused.text
    with sample_app.app_context():
        assert listing(slug).title == "第一次修改"


def test_bad_input_is_named_by_field_and_never_a_500(sample_app):
    client = signed_in(sample_app)
    response = post_new(
        client,
        product="",
        category="",
        price_min="abc",
        price_max="",
        available_from="2027-05-01",
        available_to="2027-01-01",
        region="99999x",
    )
    assert response.status_code == 422
    text = response.text
    assert "不是数字" in text and "产品和类别至少填写一项" in text
    assert "结束日期早于开始日期" in text and "行政区划代码" in text


def test_a_signed_in_user_without_an_organisation_cannot_post(sample_app):
    with sample_app.app_context():
        from gi_registry.services.accounts import create_user

        with unit_of_work(actor="test") as work:
            buyer = create_user(work, "staff@example.com", "password-123", role="staff")
        client = sample_app.test_client()
        sign_in(client, buyer)
    assert client.get(NEW).status_code == 403
    assert "/login" in sample_app.test_client().get(NEW).headers["Location"]


def test_the_form_needs_its_csrf_token(sample_app):
    client = signed_in(sample_app)
    assert client.post(NEW, data=form_data()).status_code == 400
    slug = created_slug(post_new(client))
    assert client.post(f"/portal/listings/{slug}/submit").status_code == 400


# -- ownership ------------------------------------------------------------------------------------


def owned_urls(slug: str) -> list[tuple[str, str]]:
    base = f"/portal/listings/{slug}"
    return [("get", f"{base}/edit"), ("post", f"{base}/edit")] + [
        ("post", f"{base}/{action}") for action in ("submit", "close", "delete")
    ]


def test_other_organisations_and_the_public_get_404_for_every_owned_url(sample_app):
    owner = signed_in(sample_app)
    slug = created_slug(post_new(owner))
    other = signed_in(sample_app, "other@example.com", UNVERIFIED)
    anonymous = sample_app.test_client()
    token = csrf_token(other, NEW)
    for method, url in owned_urls(slug):
        answer = other.get(url) if method == "get" else other.post(url, data={"csrf_token": token})
        assert answer.status_code == 404, url
        # A POST without a token is refused by the CSRF check before anything is looked up.
        assert getattr(anonymous, method)(url).status_code in (302, 400), url
    # Every rule under /portal/listings/<slug> is in the list above: a new one cannot be forgotten.
    rules = {
        (method.lower(), rule.rule.replace("<slug:slug>", slug))
        for rule in sample_app.url_map.iter_rules()
        if rule.rule.startswith("/portal/listings/<slug:slug>")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    expanded = {
        (m, u.replace("<any(submit, close, delete):action>", a))
        for m, u in rules
        for a in ("submit", "close", "delete")
    }
    assert expanded <= set(owned_urls(slug))
    with sample_app.app_context():
        assert listing(slug).status == "draft"


def test_a_second_member_of_the_same_organisation_may_edit(sample_app):
    owner = signed_in(sample_app)
    slug = created_slug(post_new(owner))
    colleague = signed_in(sample_app, "colleague@example.com", VERIFIED)
    assert colleague.get(f"/portal/listings/{slug}/edit").status_code == 200


# -- the lifecycle --------------------------------------------------------------------------------


def test_a_verified_organisation_publishes_at_once_and_the_page_is_public(sample_app):
    client = signed_in(sample_app)
    slug = created_slug(post_new(client))
    assert act(client, slug, "submit").status_code == 303
    with sample_app.app_context():
        item = listing(slug)
        assert item.status == "published" and item.published_at is not None
    assert sample_app.test_client().get(f"/listings/{slug}").status_code == 200
    assert act(client, slug, "close").status_code == 303
    assert sample_app.test_client().get(f"/listings/{slug}").status_code == 404


def test_an_unverified_organisation_waits_for_review_and_sees_the_reason(sample_app):
    client = signed_in(sample_app, "farm@example.com", UNVERIFIED)
    slug = created_slug(post_new(client, product="baicheng-lvdou", region="220802"))
    act(client, slug, "submit")
    with sample_app.app_context():
        assert listing(slug).status == "pending"
    assert sample_app.test_client().get(f"/listings/{slug}").status_code == 404
    cli = sample_app.test_cli_runner()
    pending = cli.invoke(args=["listings", "pending"])
    assert slug in pending.output
    result = cli.invoke(args=["listings", "reject", slug, "--reason", "价格单位不清楚"])
    assert result.exit_code == 0, result.output
    page = client.get(f"/portal/listings/{slug}/edit").text
    assert "未通过" in page and "价格单位不清楚" in page
    # Fixed and submitted again: pending, reason cleared, then approved by the command.
    act(client, slug, "submit")
    assert cli.invoke(args=["listings", "approve", slug]).exit_code == 0
    with sample_app.app_context():
        item = listing(slug)
        assert (item.status, item.status_reason) == ("published", "")
        assert item.published_at is not None
    assert sample_app.test_client().get(f"/listings/{slug}").status_code == 200


def make_listing(producer: str, status: str = "draft", **fields) -> str:
    with unit_of_work(actor="test") as work:
        owner = db.session.scalar(select(Producer).where(Producer.slug == producer))
        data = {"kind": "demand", "category": "grain", "title": "求购稻谷", **fields}
        item = service.create_listing(work, owner, data, today=local_today(), user=None)
        slug = item.slug
    if status != "draft":
        with unit_of_work(actor="test") as work:
            service.set_listing_status(work, slug, status)
    return slug


ACTIONS = {
    "submit": lambda w, s: service.submit_listing(w, s, today=local_today()),
    "approve": lambda w, s: service.approve_listing(w, s, today=local_today()),
    "reject": lambda w, s: service.reject_listing(w, s, "不符合要求"),
    "close": lambda w, s: service.close_listing(w, s),
    "delete": lambda w, s: service.delete_listing(w, s),
    "edit": lambda w, s: service.update_listing(w, s, {"title": "新标题"}, today=local_today()),
}
OUTCOME = {
    ("draft", "submit"): "published",
    ("rejected", "submit"): "published",
    ("pending", "approve"): "published",
    ("pending", "reject"): "rejected",
    ("published", "reject"): "rejected",
    ("pending", "close"): "closed",
    ("published", "close"): "closed",
    ("rejected", "close"): "closed",
    ("draft", "delete"): None,
}


@pytest.mark.parametrize(
    "status", ["draft", "pending", "published", "rejected", "closed", "expired"]
)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_legal_and_illegal(sample_ctx, status, action):
    slug = make_listing(VERIFIED, status)
    legal = status in TRANSITIONS[action]
    if not legal:
        with pytest.raises(TransitionError), unit_of_work(actor="test") as work:
            ACTIONS[action](work, slug)
        assert listing(slug).status == status
        return
    with unit_of_work(actor="test") as work:
        ACTIONS[action](work, slug)
    after = listing(slug)
    if action == "edit":
        assert after.status == status and after.title == "新标题"
    else:
        expected = OUTCOME[(status, action)]
        assert (after.status if after else None) == expected


def test_editing_a_published_listing_of_an_unverified_organisation_sends_it_back_to_review(
    sample_ctx,
):
    slug = make_listing(UNVERIFIED, "published")
    with unit_of_work(actor="test") as work:
        service.update_listing(work, slug, {"title": "改过的标题"}, today=local_today())
    assert listing(slug).status == "pending"


def test_a_past_window_is_hidden_refused_and_expired_by_the_command(sample_app):
    with sample_app.app_context():
        yesterday = local_today() - timedelta(days=1)
        slug = make_listing(VERIFIED, available_to=yesterday.isoformat())
        with pytest.raises(TransitionError) as refused, unit_of_work(actor="test") as work:
            service.submit_listing(work, slug, today=local_today())
        assert "结束" in refused.value.message
        with unit_of_work(actor="test") as work:
            service.set_listing_status(work, slug, "published")
    assert sample_app.test_client().get(f"/listings/{slug}").status_code == 404
    assert sample_app.test_client().get(f"/api/v1/listings/{slug}").status_code == 404
    sitemap = sample_app.test_client().get("/sitemap.xml").text
    assert "/listings/sample-meihe-dami-2026" in sitemap and f"/listings/{slug}" not in sitemap
    result = sample_app.test_cli_runner().invoke(args=["expire-listings"])
    assert result.exit_code == 0 and slug in result.output
    again = sample_app.test_cli_runner().invoke(args=["listings", "expire"])
    assert again.exit_code == 0 and slug not in again.output
    with sample_app.app_context():
        assert listing(slug).status == "expired"
        # The sample's own listings run into 2027: none expired today.
        assert listing("sample-meihe-dami-2026").status == "published"


def test_reject_needs_a_reason_and_delete_leaves_a_history_entry(sample_ctx):
    slug = make_listing(UNVERIFIED, "pending")
    with pytest.raises(ValidationError), unit_of_work(actor="test") as work:
        service.reject_listing(work, slug, "   ")
    draft = make_listing(VERIFIED)
    item_id = listing(draft).id
    with unit_of_work(actor="test") as work:
        service.delete_listing(work, draft)
    assert listing(draft) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "listings", AuditEntry.entity_id == item_id
        )
    ).all()
    assert "create" in actions and "archive" in actions


# -- the GI name rule -----------------------------------------------------------------------------


def set_authorization(producer: str, product: str, **fields) -> None:
    with unit_of_work(actor="test"):
        auth = db.session.scalar(
            select(Authorization).where(
                Authorization.producer.has(slug=producer), Authorization.product.has(slug=product)
            )
        )
        for name, value in fields.items():
            setattr(auth, name, value)


@pytest.mark.parametrize(
    ("product", "change", "says"),
    [
        ("changbaishan-wuweizi", {}, "没有该产品的地理标志专用标志使用授权"),
        ("meihe-dami", {"valid_to": date(2025, 1, 31)}, "已于 2025-01-31 到期"),
        ("meihe-dami", {"status": "suspended"}, "已暂停使用"),
        ("meihe-dami", {"status": "revoked"}, "已撤销"),
        ("meihe-dami", {"valid_from": date(2099, 1, 1)}, "自 2099-01-01 起才生效"),
    ],
)
def test_a_supply_listing_may_not_name_a_gi_without_a_valid_authorisation(
    sample_app, product, change, says
):
    if change:
        with sample_app.app_context():
            set_authorization(VERIFIED, product, **change)
    client = signed_in(sample_app)
    response = post_new(client, product=product)
    assert response.status_code == 422
    assert says in response.text and "供应信息不能使用该名称" in response.text
    with sample_app.app_context():
        assert db.session.scalar(select(Listing).where(Listing.title == "供应梅河大米新米")) is None
    # Demand may name any product.
    assert post_new(client, product=product, kind="demand").status_code == 303


def test_the_rule_holds_in_the_service_and_at_submit_and_approval(sample_ctx):
    owner = db.session.scalar(select(Producer).where(Producer.slug == VERIFIED))
    with pytest.raises(GINameError), unit_of_work(actor="test") as work:
        service.create_listing(
            work,
            owner,
            {"kind": "supply", "product": "changbaishan-wuweizi", "title": "供应五味子"},
            today=local_today(),
            user=None,
        )
    slug = make_listing(VERIFIED, kind="supply", product="meihe-dami", title="供应大米")
    set_authorization(VERIFIED, "meihe-dami", status="revoked")
    with pytest.raises(GINameError), unit_of_work(actor="test") as work:
        service.submit_listing(work, slug, today=local_today())
    assert listing(slug).status == "draft"


def test_the_sample_supply_listings_pass_the_rule(sample_ctx):
    from gi_registry.services.listing_rules import check_gi_name

    shown = db.session.scalars(select(Listing).where(Listing.status == "published")).all()
    assert any(item.kind == "supply" and item.product for item in shown)
    for item in shown:
        check_gi_name(item.producer, item.kind, item.product, local_today())


def test_views_are_counted_by_the_beacon_not_by_owners(sample_app):
    slug = "sample-meihe-dami-2026"
    public = sample_app.test_client()
    page = public.get(f"/listings/{slug}")
    assert f'src="/listings/{slug}/seen"' in page.text
    for _ in range(3):
        response = public.get(f"/listings/{slug}/seen")
        assert response.status_code == 200 and response.mimetype == "image/gif"
        assert "no-store" in response.headers["Cache-Control"]
    owner = signed_in(sample_app)
    owner.get(f"/listings/{slug}/seen")
    with sample_app.app_context():
        item = listing(slug)
        assert db.session.get(ListingStat, item.id).views == 3
    panel = owner.get("/portal/").text
    assert "我的供需信息" in panel and "供应梅河大米（2026年新米）" in panel
    row = re.search(r"供应梅河大米（2026年新米）.*?</tr>", panel, re.S).group(0)
    assert "<td>3</td>" in row
    assert "供应梅河大米（2026年新米）" in owner.get("/portal/listings").text


def test_the_portal_pages_in_english_mark_their_chinese(sample_app):
    from tests.langmarks import unmarked_chinese

    client = signed_in(sample_app)
    client.get("/lang/en?next=/")
    slug = created_slug(post_new(client, kind="demand"))
    refused = post_new(client, product="changbaishan-wuweizi")
    assert refused.status_code == 422
    assert "is a protected geographical indication" in refused.text
    bad = post_new(client, price_min="abc", available_from="2027-05-01", available_to="2027-01-01")
    pages = {
        "new": client.get(NEW).text,
        "refused": refused.text,
        "bad": bad.text,
        "edit": client.get(f"/portal/listings/{slug}/edit").text,
        "mine": client.get("/portal/listings").text,
        # Only this feature's panel: the others are their features' business.
        "dashboard": re.search(
            r'<section class="panel" aria-labelledby="panel-listings">.*?</section>',
            client.get("/portal/").text,
            re.S,
        ).group(0),
        "board": client.get("/listings?kind=supply").text,
    }
    act(client, slug, "submit")
    pages["closed"] = act(client, slug, "submit").text  # a refused move, in English
    assert "cannot be submitted" in pages["closed"], re.findall(r"form-errors.*", pages["closed"])
    for name, html in pages.items():
        assert unmarked_chinese(html) == [], name
