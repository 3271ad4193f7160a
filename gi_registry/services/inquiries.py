"""Inquiries about a listing (供需咨询): one thread per listing and asker, seen by the asker and the
members of the listing's organisation.

Threads and messages are ``Private``: a message never moves the registry's change marker, and no
public page reads them. Contact details are the owner's to give: each side of each thread chooses
whether the other side may see them. Senders are rate-limited per user, counted in the database
under the user's write lock, so the limit holds whichever worker process answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import InquiryMessage, InquiryThread, Listing, User, now_utc
from gi_registry.models.visibility import listing_is_public
from gi_registry.services import fields as f
from gi_registry.services.errors import ServiceError
from gi_registry.services.fields import FieldError
from gi_registry.services.unit import Work, take_write_lock

BODY_MIN = 2
BODY_MAX = 2000
RATE_WINDOW = timedelta(hours=1)
RATE_BUSY = "咨询发送繁忙，请稍后重试。"


class InquiryError(ServiceError):
    """A refused message; ``reason`` names the rule for pages that word it themselves."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class InquiryLimits:
    messages_per_hour: int = 20
    threads_per_hour: int = 5


# -- who is who ---------------------------------------------------------------------------------


def side_of(user: User, thread: InquiryThread) -> str | None:
    """ "asker", "owner" (a member of the listing's organisation), or None for anyone else."""
    if user.id == thread.asker_id:
        return "asker"
    if user.producer_id is not None and user.producer_id == thread.listing.producer_id:
        return "owner"
    return None


def visible_thread(user: User, thread_id: int) -> InquiryThread | None:
    """The thread if ``user`` is one of its sides; None otherwise, as if it did not exist."""
    thread = db.session.get(InquiryThread, thread_id)
    return thread if thread is not None and side_of(user, thread) else None


def askable_listing(slug: str) -> Listing | None:
    """A listing anyone signed in may ask about: public, and its availability not yet over (one
    that starts later may be asked about already)."""
    not_over = sa.or_(Listing.available_to.is_(None), Listing.available_to >= local_today())
    return db.session.scalar(
        select(Listing).where(Listing.slug == slug, listing_is_public(), not_over)
    )


def thread_for(listing: Listing, asker: User) -> InquiryThread | None:
    return db.session.scalar(
        select(InquiryThread).where(
            InquiryThread.listing_id == listing.id, InquiryThread.asker_id == asker.id
        )
    )


# -- writing ------------------------------------------------------------------------------------


def ask(
    work: Work,
    asker: User,
    listing: Listing,
    body: str,
    limits: InquiryLimits,
    *,
    show_contact: bool | None = None,
) -> InquiryThread:
    """A question about ``listing``: a new thread, or one more message in the asker's thread."""
    if asker.producer_id is not None and asker.producer_id == listing.producer_id:
        raise InquiryError("不能咨询本主体发布的信息", "own")
    text = parse_body(body)
    now = now_utc()
    _check_rate(asker, limits, now)
    thread = thread_for(listing, asker)
    if thread is None:
        if _count_threads(asker, now) >= limits.threads_per_hour:
            raise InquiryError(
                f"您在 1 小时内已发起 {limits.threads_per_hour} 个新咨询，请稍后再试。", "threads"
            )
        thread = InquiryThread(listing=listing, asker=asker, created_at=now)
        db.session.add(thread)
    if show_contact is not None:
        thread.asker_shows_contact = show_contact
    _add_message(work, thread, asker, "asker", text, now)
    return thread


def reply(
    work: Work, author: User, thread: InquiryThread, body: str, limits: InquiryLimits
) -> InquiryMessage:
    """A message from either side of an existing thread."""
    side = side_of(author, thread)
    if side is None:
        raise InquiryError("找不到该咨询", "missing")
    text = parse_body(body)
    now = now_utc()
    _check_rate(author, limits, now)
    return _add_message(work, thread, author, side, text, now)


def parse_body(body: str) -> str:
    try:
        text = f.text(BODY_MAX, multiline=True, allow_empty=False)(body)
    except FieldError as error:
        raise InquiryError(f"留言：{error.args[0] if error.args else error}", "body") from None
    if len(text) < BODY_MIN:
        raise InquiryError(f"留言：请至少写 {BODY_MIN} 个字", "body")
    return text


def _add_message(
    work: Work, thread: InquiryThread, author: User, side: str, text: str, now: datetime
) -> InquiryMessage:
    message = InquiryMessage(thread=thread, author=author, body=text, created_at=now)
    db.session.add(message)
    thread.last_message_at = now
    # The author has read everything up to their own message.
    setattr(thread, f"{side}_read_at", now)
    db.session.flush()
    return message


def _check_rate(user: User, limits: InquiryLimits, now: datetime) -> None:
    # One message of a user at a time is counted, so two sent at the same instant from two
    # processes cannot both slip under the limit.
    take_write_lock(f"inquiry:{user.id}", "inquiry", timeout=10.0, busy=RATE_BUSY)
    sent = db.session.scalar(
        select(func.count())
        .select_from(InquiryMessage)
        .where(InquiryMessage.author_id == user.id, InquiryMessage.created_at > now - RATE_WINDOW)
    )
    if sent >= limits.messages_per_hour:
        raise InquiryError(
            f"您在 1 小时内已发送 {limits.messages_per_hour} 条咨询留言，请稍后再试。", "messages"
        )


def _count_threads(user: User, now: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(InquiryThread)
        .where(InquiryThread.asker_id == user.id, InquiryThread.created_at > now - RATE_WINDOW)
    )


def mark_read(work: Work, user: User, thread: InquiryThread) -> None:
    side = side_of(user, thread)
    if side is not None:
        setattr(thread, f"{side}_read_at", now_utc())
        db.session.flush()


def show_contact(work: Work, user: User, thread: InquiryThread, shown: bool) -> None:
    """Let the other side see (or stop seeing) this side's e-mail and phone."""
    side = side_of(user, thread)
    if side is None:
        raise InquiryError("找不到该咨询", "missing")
    setattr(thread, f"{side}_shows_contact", shown)
    db.session.flush()


# -- reading ------------------------------------------------------------------------------------


def _mine(user: User) -> sa.ColumnElement[bool]:
    """Threads ``user`` sees: asked by them, or about their organisation's listings."""
    conditions = [InquiryThread.asker_id == user.id]
    if user.producer_id is not None:
        conditions.append(
            InquiryThread.listing_id.in_(
                select(Listing.id).where(Listing.producer_id == user.producer_id)
            )
        )
    return sa.or_(*conditions)


def _unread_for(user: User) -> sa.ScalarSelect:
    """Per thread: the other side's messages after this user's side last read it."""
    asking = InquiryThread.asker_id == user.id
    from_other_side = sa.case(
        (asking, InquiryMessage.author_id != InquiryThread.asker_id),
        else_=InquiryMessage.author_id == InquiryThread.asker_id,
    )
    read_at = sa.case((asking, InquiryThread.asker_read_at), else_=InquiryThread.owner_read_at)
    return (
        select(func.count())
        .where(
            InquiryMessage.thread_id == InquiryThread.id,
            from_other_side,
            sa.or_(read_at.is_(None), InquiryMessage.created_at > read_at),
        )
        .correlate(InquiryThread)
        .scalar_subquery()
    )


@dataclass
class ThreadSummary:
    thread: InquiryThread
    unread: int
    side: str


def threads_of(user: User, limit: int | None = None) -> list[ThreadSummary]:
    """The user's threads, latest message first, each with its unread count for this user."""
    query = (
        select(InquiryThread, _unread_for(user))
        .where(_mine(user))
        .order_by(InquiryThread.last_message_at.desc(), InquiryThread.id.desc())
        .limit(limit)
    )
    return [
        ThreadSummary(thread, unread, "asker" if thread.asker_id == user.id else "owner")
        for thread, unread in db.session.execute(query)
    ]


def unread_total(user: User) -> int:
    inner = select(_unread_for(user).label("n")).where(_mine(user)).subquery()
    return db.session.scalar(select(func.coalesce(func.sum(inner.c.n), 0))) or 0
