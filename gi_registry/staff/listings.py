"""The listing review queue (供需信息审核) with bulk actions.

Approving or rejecting several listings at once runs one unit of work per listing: a listing the
service refuses (the GI name rule fails again at approval, say, or it was withdrawn meanwhile) is
reported by name and left as it was, and the others are still applied. One bad listing should not
hold back a queue of good ones, and each listing's history entry stands on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.i18n.content import own_lang
from gi_registry.localtime import local_today
from gi_registry.models import Listing
from gi_registry.services import listings as service
from gi_registry.staff.common import act, staff_page
from gi_registry.staff.forms import BulkListingsForm

QUEUE_STATUSES = ("pending", "published")  # a published listing can be taken down
QUEUE_LIMIT = 500


@dataclass
class Outcome:
    slug: str
    title: str
    error: str | None  # None: applied


def review(slugs: list[str], action: str, reason: str = "") -> list[Outcome]:
    """Approve or reject each listing in its own unit of work; refusals are reported, not raised."""
    outcomes = []
    titles = dict(
        db.session.execute(
            sa.select(Listing.slug, Listing.title).where(Listing.slug.in_(slugs))
        ).all()
    )
    for slug in dict.fromkeys(slugs):  # each once, in the order ticked
        if action == "approve":
            _done, errors = act(
                lambda work, s=slug: service.approve_listing(work, s, today=local_today())
            )
        else:
            _done, errors = act(lambda work, s=slug: service.reject_listing(work, s, reason))
        error = "；".join(errors.values()) if errors else None
        outcomes.append(Outcome(slug, titles.get(slug, slug), error))
    return outcomes


def chosen_status() -> str:
    status = request.args.get("status", "pending")
    return status if status in QUEUE_STATUSES else "pending"


@staff_page("/listings", methods=["GET", "POST"])
def listings():
    status = chosen_status()
    form = BulkListingsForm()
    code = 200
    if form.is_submitted():
        if form.validate():
            action = "reject" if form.reject.data else "approve"
            outcomes = review(form.selected.data, action, form.reason.data or "")
            report(outcomes, action)
            return redirect(url_for("staff.listings", status=status), code=303)
        code = 422
    query = (
        sa.select(Listing)
        .where(Listing.status == status)
        .options(selectinload(Listing.producer), selectinload(Listing.product))
        .order_by(Listing.updated_at, Listing.id)
        .limit(QUEUE_LIMIT)
    )
    page = render_template(
        "staff/listings.html",
        listings=list(db.session.scalars(query)),
        form=form,
        status=status,
        statuses=QUEUE_STATUSES,
    )
    return make_response(page, code)


def report(outcomes: list[Outcome], action: str) -> None:
    done = sum(1 for outcome in outcomes if outcome.error is None)
    if done and action == "approve":
        flash(ngettext("已发布 %(num)d 条。", "已发布 %(num)d 条。", done), "success")
    elif done:
        flash(ngettext("已退回 %(num)d 条。", "已退回 %(num)d 条。", done), "success")
    for outcome in outcomes:
        if outcome.error is not None:
            # Record text (the title) stays Chinese on an English page: marked, as Markup.
            template = Markup(escape(_("未处理“%(title)s”：%(error)s")))
            values = {"title": own_lang(outcome.title), "error": own_lang(outcome.error)}
            flash(template % values, "error")
