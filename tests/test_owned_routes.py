"""No owned object leaks: every route of the portal, and every public route that can name an
unpublished listing, enumerated from the URL map, tried by the public and by another producer.

The arguments each route takes come from ``ARGUMENTS`` below; a new owned route that is not listed
there fails ``test_every_owned_route_is_listed`` until someone decides what it must refuse. Each
feature's own tests look closer at its pages; this one makes sure none is forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import (
    Authorization,
    InquiryThread,
    Invitation,
    Listing,
    ListingStat,
    Producer,
    TraceBatch,
    User,
)
from gi_registry.services import listings as listing_service
from gi_registry.services.inquiries import InquiryLimits, ask
from gi_registry.services.memberships import invite
from gi_registry.services.trace import create_batch
from gi_registry.services.unit import unit_of_work
from tests.factories import make_user, sign_in

OWNER = "meihekou-hefengyuan-coop"  # sample: verified, authorised for meihe-dami
OTHER = "taobei-qingye-family-farm"  # sample: another organisation

# Words that only the first organisation's private objects hold: none may reach an outsider.
SECRETS = ("草稿暗号甲", "批次暗号", "咨询暗号", "invitee-secret@example.com")


@dataclass
class Owned:
    """The first organisation's objects, by what the routes call them."""

    draft: str
    published: str
    producer: str
    batch_id: int
    thread_id: int
    invitation_id: int
    invitation_token: str
    member_id: int


# Every owned route (by endpoint) and the URL arguments to try it with.
ARGUMENTS: dict[str, Callable[[Owned], list[dict]]] = {
    "portal.dashboard": lambda o: [{}],
    "listings.mine": lambda o: [{}],
    "listings.new": lambda o: [{}],
    "listings.edit": lambda o: [{"slug": o.draft}],
    "listings.change": lambda o: [
        {"slug": o.draft, "action": action} for action in ("submit", "close", "delete")
    ],
    "organisations.show": lambda o: [{}],
    "organisations.create": lambda o: [{}],
    "organisations.edit": lambda o: [{}],
    "organisations.members": lambda o: [{}],
    "organisations.licence": lambda o: [{}],
    "organisations.remove_member": lambda o: [{"user_id": o.member_id}],
    "organisations.revoke_invitation": lambda o: [{"invitation_id": o.invitation_id}],
    "organisations.invitation": lambda o: [{"token": o.invitation_token}],
    "organisations.staff_licence": lambda o: [{"slug": o.producer}],
    "trace.batches": lambda o: [{}],
    "trace.new_batch": lambda o: [{}],
    "trace.batch": lambda o: [{"batch_id": o.batch_id}],
    "trace.labels": lambda o: [{"batch_id": o.batch_id}],
    "inquiries.threads": lambda o: [{}],
    "inquiries.thread": lambda o: [{"thread_id": o.thread_id}],
    "inquiries.contact": lambda o: [{"thread_id": o.thread_id}],
    # Public routes that take a listing: a draft must not show through them.
    "catalog.listing": lambda o: [{"slug": o.draft}],
    "inquiries.ask_about": lambda o: [{"slug": o.draft}],
    "api.listing": lambda o: [{"slug": o.draft}],
    "api.listing_matches": lambda o: [{"slug": o.draft}],
    "listings.seen": lambda o: [{"slug": o.draft}],
}

# Pages an outsider may open for themselves (their own dashboard, an empty form): they answer 200,
# but must hold nothing of the first organisation.
OWN_PAGES = {
    "portal.dashboard",
    "listings.mine",
    "listings.new",
    "organisations.show",
    "organisations.create",
    "organisations.edit",
    "organisations.members",
    "trace.batches",
    "trace.new_batch",
    "inquiries.threads",
}
# An invitation is meant to be opened by someone outside the organisation: the invitee. Another
# organisation's member may see that it exists but cannot use it.
INVITATION = "organisations.invitation"
# A view-counting pixel answers the same for every slug, live, draft or unknown: it reveals nothing,
# and it must not count a draft.
SAME_FOR_EVERY_SLUG = {"listings.seen"}
REFUSED = {403, 404, 410}
# A form sent with mistakes (an outsider's own empty form) is answered 422 with the messages.
FORM_ERRORS = {200, 302, 303, 400, 422}


def owned_rules(app: Flask) -> list:
    """Every rule under /portal/, plus the public routes that take a listing's slug."""
    listing_routes = ("/listings/<", "/api/v1/listings/<")
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/portal/") or rule.rule.startswith(listing_routes)
    ]


def test_every_owned_route_is_listed(sample_app):
    missing = sorted(r.endpoint for r in owned_rules(sample_app) if r.endpoint not in ARGUMENTS)
    assert not missing, f"add these routes to ARGUMENTS (and decide what they refuse): {missing}"


def make_owned(app: Flask) -> Owned:
    with app.app_context():
        owner = make_user("owner-a@example.com", producer=OWNER)
        member = make_user("member-a@example.com", producer=OWNER, owner=False)
        buyer = make_user("buyer-c@example.com")
        producer = db.session.scalar(select(Producer).where(Producer.slug == OWNER))
        with unit_of_work(user=owner) as work:
            for slug, status in (("owned-draft", "draft"), ("owned-published", "published")):
                listing_service.save_listing(
                    work,
                    {
                        "slug": slug,
                        "kind": "demand",
                        "producer": OWNER,
                        "category": "grain",
                        "title": "草稿暗号甲" if status == "draft" else "公开的求购",
                        "status": status,
                    },
                )
            _, token = invite(work, owner, "invitee-secret@example.com")
            authorization = db.session.scalar(
                select(Authorization).where(Authorization.producer_id == producer.id)
            )
            assert authorization.is_valid_on(local_today())
            batch = create_batch(
                work,
                producer,
                {
                    "product": authorization.product.slug,
                    "batch_code": "SECRET1",
                    "produced_on": local_today().isoformat(),
                    "notes": "批次暗号",
                },
            )
        published = db.session.scalar(select(Listing).where(Listing.slug == "owned-published"))
        with unit_of_work(user=buyer) as work:
            thread = ask(work, buyer, published, "咨询暗号：可以发货吗？", InquiryLimits(100, 100))
        return Owned(
            draft="owned-draft",
            published="owned-published",
            producer=OWNER,
            batch_id=batch.id,
            thread_id=thread.id,
            invitation_id=db.session.scalar(select(Invitation.id)),
            invitation_token=token,
            member_id=member.id,
        )


@pytest.fixture
def owned(sample_app) -> Owned:
    return make_owned(sample_app)


def csrf_token_of(client) -> str:
    page = client.get("/portal/listings/new")
    if page.status_code != 200:  # an account without an organisation: its own create form
        page = client.get("/portal/organisation/new")
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def tries(app: Flask, owned: Owned):
    """(endpoint, method, url) for every owned rule and argument set."""
    with app.test_request_context():
        for rule in owned_rules(app):
            for arguments in ARGUMENTS[rule.endpoint](owned):
                url = app.url_map.bind("localhost").build(rule.endpoint, arguments)
                for method in sorted(rule.methods & {"GET", "POST"}):
                    yield rule.endpoint, method, url


def state(app: Flask, owned: Owned) -> tuple:
    """What an outsider's request must not change."""
    with app.app_context():
        draft = db.session.scalar(select(Listing).where(Listing.slug == owned.draft))
        return (
            draft and (draft.status, draft.version),
            db.session.get(TraceBatch, owned.batch_id).version,
            len(db.session.get(InquiryThread, owned.thread_id).messages),
            db.session.get(Invitation, owned.invitation_id).accepted_at,
            db.session.get(User, owned.member_id).producer_id,
            db.session.get(ListingStat, draft.id) if draft else None,
        )


def assert_no_secret(endpoint: str, url: str, text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"{endpoint} {url} shows {leaked}"


def assert_same_as_unknown(client, url: str, response) -> None:
    unknown = client.get(url.replace("owned-draft", "no-such-listing"))
    assert (response.status_code, response.data) == (unknown.status_code, unknown.data), url


def test_the_public_gets_a_login_page_or_nothing(sample_app, owned):
    client = sample_app.test_client()
    before = state(sample_app, owned)
    for endpoint, method, url in tries(sample_app, owned):
        response = client.open(url, method=method, data={})
        where = f"{method} {url} ({endpoint})"
        if endpoint in SAME_FOR_EVERY_SLUG:
            assert_same_as_unknown(client, url, response)
        elif response.status_code in (301, 302, 303):
            assert response.headers["Location"].startswith("/login"), where
        else:
            assert response.status_code in REFUSED | {400}, f"{where}: {response.status_code}"
        assert_no_secret(endpoint, url, response.get_data().decode("utf-8", "replace"))
    assert state(sample_app, owned) == before


@pytest.mark.parametrize("outsider", ["other-producer", "no-organisation"])
def test_another_producer_gets_nothing(sample_app, owned, outsider):
    client = sample_app.test_client()
    with sample_app.app_context():
        producer = OTHER if outsider == "other-producer" else None
        sign_in(client, make_user(f"{outsider}@example.com", producer=producer))
    token = csrf_token_of(client)
    before = state(sample_app, owned)
    for endpoint, method, url in tries(sample_app, owned):
        data = {"csrf_token": token, "reason": "x", "body": "x", "email": "x@example.com"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        status = response.status_code
        where = f"{outsider}: {method} {url} ({endpoint}) → {status}"
        assert status != 500, where
        assert_no_secret(endpoint, url, response.get_data().decode("utf-8", "replace"))
        if endpoint in SAME_FOR_EVERY_SLUG:
            assert_same_as_unknown(client, url, response)
        elif endpoint in OWN_PAGES:
            assert status in FORM_ERRORS | REFUSED, where
        elif endpoint == INVITATION and outsider == "no-organisation":
            continue  # the invitee could be anyone: tested in test_organisations
        else:
            assert status in REFUSED, where
    assert state(sample_app, owned) == before


def test_every_form_refuses_a_post_without_its_csrf_token(sample_app, owned):
    """Signed in as the owner, who may do everything: without the token, nothing happens."""
    client = sample_app.test_client()
    with sample_app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "owner-a@example.com"))
        sign_in(client, owner)
    before = state(sample_app, owned)
    posts = [(e, u) for e, m, u in tries(sample_app, owned) if m == "POST"]
    assert len(posts) >= 10
    for endpoint, url in posts:
        response = client.post(url, data={"reason": "x", "body": "x", "email": "y@example.com"})
        assert response.status_code == 400, f"{url} ({endpoint}): {response.status_code}"
    assert state(sample_app, owned) == before


def test_every_owned_page_opens_for_its_owner_and_marks_chinese_in_english(sample_app, owned):
    """The owner opens every GET page above (all panels of the dashboard with something in them):
    no error, and on English pages every Chinese record text is marked as Chinese."""
    from tests.langmarks import unmarked_chinese

    client = sample_app.test_client()
    with sample_app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "owner-a@example.com"))
        sign_in(client, owner)
    client.set_cookie("lang", "en")
    problems, opened = [], 0
    for endpoint, method, url in tries(sample_app, owned):
        if method != "GET" or endpoint in SAME_FOR_EVERY_SLUG or endpoint in NOT_FOR_MEMBERS:
            continue
        response = client.get(url)
        if endpoint in PUBLIC_ONLY:  # the draft is not public, even to its owner, on public routes
            assert response.status_code == 404, url
            continue
        assert response.status_code == 200, f"{url}: {response.status_code}"
        opened += 1
        if response.mimetype == "text/html":
            problems += [f"{url}: {finding}" for finding in unmarked_chinese(response.text)]
    assert opened >= 12
    assert not problems, "\n".join(problems[:20])


# Pages the owner does not use: creating a second organisation, accepting their own invitation,
# the staff's copy of the licence; and the licence itself, which the sample organisation has not
# uploaded (test_organisations opens one).
NOT_FOR_MEMBERS = {
    "organisations.create",
    INVITATION,
    "organisations.staff_licence",
    "organisations.licence",
}
PUBLIC_ONLY = {"catalog.listing", "inquiries.ask_about", "api.listing", "api.listing_matches"}
