"""The home page's featured slots (首页推荐位) in the staff area: every slot by position with what it
shows and when, add, edit, move up or down, and end (the row stays, as a record of what was shown).

Times are entered in the province's time and stored in UTC (``services.promotion.moment``); only
public content can be chosen, and a slot whose content has since left the public pages is flagged
(the home page skips it)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.i18n.content import label
from gi_registry.localtime import local_datetime, local_zone
from gi_registry.models import Brand, Event, FeatureSlot, GIProduct, Story, now_utc
from gi_registry.models.visibility import brand_is_public, product_is_public
from gi_registry.promotion import queries
from gi_registry.services import promotion
from gi_registry.services.errors import ConflictError
from gi_registry.staff.common import act, show_errors, staff_page
from gi_registry.staff.content import option
from gi_registry.staff.content_forms import EndForm, MoveForm, SlotForm

SLOT_STATES = ("showing", "scheduled", "ended", "hidden")


def slot_state(slot: FeatureSlot, now: datetime, showing: set[int]) -> str:
    if slot.ends_at and slot.ends_at <= now:
        return "ended"
    if slot.starts_at and slot.starts_at > now:
        return "scheduled"
    return "showing" if slot.id in showing else "hidden"


def target_title(slot: FeatureSlot) -> str:
    target = slot.target
    return getattr(target, "title_zh", None) or target.name_zh


@staff_page("/slots")
def slots():
    now = now_utc()
    rows = queries.all_slots()
    showing = {s.id for s in queries.showing_slots(now, limit=10_000)}
    return render_template(
        "staff/slots.html",
        rows=[(slot, slot_state(slot, now, showing)) for slot in rows],
        move_form=MoveForm(),
        end_form=EndForm(),
        local_datetime=local_datetime,
        target_title=target_title,
        kinds={kind: label("FEATURE_TARGETS", kind) for kind in vocab.FEATURE_TARGETS},
    )


def choices(slot: FeatureSlot | None) -> dict[str, list[tuple[str, str, dict]]]:
    """What a slot may point at, by kind: public products and brands, published stories and
    events (a scheduled one shows once it is due), and the slot's current target."""
    current = slot.target if slot is not None else None
    found: dict[str, list[tuple[str, str, dict]]] = {}
    for kind, model, where in (
        ("story", Story, [Story.status == "published", Story.archived_at.is_(None)]),
        ("event", Event, [Event.status == "published", Event.archived_at.is_(None)]),
        ("product", GIProduct, [product_is_public()]),
        ("brand", Brand, [brand_is_public()]),
    ):
        rows = list(db.session.scalars(sa.select(model).where(*where).order_by(model.slug)))
        if current is not None and isinstance(current, model) and current not in rows:
            rows.insert(0, current)
        title = "title_zh" if kind in ("story", "event") else "name_zh"
        found[label("FEATURE_TARGETS", kind)] = [
            option(f"{kind}:{row.slug}", f"{getattr(row, title)} ({row.slug})") for row in rows
        ]
    return found


def local(moment: datetime | None) -> datetime | None:
    """A stored moment as the form shows it: the province's wall-clock time."""
    return moment.astimezone(local_zone()).replace(tzinfo=None) if moment else None


def slot_editor(form: SlotForm, slot: FeatureSlot | None, status: int):
    page = render_template("staff/slot.html", form=form, slot=slot)
    return make_response(page, status)


def submit(form: SlotForm, slot: FeatureSlot | None):
    """Validate and write; the slot list on success, else the form with each field named."""
    if not form.validate():
        return slot_editor(form, slot, 422)
    record = form.record()
    if slot is not None:
        if form.seen.data != slot.updated_at.isoformat():
            show_errors(form, {"": _(ConflictError().message)})
            return slot_editor(form, slot, 409)
        if form.target.data == f"{slot.target_kind}:{slot.target.slug}":
            record = {k: v for k, v in record.items() if k not in vocab.FEATURE_TARGETS}
        _done, errors = act(lambda work: promotion.update_slot(work, slot.id, record))
    else:
        _done, errors = act(lambda work: promotion.add_slot(work, record))
    if errors:
        kinds = set(vocab.FEATURE_TARGETS)
        show_errors(form, {("target" if k in kinds else k): v for k, v in errors.items()})
        return slot_editor(form, slot, 409)
    flash(_("推荐位已保存。"), "success")
    return redirect(url_for("staff.slots"), code=303)


@staff_page("/slots/new", methods=["GET", "POST"])
def slot_new():
    form = SlotForm()
    form.target.choices = choices(None)
    if form.is_submitted():
        return submit(form, None)
    last = db.session.scalar(sa.select(sa.func.max(FeatureSlot.position)))
    form.position.data = (last or 0) + 1
    return slot_editor(form, None, 200)


def find_slot(slot_id: int) -> FeatureSlot:
    return db.session.get(FeatureSlot, slot_id) or abort(404)


@staff_page("/slots/<int:slot_id>", methods=["GET", "POST"])
def slot(slot_id: int):
    item = find_slot(slot_id)
    form = SlotForm()
    form.target.choices = choices(item)
    if form.is_submitted():
        return submit(form, item)
    form.target.data = f"{item.target_kind}:{item.target.slug}"
    form.seen.data = item.updated_at.isoformat()
    form.position.data = item.position
    form.starts_at.data, form.ends_at.data = local(item.starts_at), local(item.ends_at)
    form.headline_zh.data, form.headline_en.data = item.headline_zh, item.headline_en
    return slot_editor(form, item, 200)


@staff_page("/slots/<int:slot_id>/move", methods=["POST"])
def slot_move(slot_id: int):
    find_slot(slot_id)
    form = MoveForm()
    if form.validate():
        step = -1 if form.up.data else 1
        _done, errors = act(lambda work: promotion.move_slot(work, slot_id, step))
        flash(" ".join(errors.values()) or _("顺序已调整。"), "error" if errors else "success")
    else:
        flash(_("表单已过期，请重新提交。"), "error")
    return redirect(url_for("staff.slots"), code=303)


@staff_page("/slots/<int:slot_id>/end", methods=["POST"])
def slot_end(slot_id: int):
    """Off the home page now; the row stays with its schedule closed."""
    find_slot(slot_id)
    if EndForm().validate():
        _done, errors = act(lambda work: promotion.remove_slot(work, slot_id))
        flash(
            " ".join(errors.values()) or _("推荐位已结束展示。"), "error" if errors else "success"
        )
    else:
        flash(_("表单已过期，请重新提交。"), "error")
    return redirect(url_for("staff.slots"), code=303)
