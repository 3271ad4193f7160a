"""Accounts: registering, signing in and out, password reset by mail, and login throttling."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from gi_registry import create_app
from gi_registry.extensions import db
from gi_registry.models import LoginFailure, User, now_utc
from gi_registry.services.accounts import (
    BAD_CREDENTIALS,
    DEACTIVATED,
    LOCKED_OUT,
    Throttle,
    attempt_login,
    find_user,
)
from gi_registry.services.changes import registry_stamp
from gi_registry.services.unit import unit_of_work
from tests import factories as f
from tests.test_write_concurrency import clean_env

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "member@example.com"


def token_of(page_text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_text).group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None):
    token = token_of(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **data})


def login(client, email: str = EMAIL, password: str = f.PASSWORD, next_url: str = ""):
    return post_form(client, "/login", {"email": email, "password": password, "next": next_url})


def signed_in(client) -> bool:
    return client.get("/portal/").status_code == 200


@pytest.fixture
def member(app):
    with app.app_context():
        f.make_user(EMAIL, role="staff")
    return app


# -- register, login, logout ---------------------------------------------------------------------


def test_registering_creates_a_producer_without_organisation_and_signs_in(app):
    client = app.test_client()
    form = {"email": " New@Example.com ", "display_name": "张经理", "password": "a-long-secret"}
    answer = post_form(client, "/register", form | {"confirm": "a-long-secret"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/portal/"
    assert signed_in(client)
    with app.app_context():
        user = find_user("new@example.com")
        assert (user.role, user.producer_id, user.display_name) == ("producer", None, "张经理")
        assert user.password_hash != "a-long-secret" and user.check_password("a-long-secret")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": "a-long-secret", "confirm": "another-secret"}, "两次输入的密码不一致"),
        ({"password": "short", "confirm": "short"}, "密码至少 10 个字符"),
        ({"email": "not-an-address"}, "请填写有效的电子邮箱地址"),
        ({"email": EMAIL}, "该邮箱已被注册"),
        ({"email": ""}, "请填写电子邮箱"),
    ],
)
def test_registration_refusals_name_the_problem(member, form, message):
    client = member.test_client()
    good = {"email": "x@example.com", "password": "a-long-secret", "confirm": "a-long-secret"}
    answer = post_form(client, "/register", good | form)
    assert answer.status_code == 422
    assert message in answer.text
    assert not signed_in(client)


def test_login_with_the_right_password_goes_to_the_dashboard(member):
    client = member.test_client()
    answer = login(client, EMAIL.upper())
    assert (answer.status_code, answer.headers["Location"]) == (303, "/portal/")
    assert signed_in(client)
    with member.app_context():
        assert find_user(EMAIL).last_login_at is not None


def test_the_login_form_fields_are_email_and_password(app):
    page = app.test_client().get("/login").text
    assert 'name="email"' in page and 'name="password"' in page
    assert app.test_client().get("/login").headers["Cache-Control"] == "no-store"


def test_wrong_password_and_unknown_address_get_the_same_answer(member):
    wrong = login(member.test_client(), EMAIL, "wrong-password")
    unknown = login(member.test_client(), "nobody@example.com", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "邮箱或密码不正确" in wrong.text
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/portal/?tab=1", "/portal/?tab=1"),
        ("/listings/x", "/listings/x"),
        ("https://evil.example/", "/portal/"),
        ("//evil.example/", "/portal/"),
        ("/\\evil.example", "/portal/"),
        ("javascript:alert(1)", "/portal/"),
        ("", "/portal/"),
    ],
)
def test_next_only_leads_to_a_path_on_this_site(member, next_url, expected):
    answer = login(member.test_client(), next_url=next_url)
    assert answer.headers["Location"] == expected


def test_an_owned_page_sends_anonymous_visitors_to_login_and_back(member):
    client = member.test_client()
    answer = client.get("/portal/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")
    next_url = answer.headers["Location"].split("next=")[1].replace("%2F", "/")
    assert login(client, next_url=next_url).headers["Location"] == "/portal/"


def test_login_without_csrf_token_is_refused(member):
    client = member.test_client()
    answer = client.post("/login", data={"email": EMAIL, "password": f.PASSWORD})
    assert answer.status_code == 400
    assert not signed_in(client)


def test_logout_is_post_only_and_needs_the_token(member):
    client = member.test_client()
    login(client)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert signed_in(client)
    token = token_of(client.get("/login").text)
    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert not signed_in(client)


def test_the_dashboard_offers_a_logout_button(member):
    client = member.test_client()
    login(client)
    page = client.get("/portal/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert not signed_in(client)


def test_login_starts_a_fresh_session(member):
    client = member.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_a_deactivated_account_cannot_sign_in_and_its_session_ends(member):
    client = member.test_client()
    login(client)
    with member.app_context():
        find_user(EMAIL).active = False
        db.session.commit()
    assert not signed_in(client)
    answer = login(member.test_client())
    assert answer.status_code == 403
    assert "该账户已停用" in answer.text


def test_the_header_links_to_the_portal_without_reading_the_session(sample_app):
    client = sample_app.test_client()
    page = client.get("/")
    assert 'href="/portal/"' in page.text
    assert "Cookie" in page.headers.get("Vary", "")
    assert "private" not in page.headers.get("Cache-Control", "")
    assert page.headers.get("ETag")  # stored and validated: the page did not read the session


def test_session_cookies_are_secure_under_an_https_public_url(tmp_path, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url, "SECRET_KEY": "x"}
    secure = create_app(config | {"PUBLIC_URL": "https://gi.example.cn"})
    plain = create_app(config | {"PUBLIC_URL": "http://localhost:5000"})
    forced = create_app(config | {"SESSION_COOKIE_SECURE": True})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert plain.config["SESSION_COOKIE_SECURE"] is False
    assert forced.config["SESSION_COOKIE_SECURE"] is True
    cookie = secure.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for made in (secure, plain, forced):
        with made.app_context():
            db.engine.dispose()


# -- password reset ------------------------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.messages = []

    def wait(self, count: int = 1, timeout: float = 10.0) -> list:
        """The messages once ``count`` have arrived (reset mail leaves from a thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} messages arrived"
            time.sleep(0.02)
        return self.messages

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(member):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    member.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_FROM="registry@example.cn",
        PUBLIC_URL="https://gi.example.cn",
    )
    yield inbox
    controller.stop()


def reset_link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https://gi\.example\.cn(/password/reset/\S+)", body).group(1)


def forgot(client, email: str):
    return post_form(client, "/password/forgot", {"email": email})


def choose_password(client, path: str, password: str):
    return post_form(client, path, {"password": password, "confirm": password})


def test_password_reset_by_mail_end_to_end(member, smtp):
    client = member.test_client()
    answer = forgot(client, EMAIL)
    assert answer.status_code == 200
    (message,) = smtp.wait()
    assert message["To"] == EMAIL and message["From"] == "registry@example.cn"
    path = reset_link(message)
    assert client.get(path).status_code == 200
    answer = choose_password(client, path, "a-brand-new-secret")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/login")
    assert login(member.test_client()).status_code == 401
    assert login(member.test_client(), password="a-brand-new-secret").status_code == 303
    # Single use: the link died with the old password.
    assert client.get(path).status_code == 404
    again = {"password": "yet-another-secret", "confirm": "yet-another-secret"}
    assert post_form(client, path, again, page="/login").status_code == 404


def test_the_answer_is_the_same_for_an_unknown_address_and_no_mail_leaves(member, smtp):
    known = forgot(member.test_client(), EMAIL)
    unknown = forgot(member.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    smtp.wait()
    time.sleep(0.5)  # long enough for a second message to arrive, were one sent
    assert len(smtp.messages) == 1


def test_an_expired_reset_link_is_refused(member, smtp):
    forgot(member.test_client(), EMAIL)
    path = reset_link(smtp.wait()[0])
    member.config["PASSWORD_RESET_MAX_AGE"] = -1
    answer = member.test_client().get(path)
    assert answer.status_code == 404
    assert "重设链接无效或已过期" in answer.text


def test_a_reset_link_dies_when_the_user_signs_in(member, smtp):
    forgot(member.test_client(), EMAIL)
    path = reset_link(smtp.wait()[0])
    login(member.test_client())
    assert member.test_client().get(path).status_code == 404


def test_a_forged_or_mangled_link_is_refused(member, smtp):
    forgot(member.test_client(), EMAIL)
    path = reset_link(smtp.wait()[0])
    assert member.test_client().get(path[:-2] + "xx").status_code == 404
    assert member.test_client().get("/password/reset/nonsense").status_code == 404


def test_a_reset_password_must_be_long_enough(member, smtp):
    forgot(member.test_client(), EMAIL)
    client = member.test_client()
    answer = choose_password(client, reset_link(smtp.wait()[0]), "short")
    assert answer.status_code == 422 and "密码至少 10 个字符" in answer.text


def test_without_a_mail_server_the_link_is_logged(member, caplog):
    forgot(member.test_client(), EMAIL)
    deadline = time.monotonic() + 10
    while not re.search(r"/password/reset/\S+", caplog.text):
        assert time.monotonic() < deadline, "the link was not logged"
        time.sleep(0.02)


# -- throttling ----------------------------------------------------------------------------------


def try_login(email: str, password: str, now=None):
    with unit_of_work(actor="test") as work:
        return attempt_login(work, email, password, Throttle(), now=now)


def test_five_failures_lock_the_account_even_for_the_right_password(member):
    client = member.test_client()
    for _ in range(5):
        assert login(client, password="wrong-password").status_code == 401
    answer = login(client)
    assert answer.status_code == 429
    assert "登录失败次数过多" in answer.text and "之后再试" in answer.text
    assert int(answer.headers["Retry-After"]) == 900
    assert not signed_in(client)


def test_an_unknown_address_is_locked_out_the_same_way(member):
    answers = [login(member.test_client(), "nobody@example.com", "x") for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]


def test_the_lock_out_lasts_fifteen_minutes_from_the_fifth_failure(member):
    with member.app_context():
        start = now_utc()
        for minute in range(5):
            attempt = try_login(EMAIL, "wrong", start + timedelta(minutes=minute))
            assert attempt.refusal == BAD_CREDENTIALS
        fifth = start + timedelta(minutes=4)
        refused = try_login(EMAIL, f.PASSWORD, fifth + timedelta(minutes=14))
        assert refused.refusal == LOCKED_OUT
        assert refused.retry_at == fifth + timedelta(minutes=15)
        later = try_login(EMAIL, f.PASSWORD, fifth + timedelta(minutes=15, seconds=1))
        assert later.user is not None
        # A success starts the count again.
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_failures_spread_wider_than_the_window_do_not_lock(member):
    with member.app_context():
        start = now_utc()
        for minute in (0, 5, 10, 14, 16, 20):
            assert try_login(EMAIL, "wrong", start + timedelta(minutes=minute)).refusal == (
                BAD_CREDENTIALS
            )
        assert try_login(EMAIL, "wrong", start + timedelta(minutes=21)).refusal == LOCKED_OUT


def test_a_deactivated_account_is_refused_even_with_its_password(member):
    with member.app_context():
        find_user(EMAIL).active = False
        db.session.commit()
        assert try_login(EMAIL, f.PASSWORD).refusal == DEACTIVATED


def test_logins_and_failures_do_not_move_the_change_marker(member):
    with member.app_context():
        before = registry_stamp()
    login(member.test_client(), password="wrong-password")
    login(member.test_client())
    with member.app_context():
        db.session.remove()
        assert db.session.scalar(select(User.last_login_at).where(User.email == EMAIL))
        assert registry_stamp() == before


def test_two_processes_cannot_get_more_than_five_tries_through(member, tmp_path):
    start = tmp_path / "start"
    command = [sys.executable, "-m", "tests.login_worker", member.instance_path]
    command += [member.config["SQLALCHEMY_DATABASE_URI"], EMAIL, "8", str(start)]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    time.sleep(1.0)  # both are importing and connecting; then they begin together
    start.touch()
    outcomes = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, out
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(o["checked"] for o in outcomes) == 5
    assert sum(o["locked"] for o in outcomes) == 11
    with member.app_context():
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 5


# -- English pages -------------------------------------------------------------------------------


def test_the_account_pages_speak_english(member):
    from tests.langmarks import unmarked_chinese

    client = member.test_client()
    client.set_cookie("lang", "en")
    pages = {
        "login": client.get("/login"),
        "wrong password": login(client, password="wrong-password"),
        "register": client.get("/register"),
        "register errors": post_form(client, "/register", {"email": "x", "password": "s"}),
        "forgot": client.get("/password/forgot"),
        "forgot sent": forgot(client, "nobody@example.com"),
        "bad link": client.get("/password/reset/nonsense"),
    }
    for _ in range(5):
        login(client, password="wrong-password")
    pages["locked out"] = login(client)
    assert "Try again after" in pages["locked out"].text
    assert "Wrong e-mail address or password" in pages["wrong password"].text
    for name, page in pages.items():
        assert unmarked_chinese(page.text) == [], name
