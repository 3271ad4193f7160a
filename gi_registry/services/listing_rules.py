"""The rules a listing's writes obey: its lifecycle and the protection of GI names.

Lifecycle (``TRANSITIONS``)::

    draft ──submit──▶ pending (organisation not verified) ──approve──▶ published
      │                  │  └──reject──▶ rejected ──submit──▶ …            │
      └─delete           └──close──▶ closed ◀──close────────────────────────┘
    published/pending past their availability ──expire──▶ expired

The GI name (地理标志产品名称) is protected: a supply listing may name a GI product only while its
organisation holds an authorisation to use the special mark valid on the province's date.
Both refusals carry structured facts, so a page can say them in its own language; their
``message`` is the Chinese sentence the CLI and the API show.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import Authorization, GIProduct, Listing, Producer
from gi_registry.services.errors import ServiceError, ValidationError

REASON_MAX = 500

# action → the statuses it may start from. Where it leads is the service's business.
TRANSITIONS: dict[str, frozenset[str]] = {
    "edit": frozenset({"draft", "pending", "rejected", "published"}),
    "submit": frozenset({"draft", "rejected"}),
    "approve": frozenset({"pending"}),
    "reject": frozenset({"pending", "published"}),
    "close": frozenset({"pending", "published", "rejected"}),
    "delete": frozenset({"draft"}),
    "expire": frozenset({"pending", "published"}),
}
ACTION_LABELS = {
    "edit": "修改",
    "submit": "提交",
    "approve": "通过审核",
    "reject": "退回",
    "close": "关闭",
    "delete": "删除",
    "expire": "标记过期",
}


class TransitionError(ServiceError):
    """An action the listing's status does not allow (or a window that has ended)."""

    def __init__(self, status: str, action: str, *, ended: date | None = None):
        self.status = status
        self.action = action
        self.ended = ended
        if ended is not None:
            message = f"供应期已于 {ended.isoformat()} 结束，不能{ACTION_LABELS[action]}"
        else:
            message = f"{vocab.LISTING_STATUSES[status]}状态的供需信息不能{ACTION_LABELS[action]}"
        super().__init__(message)


class GINameError(ValidationError):
    """A supply listing names a GI product its organisation may not use today.

    ``problem``: ``none`` (no authorisation), ``expired`` (``day`` = its last day), ``not_yet``
    (``day`` = its first day), ``suspended``, ``revoked``."""

    def __init__(self, product: GIProduct, problem: str, day: date | None = None):
        self.product_name = product.name_zh
        self.problem = problem
        self.day = day
        super().__init__({"product": gi_name_message(product.name_zh, problem, day)})


def gi_name_message(name: str, problem: str, day: date | None) -> str:
    lacks = {
        "none": "没有该产品的地理标志专用标志使用授权",
        "expired": f"该产品的专用标志使用授权已于 {day} 到期"
        if day
        else "该产品的专用标志使用授权已过期",
        "not_yet": f"该产品的专用标志使用授权自 {day} 起才生效",
        "suspended": "该产品的专用标志使用授权已暂停使用",
        "revoked": "该产品的专用标志使用授权已撤销",
    }[problem]
    return f"“{name}”是受保护的地理标志产品名称：本经营主体{lacks}，供应信息不能使用该名称。"


def check_gi_name(producer: Producer, kind: str, product: GIProduct | None, today: date) -> None:
    """Raise ``GINameError`` unless ``producer`` may offer ``product`` under its name today.
    Demand listings may name any product: asking to buy a GI product is no use of its name."""
    if kind != "supply" or product is None:
        return
    found = db.session.scalar(
        select(Authorization).where(
            Authorization.producer_id == producer.id, Authorization.product_id == product.id
        )
    )
    problem, day = authorization_problem(found, today)
    if problem is not None:
        raise GINameError(product, problem, day)


def authorization_problem(
    found: Authorization | None, today: date
) -> tuple[str | None, date | None]:
    """Why ``found`` does not allow use of the mark on ``today`` (None when it does)."""
    if found is None:
        return "none", None
    if found.is_valid_on(today):
        return None, None
    if found.status in ("suspended", "revoked"):
        return found.status, None
    if found.valid_from is not None and found.valid_from > today:
        return "not_yet", found.valid_from
    return "expired", found.valid_to


def check_transition(listing: Listing, action: str, *, today: date | None = None) -> None:
    if listing.status not in TRANSITIONS[action]:
        raise TransitionError(listing.status, action)
    if today is not None and window_ended(listing, today):
        raise TransitionError(listing.status, action, ended=listing.available_to)


def window_ended(listing: Listing, today: date) -> bool:
    return listing.available_to is not None and listing.available_to < today


def review_needed(producer: Producer) -> bool:
    """An organisation staff have not verified (or that is not active) has its listings reviewed."""
    return not (producer.verified and producer.status == "active")
