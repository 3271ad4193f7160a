"""An organisation's members: the owner invites by e-mail with a single-use token, and removes.

The token is 256 random bits handed to the invitee once (in the link); only its SHA-256 is stored,
so a copy of the database opens no organisation. An invitation expires after a week and is used
once: the acceptance is one conditional UPDATE, so two tabs (or two workers) cannot both use it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.models import Invitation, Producer, User, now_utc
from gi_registry.services.errors import NotFoundError, ValidationError
from gi_registry.services.organisations import OrganisationError, join
from gi_registry.services.stations import EMAIL_RE
from gi_registry.services.unit import Work

INVITATION_LIFETIME = timedelta(days=7)
OPEN_INVITATIONS_MAX = 20  # per organisation: an owner's account used to spam gets little out of it


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def members(producer: Producer) -> list[User]:
    """The owner first, then members in the order they joined."""
    query = (
        select(User)
        .where(User.producer_id == producer.id)
        .order_by((User.member_role == "owner").desc(), User.id)
    )
    return list(db.session.scalars(query))


def open_invitations(producer: Producer) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(
            Invitation.producer_id == producer.id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > now_utc(),
        )
        .order_by(Invitation.id)
    )
    return list(db.session.scalars(query))


def require_owner(user: User, producer: Producer) -> None:
    if user.producer_id != producer.id or user.member_role != "owner":
        raise OrganisationError("只有经营主体的负责人可以管理成员。")


def invite(work: Work, owner: User, address: str) -> tuple[Invitation, str]:
    """A new invitation of ``address`` to the owner's organisation, and its token (shown once)."""
    producer = owner.producer
    if producer is None:
        raise OrganisationError("您还没有经营主体。")
    require_owner(owner, producer)
    address = " ".join(address.split()).lower()
    if not EMAIL_RE.fullmatch(address) or len(address) > 254:
        raise ValidationError({"email": "电子邮箱：电子邮箱地址格式不正确"})
    existing = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if existing is not None and existing.producer_id == producer.id:
        raise ValidationError({"email": "电子邮箱：该用户已是本经营主体的成员"})
    current = open_invitations(producer)
    if len(current) >= OPEN_INVITATIONS_MAX:
        raise OrganisationError(
            f"未接受的邀请已有 {OPEN_INVITATIONS_MAX} 个，请先撤销不再需要的邀请。"
        )
    for earlier in current:  # a new invitation to the same address replaces the earlier one
        if earlier.email == address:
            earlier.expires_at = now_utc()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        producer=producer,
        email=address,
        token_hash=token_hash(token),
        invited_by_id=owner.id,
        expires_at=now_utc() + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    work.history.record(
        "invitations", address, invitation.id, "create", {"producer": [None, producer.slug]}
    )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The invitation this token opens, used or not (the page says which); None when unknown."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def invitation_problem(invitation: Invitation | None, user: User) -> str | None:
    """Why ``user`` cannot accept, or None when they can."""
    if invitation is None:
        return "邀请链接无效。请向经营主体负责人索取新的邀请。"
    if invitation.accepted_at is not None:
        return "该邀请已被使用。请向经营主体负责人索取新的邀请。"
    if invitation.expires_at <= now_utc():
        return "该邀请已过期。请向经营主体负责人索取新的邀请。"
    if user.email.lower() != invitation.email:
        return "该邀请是发给另一个电子邮箱的，请用收到邀请的邮箱注册并登录后再打开链接。"
    if user.producer_id is not None:
        return "您已属于一个经营主体，不能再加入其他经营主体。"
    if user.role != "producer":
        return "工作人员账号不能加入经营主体。"
    return None


def accept(work: Work, user: User, token: str) -> Producer:
    """``user`` joins the invitation's organisation as a member; the token is spent."""
    invitation = find_invitation(token)
    problem = invitation_problem(invitation, user)
    if problem:
        raise OrganisationError(problem)
    assert invitation is not None
    now = now_utc()
    spent = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now, accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # another request used it between our read and this write
        raise OrganisationError("该邀请已被使用。请向经营主体负责人索取新的邀请。")
    db.session.refresh(invitation)
    join(work, user, invitation.producer, "member")
    return invitation.producer


def revoke(work: Work, owner: User, invitation_id: int) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.producer_id != owner.producer_id:
        raise NotFoundError("找不到该邀请。")
    require_owner(owner, invitation.producer)
    if invitation.accepted_at is None:
        invitation.expires_at = min(invitation.expires_at, now_utc())
        work.history.record(
            "invitations", invitation.email, invitation.id, "update", {"revoked": [False, True]}
        )


def remove_member(work: Work, owner: User, member_id: int) -> User:
    """The owner removes a member (never themselves: an organisation keeps its owner)."""
    producer = owner.producer
    member = db.session.get(User, member_id)
    if producer is None or member is None or member.producer_id != producer.id:
        raise NotFoundError("找不到该成员。")
    require_owner(owner, producer)
    if member.id == owner.id:
        raise OrganisationError("负责人不能把自己移出经营主体。")
    changes = {"producer": [producer.slug, None], "member_role": [member.member_role, None]}
    member.producer = None
    member.member_role = None
    db.session.flush()
    work.history.record("users", member.email, member.id, "update", changes)
    return member
