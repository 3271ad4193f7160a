"""Inquiries: asking about a listing, replies, who may see a thread, contact privacy, unread counts
and the rate limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.models import InquiryMessage, InquiryThread, Listing, Producer, User
from gi_registry.services.accounts import register_user
from gi_registry.services.changes import registry_stamp
from gi_registry.services.inquiries import (
    InquiryError,
    InquiryLimits,
    ask,
    reply,
    threads_of,
    unread_total,
)
from gi_registry.services.unit import unit_of_work
from tests import factories as f
from tests.test_accounts import token_of

LISTING = "sample-meihe-dami-2026"
PRODUCER = "meihekou-hefengyuan-coop"
OTHER_LISTING = "sample-baicheng-lvdou-2026"


def buyer(email: str, name: str = "李采购"):
    with unit_of_work(actor="test") as work:
        return register_user(work, email, f.PASSWORD, name)


@pytest.fixture
def people(sample_app):
    """An owner of the listing's organisation, a second member, a buyer and an outsider."""
    with sample_app.app_context():
        for slug in (LISTING, OTHER_LISTING):
            # Open-ended, so that the test does not age with the sample's dates.
            db.session.scalar(select(Listing).where(Listing.slug == slug)).available_to = None
        producer = db.session.scalar(select(Producer).where(Producer.slug == PRODUCER))
        producer.contact_name, producer.contact_phone = "王社长", "13912345678"
        producer.contact_email = "coop@example.com"
        db.session.commit()
        ids = {
            "owner": f.make_user("owner@example.com", producer=PRODUCER).id,
            "member": f.make_user("member@example.com", producer=PRODUCER, owner=False).id,
            "buyer": buyer("buyer@example.com").id,
            "outsider": buyer("outsider@example.com", "旁人").id,
            "staff": f.make_user("staff@example.com", role="staff").id,
        }
    return ids


def client_for(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def post_form(client, url: str, data: dict, page: str | None = None):
    token = token_of(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **data})


def start_thread(app, people, body="请问有多少现货？", show_contact=False) -> int:
    client = client_for(app, people["buyer"])
    data = {"body": body} | ({"show_contact": "y"} if show_contact else {})
    answer = post_form(client, f"/listings/{LISTING}/ask", data, page="/login")
    assert answer.status_code == 303, answer.text
    return int(re.search(r"/portal/inquiries/(\d+)", answer.headers["Location"]).group(1))


def test_ask_and_reply_both_sides_see_the_thread(sample_app, people):
    thread_id = start_thread(sample_app, people)
    page = f"/portal/inquiries/{thread_id}"
    owner = client_for(sample_app, people["owner"])
    assert "请问有多少现货？" in owner.get(page).text
    answer = post_form(owner, page, {"body": "现货 20 吨，欢迎来看。"})
    assert answer.status_code == 303
    buyer_page = client_for(sample_app, people["buyer"]).get(page)
    assert "现货 20 吨" in buyer_page.text and "请问有多少现货" in buyer_page.text
    # The other member of the organisation sees it too.
    assert "现货 20 吨" in client_for(sample_app, people["member"]).get(page).text


def test_one_thread_per_listing_and_asker(sample_app, people):
    first = start_thread(sample_app, people)
    client = client_for(sample_app, people["buyer"])
    answer = client.get(f"/listings/{LISTING}/ask")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/portal/inquiries/{first}")
    second = start_thread(sample_app, people, body="还有一个问题")
    assert second == first
    with sample_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InquiryThread)) == 1


@pytest.mark.parametrize("who", ["outsider", "staff"])
def test_a_thread_is_not_found_for_anyone_else(sample_app, people, who):
    thread_id = start_thread(sample_app, people)
    client = client_for(sample_app, people[who])
    assert client.get(f"/portal/inquiries/{thread_id}").status_code == 404
    token = token_of(client.get("/login").text)
    reply_answer = client.post(
        f"/portal/inquiries/{thread_id}", data={"csrf_token": token, "body": "插一句"}
    )
    assert reply_answer.status_code == 404
    contact = client.post(
        f"/portal/inquiries/{thread_id}/contact", data={"csrf_token": token, "show": "1"}
    )
    assert contact.status_code == 404
    assert "请问有多少现货" not in client.get("/portal/inquiries").text
    assert client.get("/portal/inquiries/999999").status_code == 404


def test_anonymous_visitors_are_sent_to_login(sample_app, people):
    thread_id = start_thread(sample_app, people)
    client = sample_app.test_client()
    for url in (f"/listings/{LISTING}/ask", "/portal/inquiries", f"/portal/inquiries/{thread_id}"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")
    assert client.post(f"/portal/inquiries/{thread_id}/contact").status_code in (302, 400)


def test_members_cannot_ask_about_their_own_listing(sample_app, people):
    client = client_for(sample_app, people["member"])
    page = client.get(f"/listings/{LISTING}/ask")
    assert page.status_code == 403 and 'name="body"' not in page.text
    answer = post_form(client, f"/listings/{LISTING}/ask", {"body": "自问自答"}, page="/login")
    assert answer.status_code == 403
    assert "不能向自己咨询" in answer.text
    with sample_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InquiryMessage)) == 0


def test_only_public_listings_can_be_asked_about(sample_app, people):
    client = client_for(sample_app, people["buyer"])
    assert client.get("/listings/sample-yajiang-wuweizi-2027/ask").status_code == 404  # draft
    assert client.get("/listings/sample-fengshi-huasheng-2026/ask").status_code == 404  # closed
    assert client.get("/listings/no-such-listing/ask").status_code == 404


def test_posting_without_the_csrf_token_is_refused(sample_app, people):
    client = client_for(sample_app, people["buyer"])
    answer = client.post(f"/listings/{LISTING}/ask", data={"body": "没有令牌"})
    assert answer.status_code == 400
    with sample_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InquiryMessage)) == 0


def test_an_empty_message_names_the_field(sample_app, people):
    client = client_for(sample_app, people["buyer"])
    answer = post_form(client, f"/listings/{LISTING}/ask", {"body": "  "})
    assert answer.status_code == 422
    assert "留言请写 2 至 2000 个字" in answer.text


def test_contact_details_are_hidden_until_their_owner_chooses(sample_app, people):
    thread_id = start_thread(sample_app, people)
    page = f"/portal/inquiries/{thread_id}"
    owner, asker = client_for(sample_app, people["owner"]), client_for(sample_app, people["buyer"])
    assert "buyer@example.com" not in owner.get(page).text
    for hidden in ("13912345678", "coop@example.com"):
        assert hidden not in asker.get(page).text
    assert post_form(owner, f"{page}/contact", {"show": "1"}, page=page).status_code == 303
    shown = asker.get(page).text
    assert "13912345678" in shown and "coop@example.com" in shown and "王社长" in shown
    # The owner's choice says nothing of the asker's.
    assert "buyer@example.com" not in owner.get(page).text
    assert post_form(asker, f"{page}/contact", {"show": "1"}, page=page).status_code == 303
    assert "buyer@example.com" in owner.get(page).text
    assert post_form(owner, f"{page}/contact", {"show": "0"}, page=page).status_code == 303
    assert "13912345678" not in asker.get(page).text


def test_asking_with_contact_ticked_shows_the_askers_address(sample_app, people):
    thread_id = start_thread(sample_app, people, show_contact=True)
    page = client_for(sample_app, people["owner"]).get(f"/portal/inquiries/{thread_id}").text
    assert "buyer@example.com" in page


def test_unread_counts_follow_each_side(sample_app, people):
    thread_id = start_thread(sample_app, people)
    limits = InquiryLimits()
    with sample_app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in people.items()}
        assert unread_total(users["owner"]) == 1
        assert unread_total(users["member"]) == 1
        assert unread_total(users["buyer"]) == 0
        thread = db.session.get(InquiryThread, thread_id)
        with unit_of_work(user=users["owner"]) as work:
            reply(work, users["owner"], thread, "第一条回复", limits)
        with unit_of_work(user=users["member"]) as work:
            reply(work, users["member"], thread, "第二条回复", limits)
        assert unread_total(users["buyer"]) == 2
        # The owner wrote after the question, so the owner side has read it.
        assert [s.unread for s in threads_of(users["owner"])] == [0]
    listing = client_for(sample_app, people["buyer"]).get("/portal/inquiries").text
    assert "2 条未读" in listing
    client_for(sample_app, people["buyer"]).get(f"/portal/inquiries/{thread_id}")
    with sample_app.app_context():
        assert unread_total(db.session.get(User, people["buyer"])) == 0


def test_the_dashboard_panel_lists_the_latest_threads(sample_app, people):
    start_thread(sample_app, people)
    page = client_for(sample_app, people["owner"]).get("/portal/").text
    assert re.search(r"/portal/inquiries/\d+", page)
    assert "1 条未读" in page
    assert "李采购" in page  # the asker by display name, never by address
    assert "buyer@example.com" not in page


def test_messages_are_limited_per_hour(sample_app, people):
    limits = InquiryLimits(messages_per_hour=3, threads_per_hour=5)
    with sample_app.app_context():
        asker = db.session.get(User, people["buyer"])
        listing = db.session.scalar(select(Listing).where(Listing.slug == LISTING))
        for n in range(3):
            with unit_of_work(user=asker) as work:
                ask(work, asker, listing, f"第 {n} 条", limits)
        with pytest.raises(InquiryError) as refused, unit_of_work(user=asker) as work:
            ask(work, asker, listing, "第四条", limits)
        assert refused.value.reason == "messages"


def test_new_threads_are_limited_per_hour(sample_app, people):
    sample_app.config["INQUIRY_THREADS_PER_HOUR"] = 1
    start_thread(sample_app, people)
    client = client_for(sample_app, people["buyer"])
    answer = post_form(client, f"/listings/{OTHER_LISTING}/ask", {"body": "再问一个"})
    assert answer.status_code == 429
    assert "您在 1 小时内已发起 1 个新咨询" in answer.text
    assert answer.headers["Retry-After"] == "3600"


def test_the_message_limit_shows_a_clear_message(sample_app, people):
    sample_app.config["INQUIRY_MESSAGES_PER_HOUR"] = 1
    thread_id = start_thread(sample_app, people)
    client = client_for(sample_app, people["buyer"])
    page = f"/portal/inquiries/{thread_id}"
    answer = post_form(client, page, {"body": "再补充一句"})
    assert answer.status_code == 429
    assert "您在 1 小时内已发送 1 条咨询留言" in answer.text


def test_inquiries_do_not_move_the_change_marker(sample_app, people):
    with sample_app.app_context():
        before = registry_stamp()
    thread_id = start_thread(sample_app, people)
    post_form(
        client_for(sample_app, people["owner"]), f"/portal/inquiries/{thread_id}", {"body": "好"}
    )
    with sample_app.app_context():
        db.session.remove()
        assert registry_stamp() == before


def test_the_public_listing_page_links_to_the_question_form(sample_app, people):
    page = sample_app.test_client().get(f"/listings/{LISTING}")
    assert f'href="/listings/{LISTING}/ask"' in page.text
    assert page.headers.get("ETag")  # still a cached public page


def test_the_inquiry_pages_speak_english(sample_app, people):
    from tests.langmarks import unmarked_chinese

    thread_id = start_thread(sample_app, people, show_contact=True)
    owner = client_for(sample_app, people["owner"])
    page = f"/portal/inquiries/{thread_id}"
    post_form(owner, f"{page}/contact", {"show": "1"}, page=page)
    asker = client_for(sample_app, people["buyer"])
    for client in (owner, asker):
        client.set_cookie("lang", "en")
    pages = {
        "thread (owner)": owner.get(page),
        "thread (asker)": asker.get(page),
        "list": owner.get("/portal/inquiries"),
        "dashboard": owner.get("/portal/"),
        "own listing": owner.get(f"/listings/{LISTING}/ask"),
        "ask": asker.get(f"/listings/{OTHER_LISTING}/ask"),
        "ask error": post_form(asker, f"/listings/{OTHER_LISTING}/ask", {"body": ""}),
    }
    assert "Inquiry:" in pages["thread (owner)"].text
    for name, answer in pages.items():
        text = answer.text
        if name == "dashboard":  # only this feature's panel: the others are tested with theirs
            text = re.search(r'<section class="panel panel-inquiries">.*?</section>', text, re.S)[0]
        assert unmarked_chinese(text) == [], name
