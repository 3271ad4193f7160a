"""What the staff area's record editors share: one save step for a form (validate, write in one
unit of work, put each refusal under its field with the field's name), and the list filter."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import gettext as _

from gi_registry.services.unit import Work
from gi_registry.staff.common import act, show_errors

QUERY_MAX = 100
LIST_LIMIT = 500


def name_fields(form, errors: dict[str, str]) -> dict[str, str]:
    """Each service message under the form field it is about (``sources[1].url`` is ``sources``),
    starting with that field's label so that it reads on its own in the summary above the form."""
    named = {}
    renamed = getattr(form, "field_names", {})  # service field → form field, where they differ
    for key, message in errors.items():
        name = re.split(r"[\[.]", key, maxsplit=1)[0]
        name = renamed.get(name, name)
        field = form._fields.get(name) if name not in ("", "$", "version") else None
        if field is None:
            named[""] = f"{named[''] + _('；') if '' in named else ''}{message}"
        elif names_a_field(message, str(field.label.text)):
            named[name] = message
        else:
            named[name] = f"{field.label.text}{_('：')}{message}"
    return named


def names_a_field(message: str, label: str) -> bool:
    """Whether a service message already starts with a field's name ("地址：过长…")."""
    head = message[:24]
    return message.startswith(label) or "：" in head or ": " in head


def save_form(form, write: Callable[[Work], Any]) -> tuple[Any, int]:
    """Validate ``form`` (CSRF and its own checks: 422), then run ``write`` as the signed-in staff
    user (a field refused: 422; the write refused, a concurrent save: 409). Returns (result, 200)
    when saved."""
    if not form.validate():
        return None, 422
    result, errors = act(write)
    if errors:
        show_errors(form, name_fields(form, errors))
        # A refusal of the whole write (a concurrent save) is a conflict; field problems are 422.
        return None, 409 if list(errors) == [""] else 422
    return result, 200


def list_query() -> str:
    """The list's text filter, trimmed and bounded (no NUL reaches the database)."""
    text = " ".join((request.args.get("q") or "").split())[:QUERY_MAX]
    return text.replace("\x00", "")


def like_pattern(text: str) -> str:
    """``text`` anywhere in a column (LIKE's own wildcards in it are dropped, as in batches)."""
    return f"%{text.replace('%', '').replace('_', '')}%"
