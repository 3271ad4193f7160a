"""What every staff page shares: the acting user, one unit of work per action, messages in the
page's language, and ``staff_page`` (a route that is never cached)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext

from gi_registry.accounts.access import signed_in_user
from gi_registry.caching import exempt
from gi_registry.i18n.messages import translate_message
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.unit import Work, unit_of_work
from gi_registry.staff import bp


def staff_page(rule: str, **options) -> Callable:
    """``bp.route`` for a staff page: it reads the session, so the answer store must skip it."""

    def register(view: Callable) -> Callable:
        return bp.route(rule, **options)(exempt(view))

    return register


def say(message: str) -> str:
    """A service's Chinese message in the page's language: a catalogued sentence, or one of the
    templated messages (``i18n.messages``), else as it is."""
    translated = gettext(message)
    return translated if translated != message else translate_message(message)


def act(write: Callable[[Work], Any]) -> tuple[Any, dict[str, str]]:
    """Run ``write`` in one unit of work as the signed-in staff user (the history names them).
    Returns (result, {}) or (None, {field: message}) in the page's language; "" is the form."""
    try:
        with unit_of_work(user=signed_in_user()) as work:
            return write(work), {}
    except ValidationError as error:
        return None, {name: say(message) for name, message in error.errors.items()}
    except ServiceError as error:
        return None, {"": say(error.message)}


def show_errors(form, errors: dict[str, str]) -> None:
    """Put each message under its field of ``form``, the rest above the form."""
    for name, message in errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
