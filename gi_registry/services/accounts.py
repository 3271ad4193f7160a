"""Accounts: creating users, signing in (with throttling) and setting a new password.

Logins and refused passwords are written to ``Private`` tables only (``users.last_login_at``,
``login_failures``, the lock rows), so neither moves the registry's change marker.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import LoginFailure, Producer, User, now_utc
from gi_registry.services.errors import NotFoundError, ServiceError, ValidationError
from gi_registry.services.unit import Work, take_write_lock

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
DISPLAY_NAME_MAX = 64
# Checked against when the address is unknown, so that the answer takes as long as for a real one.
_DUMMY_HASH = generate_password_hash("not-a-password")


class AccountError(ServiceError):
    """A refused account change; ``reason`` names the rule for pages that word it themselves."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


BAD_CREDENTIALS = "邮箱或密码不正确。"
DEACTIVATED = "该账户已停用，请联系管理员。"
LOCKED_OUT = "登录失败次数过多，请稍后再试。"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_new_account(email: str, password: str) -> str:
    """The normalised address, or ``AccountError`` naming what is wrong."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"邮箱地址无效：{email}", "email")
    check_password(password)
    if find_user(email) is not None:
        raise AccountError(f"邮箱 {email} 已被注册", "taken")
    return email


def check_password(password: str) -> None:
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符", "short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"密码最多 {MAX_PASSWORD_LENGTH} 个字符", "long")


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    work: Work, email: str, password: str, *, role: str, producer_slug: str | None = None
) -> User:
    """Create an account (the command line's staff and members); the history records it, never
    the password."""
    email = check_new_account(email, password)
    producer = None
    if role == "producer":
        if not producer_slug:
            raise AccountError("经营主体成员必须用 --producer 指定所属经营主体")
        producer = db.session.scalar(select(Producer).where(Producer.slug == producer_slug))
        if producer is None:
            raise AccountError(f"找不到经营主体 {producer_slug}")
    elif producer_slug:
        raise AccountError("只有经营主体成员（producer）可以关联经营主体")
    return _add_user(work, email, password, role=role, producer=producer)


def register_user(work: Work, email: str, password: str, display_name: str = "") -> User:
    """Self-registration: a producer account without an organisation (it creates or joins one
    later)."""
    email = check_new_account(email, password)
    name = " ".join((display_name or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise AccountError(f"显示名称最多 {DISPLAY_NAME_MAX} 个字符", "name")
    return _add_user(work, email, password, role="producer", producer=None, display_name=name)


def _add_user(
    work: Work,
    email: str,
    password: str,
    *,
    role: str,
    producer: Producer | None,
    display_name: str = "",
) -> User:
    user = User(email=email, role=role, producer=producer, display_name=display_name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    changes = {"email": [None, email], "role": [None, role]}
    if producer is not None:
        changes["producer"] = [None, producer.slug]
    work.history.record("users", email, user.id, "create", changes)
    return user


# -- signing in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """``max_failures`` refused passwords within ``window`` lock the address out for ``lockout``."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


def login_lock_name(email: str) -> str:
    # One lock per address, so one address's attempts queue without holding up everyone else's;
    # hashed because lock names are short and the address is no one's business in the lock table.
    return "login:" + hashlib.sha256(email.encode()).hexdigest()[:32]


@dataclass
class LoginAttempt:
    """What ``attempt_login`` decided: the user, or the refusal and, when locked out, until when."""

    user: User | None = None
    refusal: str = ""
    retry_at: datetime | None = None


def attempt_login(
    work: Work, email: str, password: str, throttle: Throttle, *, now: datetime | None = None
) -> LoginAttempt:
    """Check a password, counting the refused ones; the caller's unit commits either way.

    The count is read after the address's write lock, so attempts from several worker processes
    are counted one at a time and no more than ``max_failures`` get through in a window. Unknown
    addresses are counted and locked out exactly like known ones, so no answer tells them apart.
    """
    email = normalise_email(email)[:254]
    now = now or now_utc()
    take_write_lock(login_lock_name(email), "login", timeout=10.0, busy=LOCKED_OUT)
    retry_at = locked_until(email, throttle, now)
    if retry_at is not None:
        return LoginAttempt(refusal=LOCKED_OUT, retry_at=retry_at)
    user = find_user(email)
    if not _password_matches(user, password) or user is None:
        _count_failure(email, throttle, now)
        return LoginAttempt(refusal=BAD_CREDENTIALS)
    if not user.active:
        return LoginAttempt(refusal=DEACTIVATED)
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = now
    db.session.flush()
    return LoginAttempt(user=user)


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return False
    return user.check_password(password or "")


def _count_failure(email: str, throttle: Throttle, now: datetime) -> None:
    db.session.add(LoginFailure(email=email, at=now))
    # Rows older than any window that could still matter are only clutter.
    forget = now - throttle.window - throttle.lockout
    db.session.execute(
        sa.delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.at < forget)
    )
    db.session.flush()


def locked_until(email: str, throttle: Throttle, now: datetime) -> datetime | None:
    """When the address may try again, or None if it may now.

    Locked from the failure that made ``max_failures`` within one ``window`` until ``lockout``
    after it. Refused attempts during a lock-out are not counted, so it ends when it says.
    """
    since = now - throttle.window - throttle.lockout
    times = db.session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.email == email, LoginFailure.at > since)
        .order_by(LoginFailure.at)
    ).all()
    until = None
    n = throttle.max_failures
    for index in range(n - 1, len(times)):
        if times[index] - times[index - n + 1] <= throttle.window:
            until = times[index] + throttle.lockout
    return until if until is not None and until > now else None


def set_password(work: Work, user: User, password: str) -> None:
    """A new password (from a reset link). Old reset links die with the old hash, and the address's
    failure count starts again."""
    check_password(password)
    user.set_password(password)
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email))
    work.history.record("users", user.email, user.id, "update", {"password": ["…", "…"]})
    db.session.flush()


# -- roles and deactivation (admins, in the staff area) -------------------------------------------

ADMINS_LOCK = "accounts:admins"
NOT_ADMIN = "只有管理员可以修改用户的角色或启用状态。"
NOT_YOURSELF = "不能修改自己的角色，也不能停用自己的账户。"
LAST_ADMIN = "这是最后一位启用的管理员，不能降级或停用。"


def change_account(
    work: Work, actor: User | None, user_id: int, *, role: str, active: bool
) -> User:
    """Set a user's role and whether they may sign in, as the admin ``actor`` (None: the command
    line). Nobody changes their own account here; the last active admin is never demoted or
    deactivated. The history records the change under the actor's name.

    The admins' lock serialises these changes, so two admins cannot demote each other at once and
    leave none: the second one, read after the first commits, is no longer an admin."""
    if role not in vocab.USER_ROLES:
        raise ValidationError({"role": "角色：请选择一项"})
    take_write_lock(ADMINS_LOCK, "accounts", timeout=10.0)
    if actor is not None and not (actor.role == "admin" and actor.active):
        raise AccountError(NOT_ADMIN, "admin")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"找不到用户（id {user_id}）")
    if actor is not None and actor.id == user.id:
        raise AccountError(NOT_YOURSELF, "self")
    changes = {
        name: [old, new]
        for name, old, new in (("role", user.role, role), ("active", user.active, active))
        if old != new
    }
    if not changes:
        return user
    if is_active_admin(user) and (role != "admin" or not active) and active_admins() <= 1:
        raise AccountError(LAST_ADMIN, "last_admin")
    user.role, user.active = role, active
    db.session.flush()
    work.history.record("users", user.email, user.id, "update", changes)
    return user


def is_active_admin(user: User) -> bool:
    return user.role == "admin" and bool(user.active)


def active_admins() -> int:
    query = (
        select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))
    )
    return db.session.scalar(query) or 0


def search_users(text: str, limit: int = 200) -> list[User]:
    """Accounts whose e-mail contains ``text`` (any case), by e-mail."""
    query = select(User).order_by(User.email).limit(limit)
    text = normalise_email(text)[:254].replace("%", "").replace("_", "")
    if text:
        query = query.where(User.email.like(f"%{text}%"))
    return list(db.session.scalars(query))
