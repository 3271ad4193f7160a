"""History and restore (修改历史): every record's changes with each field before and after, restoring
an earlier version, and the audit trail of all records (/staff/history).

A record is named as people name it: ``/staff/products/meihe-dami/history``,
``/staff/authorizations/<producer>/<product>/history``, ``/staff/slots/<id>/history``,
``/staff/guidance/<code>/history``. Restoring is a write like any other (``common.act``): the restore
is a new entry naming the staff user, and restoring a version from before an archive brings the
record back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.localtime import local_datetime
from gi_registry.models import AuditEntry, User
from gi_registry.paging import page_number
from gi_registry.services.errors import NotFoundError
from gi_registry.services.history import Revision, state_after
from gi_registry.services.records import MODELS
from gi_registry.services.revisions import (
    RESTORED_FROM,
    current_state,
    entity_id_for,
    record_history,
    restore_revision,
)
from gi_registry.staff.common import act, say, show_errors, staff_page
from gi_registry.staff.diffs import (
    FIELD_LABELS,
    changes_between,
    created_fields,
    field_diffs,
    shown,
)
from gi_registry.staff.forms import RestoreForm
from gi_registry.staff.trail import (
    ACTION_LABELS,
    KIND_LABELS,
    action_of,
    edit_url,
    public_url,
    record_name,
    who,
)

PER_PAGE = 20
TRAIL_PER_PAGE = 50


@dataclass
class Found:
    """A record named in a URL: its kind, key, row and what the page says about it."""

    kind: str
    key: str
    obj: Any

    @property
    def facts(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "kind_label": KIND_LABELS[self.kind],
            "name": record_name(self.kind, self.obj),
            "public_url": public_url(self.kind, self.obj),
            "edit_url": edit_url(self.kind, self.key),
            "status": getattr(self.obj, "status", None),
            "status_label": shown(self.kind, "status", getattr(self.obj, "status", None)),
        }


def find(kind: str, key: str) -> Found:
    """The record, or 404 with the service's message (an unknown kind names the known ones)."""
    try:
        entity_id = entity_id_for(kind, key)
    except NotFoundError as error:
        abort(404, say(error.message))
    return Found(kind, key, db.session.get(MODELS[kind], entity_id))


@dataclass
class Page:
    """One page of a list, as the ``pager`` macro reads it."""

    items: list
    page: int
    pages: int

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def revision_row(kind: str, revision: Revision, newest: bool) -> dict[str, Any]:
    created = action_of(revision) == "create"
    rows = created_fields if created else partial(field_diffs, skip={RESTORED_FROM})
    return {
        "id": revision.id,
        "at": local_datetime(revision.at),
        "who": who(revision.user_email, revision.actor),
        "action": action_of(revision),
        "restored_from": revision.changes.get(RESTORED_FROM, (None, None))[1],
        "diffs": rows(kind, revision.changes),
        "created": created,
        "restorable": not newest,
    }


@staff_page("/<kind>/<path:key>/history")
def history(kind: str, key: str):
    found = find(kind, key)
    revisions = record_history(kind, found.obj.id)
    pages = max(1, math.ceil(len(revisions) / PER_PAGE))
    number = min(page_number(request.args, strict=False), pages)
    start = (number - 1) * PER_PAGE
    rows = [
        revision_row(kind, revision, newest=start + i == 0)
        for i, revision in enumerate(revisions[start : start + PER_PAGE])
    ]
    return render_template(
        "staff/history.html",
        record=found.facts,
        pagination=Page(rows, number, pages),
        total=len(revisions),
        form=RestoreForm(formdata=None),
        actions=ACTION_LABELS,
    )


def restore_page(found: Found, revision_id: int, form: RestoreForm, status: int = 200):
    """The confirmation: what restoring ``revision_id`` would change, from now to then."""
    revisions = record_history(found.kind, found.obj.id)
    current = current_state(found.kind, found.obj.id)
    try:
        target = state_after(found.kind, current, revisions, revision_id)
    except KeyError:
        abort(404, _("该记录没有这条历史记录。"))
    revision = next(r for r in revisions if r.id == revision_id)
    if form.version.data in (None, ""):
        form.version.data = getattr(found.obj, "version", "")
    html = render_template(
        "staff/restore.html",
        record=found.facts,
        revision={
            "id": revision_id,
            "at": local_datetime(revision.at),
            "who": who(revision.user_email, revision.actor),
        },
        diffs=field_diffs(found.kind, changes_between(current, target)),
        form=form,
    )
    return make_response(html, status)


@staff_page("/<kind>/<path:key>/history/<int:revision_id>/restore", methods=["GET", "POST"])
def restore(kind: str, key: str, revision_id: int):
    """GET or the history page's button: the confirmation. Its confirm button: the restore."""
    found = find(kind, key)
    form = RestoreForm()
    if not (request.method == "POST" and form.confirm.data):
        return restore_page(found, revision_id, RestoreForm(formdata=None))
    if not form.validate():
        return restore_page(found, revision_id, form, 422)
    entity_id = found.obj.id
    _done, errors = act(
        lambda work: restore_revision(
            work, kind, entity_id, revision_id, expected_version=form.expected_version()
        )
    )
    if errors:
        show_errors(form, errors)
        form.version.data = None  # confirm again against what is stored now
        return restore_page(find(kind, key), revision_id, form, 409)
    flash(_("已恢复到第 %(id)s 条记录之后的版本。", id=revision_id), "success")
    return redirect(url_for("staff.history", kind=kind, key=key), code=303)


# -- the audit trail of all records ---------------------------------------------------------------


def trail_query(kind: str, person: str):
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if kind:
        query = query.where(AuditEntry.entity == kind)
    if person:
        user_id = db.session.scalar(select(User.id).where(User.email == person.lower()))
        # A signed-in user's entries by their id (indexed); a command or import by its actor.
        query = query.where(
            AuditEntry.user_id == user_id if user_id else AuditEntry.actor == person
        )
    return query.options(selectinload(AuditEntry.user))


def trail_row(entry: AuditEntry) -> dict[str, Any]:
    changes = entry.changes or {}
    action = "restore" if RESTORED_FROM in changes else entry.action
    return {
        "at": local_datetime(entry.created_at),
        "who": who(entry.user.email if entry.user else None, entry.actor),
        "action": action,
        "kind": entry.entity,
        "key": entry.entity_key,
        "fields": [str(FIELD_LABELS.get(n, n)) for n in changes if n != RESTORED_FROM],
        "has_page": entry.entity in MODELS,
    }


@staff_page("/history")
def trail():
    kind = request.args.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    person = request.args.get("who", "").strip()[:254]
    pagination = db.paginate(
        trail_query(kind, person),
        page=page_number(request.args, strict=False),
        per_page=TRAIL_PER_PAGE,
        error_out=False,
        count=True,
    )
    return render_template(
        "staff/trail.html",
        rows=[trail_row(entry) for entry in pagination.items],
        pagination=pagination,
        kind=kind,
        who=person,
        kinds=KIND_LABELS,
        actions=ACTION_LABELS,
        people=staff_emails(),
        args={k: v for k, v in (("kind", kind), ("who", person)) if v},
    )


def staff_emails() -> list[str]:
    query = select(User.email).where(User.role.in_(("staff", "admin"))).order_by(User.email)
    return list(db.session.scalars(query))
