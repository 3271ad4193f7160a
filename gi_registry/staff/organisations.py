"""Organisation verification (经营主体审核): the queue by status, one organisation's facts with its
private contacts, licence and credit-code check, and the decision (verify, reject, suspend)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gi_registry import vocab
from gi_registry.credit_code import is_valid_credit_code
from gi_registry.extensions import db
from gi_registry.i18n.content import label
from gi_registry.models import Producer
from gi_registry.services import memberships
from gi_registry.services.organisations import TRANSITIONS, decide
from gi_registry.staff.common import act, show_errors, staff_page
from gi_registry.staff.forms import DecisionForm

QUEUE_LIMIT = 500  # the pending queue is short; "active" lists the newest this many
DONE = {
    "verify": _l("已核准。"),
    "reject": _l("已退回，成员会看到原因。"),
    "suspend": _l("已暂停，其供需信息不再公开。"),
}


def chosen_status() -> str:
    status = request.args.get("status", "pending")
    return status if status in vocab.PRODUCER_STATUSES else "pending"


@staff_page("/organisations")
def organisations():
    status = chosen_status()
    query = (
        sa.select(Producer)
        .where(Producer.status == status)
        .order_by(Producer.id.desc() if status != "pending" else Producer.id)
        .limit(QUEUE_LIMIT)
    )
    return render_template(
        "staff/organisations.html",
        producers=list(db.session.scalars(query)),
        status=status,
        statuses=list(vocab.PRODUCER_STATUSES),
    )


def find_producer(slug: str) -> Producer:
    return db.session.scalar(sa.select(Producer).where(Producer.slug == slug)) or abort(404)


def offer_decisions(form: DecisionForm, producer: Producer) -> None:
    """Only the decisions the organisation's status allows (services.organisations.TRANSITIONS)."""
    labels = {"verify": _("核准"), "reject": _("退回（待修改）"), "suspend": _("暂停")}
    form.decision.choices = [
        (decision, labels[decision])
        for decision, starts in TRANSITIONS.items()
        if producer.status in starts
    ]


@staff_page("/organisations/<slug:slug>", methods=["GET", "POST"])
def organisation(slug: str):
    producer = find_producer(slug)
    form = DecisionForm()
    offer_decisions(form, producer)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            decision = form.decision.data
            _done, errors = act(
                lambda work: decide(work, producer.slug, decision, form.reason.data or "")
            )
            if not errors:
                flash(str(DONE[decision]), "success")
                return redirect(url_for("staff.organisation", slug=slug), code=303)
            show_errors(form, errors)
            status = 409
    page = render_template(
        "staff/organisation.html",
        producer=producer,
        form=form,
        members=memberships.members(producer),
        code_valid=is_valid_credit_code(producer.credit_code or ""),
        kind=label("PRODUCER_KINDS", producer.kind),
    )
    return make_response(page, status)
