"""Accounts on the web: signing in and out, registering, password reset, and who may see what.

``access`` holds the checks every owned page uses (``member_required``, ``staff_required``); views
never compare ids themselves.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext
from flask_login import current_user

from gi_registry.extensions import db, login_manager
from gi_registry.models import User

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    # Flask-Login's context processor loads the user for every template, which reads the session and
    # so keeps every public page out of the answer store (docs/caching.md). The proxy as a global is
    # lazy instead: only templates that use ``current_user`` read the session.
    login_manager.init_app(app, add_context_processor=False)
    app.jinja_env.globals["current_user"] = current_user
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("请先登录。")
    login_manager.login_message_category = "info"
    # "strong" would log a user out whenever the address or browser string changes (a phone moving
    # between Wi-Fi and mobile data); "basic" marks such a session not fresh instead.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    secure_cookies(app)


def secure_cookies(app: Flask) -> None:
    """Session cookies go over HTTPS only when the site is served over HTTPS: SESSION_COOKIE_SECURE
    when set, else whether PUBLIC_URL is an https:// address (docs/accounts.md)."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        public = app.config.get("PUBLIC_URL")
        # A malformed PUBLIC_URL is refused when the API registers (api.serializers.check_public_url).
        secure = isinstance(public, str) and public.lower().startswith("https://")
        app.config["SESSION_COOKIE_SECURE"] = secure


def load_user(user_id: str) -> User | None:
    """The signed-in user, or None (logged out) if the account is gone or deactivated."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


from gi_registry.accounts import views  # noqa: E402,F401  (routes register on bp)
