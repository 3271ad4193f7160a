"""Password-reset tokens: signed with the app's SECRET_KEY, expiring, and good for one use.

The token carries the user's id and a digest of what a reset or a login changes (the password hash
and the last login), so it stops working as soon as the password is set or the user signs in.
Nothing is stored: a token is checked by recomputing the digest.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gi_registry.extensions import db
from gi_registry.models import User

SALT = "gi-registry.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _state(user: User) -> str:
    seen = user.last_login_at.isoformat() if user.last_login_at else ""
    return hashlib.sha256(f"{user.password_hash}|{seen}".encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "s": _state(user)})


def user_for_token(token: str) -> User | None:
    """The active user the token was made for, if it is genuine, unexpired and unused."""
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("s") != _state(user):
        return None
    return user
