"""Accounts: creating users. Login and roles in views arrive with the portal and staff console."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.models import Producer, User
from gi_registry.services.errors import ServiceError
from gi_registry.services.unit import Work

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


class AccountError(ServiceError):
    pass


def create_user(
    work: Work, email: str, password: str, *, role: str, producer_slug: str | None = None
) -> User:
    """Create an account; the history records it (never the password)."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"邮箱地址无效：{email}")
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"邮箱 {email} 已被注册")
    producer = None
    if role == "producer":
        if not producer_slug:
            raise AccountError("经营主体成员必须用 --producer 指定所属经营主体")
        producer = db.session.scalar(select(Producer).where(Producer.slug == producer_slug))
        if producer is None:
            raise AccountError(f"找不到经营主体 {producer_slug}")
    elif producer_slug:
        raise AccountError("只有经营主体成员（producer）可以关联经营主体")
    user = User(email=email, role=role, producer=producer)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    changes = {"email": [None, email], "role": [None, role]}
    if producer is not None:
        changes["producer"] = [None, producer.slug]
    work.history.record("users", email, user.id, "create", changes)
    return user
