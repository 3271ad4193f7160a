"""Batches (溯源批次) for staff: the newest, searched by batch code, token or producer, and a
recall with a reason that the scan page shows at once."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import Producer, TraceBatch
from gi_registry.services.trace import recall_batch, scan_counts
from gi_registry.staff.common import act, show_errors, staff_page
from gi_registry.staff.forms import RecallForm

LIST_LIMIT = 100
QUERY_MAX = 100


def search_batches(text: str, limit: int = LIST_LIMIT) -> list[TraceBatch]:
    """The newest batches; with ``text``, those whose batch code or token is it (any case), or whose
    producer's slug or name contains it."""
    query = (
        sa.select(TraceBatch)
        .join(TraceBatch.producer)
        .options(selectinload(TraceBatch.producer), selectinload(TraceBatch.product))
        .order_by(TraceBatch.id.desc())
        .limit(limit)
    )
    text = " ".join(text.split())[:QUERY_MAX]
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(
            sa.or_(
                sa.func.upper(TraceBatch.batch_code) == text.upper(),
                TraceBatch.token == text,
                Producer.slug.like(pattern),
                Producer.name_zh.like(pattern),
            )
        )
    return list(db.session.scalars(query))


@staff_page("/batches")
def batches():
    text = request.args.get("q", "")
    found = search_batches(text)
    return render_template(
        "staff/batches.html", batches=found, q=text, counts=scan_counts([b.id for b in found])
    )


@staff_page("/batches/<int:batch_id>", methods=["GET", "POST"])
def batch(batch_id: int):
    found = db.session.get(TraceBatch, batch_id) or abort(404)
    form = RecallForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            _done, errors = act(lambda work: recall_batch(work, batch_id, form.reason.data or ""))
            if not errors:
                flash(_("已召回该批次，扫码页面已显示召回原因。"), "success")
                return redirect(url_for("staff.batch", batch_id=batch_id), code=303)
            show_errors(form, errors)
    page = render_template(
        "staff/batch.html", batch=found, form=form, scans=scan_counts([batch_id]).get(batch_id, 0)
    )
    return make_response(page, status)
