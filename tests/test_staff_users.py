"""Users and roles in the staff area (admins only): the list by e-mail, a role change and a
deactivation recorded in the history under the admin's name, the rules (nobody changes their own
account, only admins change any, the last active admin stays), and a deactivated user's login
refused and open session ended at its next request. One app for the module."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, User
from gi_registry.services.accounts import LAST_ADMIN, NOT_ADMIN, AccountError, change_account
from gi_registry.services.unit import unit_of_work
from tests.conftest import _app_from
from tests.factories import PASSWORD, make_user, sign_in
from tests.test_staff import ASK, FreshClient, post

MEMBER_ORG = "taobei-qingye-family-farm"


@pytest.fixture(scope="module")
def site(sample_template, databases, tmp_path_factory):
    for app in _app_from(sample_template, databases, tmp_path_factory.mktemp("users")):
        with app.app_context():
            ids = {
                "admin": make_user("admin@example.org", role="admin").id,
                "staff": make_user("curator@example.org", role="staff").id,
                "member": make_user("member@example.org", producer=MEMBER_ORG).id,
            }
        app.config["TEST_USERS"] = ids
        yield app


def client(app: Flask, who: str | None = None, lang: str | None = None) -> FreshClient:
    browser = FreshClient(app, app.response_class, use_cookies=True)
    if lang:
        browser.set_cookie("lang", lang)
    if who:
        sign_in(browser, type("U", (), {"id": app.config["TEST_USERS"][who]})())
    return browser


def account(app: Flask, who: str) -> User:
    with app.app_context():
        user = db.session.get(User, app.config["TEST_USERS"][who])
        db.session.expunge(user)
        return user


def test_staff_get_403_and_admins_see_the_users(site):
    staff = client(site, "staff")
    member_id = site.config["TEST_USERS"]["member"]
    for url in ("/staff/users", "/staff/users?q=member", f"/staff/users/{member_id}"):
        assert staff.get(url).status_code == 403, url
    assert "/staff/users" not in staff.get("/staff/").text  # no nav line for staff
    denied = staff.post(f"/staff/users/{member_id}", data={"role": "admin", "active": "y"})
    assert denied.status_code in (400, 403)
    admin = client(site, "admin")
    listed = admin.get("/staff/users?q=MEMBER").text
    assert "member@example.org" in listed and "curator@example.org" not in listed
    assert f"/staff/users/{member_id}" in listed
    assert "/staff/users" in admin.get("/staff/").text


def test_an_admin_changes_a_role_in_the_history(site):
    admin = client(site, "admin")
    staff_id = site.config["TEST_USERS"]["staff"]
    url = f"/staff/users/{staff_id}"
    answer = post(admin, url, {"role": "admin", "active": "y"})
    assert answer.status_code == 303
    assert account(site, "staff").role == "admin"
    assert post(admin, url, {"role": "staff", "active": "y"}).status_code == 303
    assert account(site, "staff").role == "staff"
    with site.app_context():
        query = select(AuditEntry.actor, AuditEntry.changes).where(
            AuditEntry.entity == "users", AuditEntry.entity_id == staff_id
        )
        changes = [(a, c) for a, c in db.session.execute(query.order_by(AuditEntry.id))][1:]
    assert changes == [
        ("admin@example.org", {"role": ["staff", "admin"]}),
        ("admin@example.org", {"role": ["admin", "staff"]}),
    ]


@pytest.mark.parametrize(
    "lang,message",
    [
        ("zh_CN", "不能修改自己的角色，也不能停用自己的账户。"),
        ("en", "You cannot change your own role or deactivate your own account."),
    ],
)
def test_nobody_changes_their_own_account(site, lang, message):
    admin = client(site, "admin", lang)
    url = f"/staff/users/{site.config['TEST_USERS']['admin']}"
    assert 'name="role"' not in admin.get(url).text
    answer = post(admin, url, {"role": "producer"}, form_url=ASK)
    assert answer.status_code == 409 and message in answer.text
    assert (account(site, "admin").role, account(site, "admin").active) == ("admin", True)


def test_only_admins_change_accounts_and_the_last_admin_stays(site):
    with site.app_context():
        staff = db.session.get(User, site.config["TEST_USERS"]["staff"])
        member_id = site.config["TEST_USERS"]["member"]
        with pytest.raises(AccountError) as refused, unit_of_work(user=staff) as work:
            change_account(work, staff, member_id, role="staff", active=True)
        assert refused.value.message == NOT_ADMIN
        admin_id = site.config["TEST_USERS"]["admin"]
        with pytest.raises(AccountError) as refused, unit_of_work(actor="cli") as work:
            change_account(work, None, admin_id, role="staff", active=True)
        assert refused.value.message == LAST_ADMIN
        with pytest.raises(AccountError), unit_of_work(actor="cli") as work:
            change_account(work, None, admin_id, role="admin", active=False)
        assert db.session.get(User, member_id).role == "producer"
    assert account(site, "admin").active


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(site):
    member = client(site)
    signed = post(member, "/login", {"email": "member@example.org", "password": PASSWORD})
    assert signed.status_code == 303
    assert member.get("/portal/").status_code == 200
    url = f"/staff/users/{site.config['TEST_USERS']['member']}"
    assert post(client(site, "admin"), url, {"role": "producer"}).status_code == 303  # unticked
    assert account(site, "member").active is False
    after = member.get("/portal/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    again = post(client(site), "/login", {"email": "member@example.org", "password": PASSWORD})
    assert again.status_code == 403 and "该账户已停用" in again.text
    assert post(client(site, "admin"), url, {"role": "producer", "active": "y"}).status_code == 303
    back = post(client(site), "/login", {"email": "member@example.org", "password": PASSWORD})
    assert back.status_code == 303
