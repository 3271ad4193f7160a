"""The organisation's batches under /portal/batches: list, create, show, print labels.

Members of the batch's organisation only: anyone else gets 404 (the batch's existence is not
revealed), anonymous visitors the login page. Every page depends on the signed-in user, so none is
cached.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from gi_registry.accounts.access import require_member, signed_in_user
from gi_registry.caching import exempt
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name as name
from gi_registry.i18n.messages import translate_message
from gi_registry.links import absolute_url
from gi_registry.models import Producer, TraceBatch
from gi_registry.services.errors import ValidationError
from gi_registry.services.trace import authorised_products, create_batch, scan_counts
from gi_registry.services.unit import unit_of_work
from gi_registry.trace import bp
from gi_registry.trace.forms import BatchForm
from gi_registry.trace.labels import MAX_LABELS, LabelText, sheet_pdf
from gi_registry.trace.queries import newest_batches
from gi_registry.verify.labels import LabelError

LIST_LIMIT = 200


def own_producer() -> Producer:
    """The signed-in user's organisation; a user without one has no batches to see (403)."""
    producer = signed_in_user().producer
    if producer is None:
        abort(403)
    return producer


def owned_batch(batch_id: int) -> TraceBatch:
    batch = db.session.get(TraceBatch, batch_id)
    if batch is None:
        abort(404)
    require_member(batch.producer)
    return batch


@bp.route("/portal/batches")
@exempt
@login_required
def batches():
    producer = own_producer()
    items = newest_batches(producer, LIST_LIMIT)
    return render_template(
        "trace/batches.html",
        producer=producer,
        batches=items,
        counts=scan_counts([b.id for b in items]),
        can_create=bool(authorised_products(producer)),
    )


@bp.route("/portal/batches/new", methods=["GET", "POST"])
@exempt
@login_required
def new_batch():
    producer = own_producer()
    form = BatchForm()
    offered = authorised_products(producer)
    form.offer_products([(a.product.slug, name(a.product)) for a in offered])
    if len(offered) == 1 and request.method == "GET":
        form.product.data = offered[0].product.slug  # the only choice, chosen
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work(user=signed_in_user()) as work:
                batch_id = create_batch(work, producer, form.service_data()).id
        except ValidationError as error:
            form.show_errors({f: translate_message(m) for f, m in error.errors.items()})
            status = 422
        else:
            return redirect(url_for("trace.batch", batch_id=batch_id, new=1), code=303)
    elif request.method == "POST":
        status = 422
    page = render_template("trace/new.html", producer=producer, form=form, offered=offered)
    return make_response(page, status)


@bp.route("/portal/batches/<int:batch_id>")
@exempt
@login_required
def batch(batch_id: int):
    item = owned_batch(batch_id)
    return render_template(
        "trace/batch.html",
        batch=item,
        scans=scan_counts([item.id]).get(item.id, 0),
        code_url=code_url(item),
        max_labels=MAX_LABELS,
        new=request.args.get("new") == "1",
    )


@bp.route("/portal/batches/<int:batch_id>/labels.pdf")
@exempt
@login_required
def labels(batch_id: int):
    item = owned_batch(batch_id)
    count = label_count(request.args.get("count"))
    url = code_url(item)
    text = LabelText(
        url=url,
        # Printed for the packs' buyers in China, whatever the language of the portal page.
        product=item.product.name_zh,
        producer=item.producer.name_zh,
        batch_line=f"批次 {item.batch_code}",
        short_url=url.split("://", 1)[-1],
    )
    try:
        pdf = sheet_pdf(text, count, title=f"{item.product.name_zh} {item.batch_code}")
    except LabelError:
        abort(
            503,
            _(
                "本机没有可用的中文字体，无法生成标签；请管理员安装 Noto CJK 字体（fonts-noto-cjk）。"
            ),
        )
    response = Response(pdf, mimetype="application/pdf")
    filename = f"labels-{item.id}-{count}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.cache_control.private = True
    return response


def label_count(raw: str | None) -> int:
    """?count=: 1 to MAX_LABELS; anything else is a clear 400, not a guess."""
    if raw is None or raw == "":
        return 24
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_LABELS:
        abort(400, _("标签数量应为 1 至 %(max)s 的整数", max=MAX_LABELS))
    return int(raw)


def code_url(batch: TraceBatch) -> str:
    """What the labels' QR code holds: the GS1 Digital Link form where the batch has a GTIN (a
    GS1-aware scanner reads the product and lot from it), else /t/<token>. Absolute, under
    PUBLIC_URL when it is set."""
    if not batch.gtin:
        return absolute_url("trace.scan", token=batch.token)
    # The lot is one path segment, so "/" and every reserved character are percent-encoded, as
    # the Digital Link standard asks; url_for would leave "/" as it is.
    base = absolute_url("trace.gs1", gtin=batch.gtin, batch_code="-")[:-1]
    return base + quote(batch.batch_code, safe="")
