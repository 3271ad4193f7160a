"""Who may open what: the one place where owned pages check their visitor.

An owned object (a listing, a batch, an inquiry, an organisation) answers 404 to anyone outside its
organisation, so that its existence is not revealed; pages that need a role answer 403 to a signed-in
user without it, and send anonymous visitors to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from gi_registry.extensions import login_manager
from gi_registry.models import Producer, User

STAFF_ROLES = frozenset({"staff", "admin"})


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES)


def is_member_of(user: Any, producer: Producer | None) -> bool:
    """Is ``user`` a member (owner included) of ``producer``?"""
    return bool(
        producer is not None
        and getattr(user, "is_authenticated", False)
        and user.producer_id == producer.id
    )


def require_member(producer: Producer | None) -> Producer:
    """``producer`` if the current user belongs to it; otherwise 404."""
    if not is_member_of(current_user, producer):
        abort(404)
    return producer  # type: ignore[return-value]


def staff_required(view: Callable) -> Callable:
    """Signed-in staff or admin only: anonymous visitors go to the login page, others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return refuse_non_staff() or view(*args, **kwargs)

    return wrapped


def refuse_non_staff() -> Any:
    """None for staff and admins; the login redirect for anonymous visitors; 403 for the rest.
    The staff area's ``before_request`` and ``staff_required`` both ask here."""
    if not getattr(current_user, "is_authenticated", False):
        return login_manager.unauthorized()
    if not is_staff(current_user):
        abort(403)
    return None


def refuse_non_admin() -> Any:
    """None for admins; the login redirect for anonymous visitors; 403 for everyone else (staff
    included). The staff area's users and roles pages ask here."""
    if not getattr(current_user, "is_authenticated", False):
        return login_manager.unauthorized()
    if current_user.role != "admin":
        abort(403)
    return None


def signed_in_user() -> User:
    """The current user as a model (views decorated with ``login_required`` only)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]
