"""GI-mark authorisations (专用标志使用授权) for staff: the list with filters, granting one, an
authorisation's page with renew / suspend / reinstate / revoke (each with a reason), and its QR
labels (one label as SVG or PNG, an A4 sheet as PDF). Keyed as the history is:
``/staff/authorizations/<producer>/<product>`` (services.revisions.entity_id_for)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from gi_registry import vocab
from gi_registry.catalog.queries import mark_status
from gi_registry.extensions import db
from gi_registry.links import absolute_url
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, GIProduct, Producer
from gi_registry.services.authorizations import (
    ACTIONS,
    actions_for,
    change_authorization,
    find_authorization,
    grant_authorization,
    latest_reason,
    may_hold_mark,
)
from gi_registry.staff.authorization_forms import ChangeForm, GrantForm
from gi_registry.staff.common import act, show_errors, staff_page
from gi_registry.staff.forms import posted_version
from gi_registry.trace.labels import MAX_LABELS, LabelText, sheet_pdf
from gi_registry.verify.labels import Label, LabelError, render

LIST_LIMIT = 200
QUERY_MAX = 100
MAX_DAYS = 3650
GRANT_FIELDS = ("producer", "product", "valid_from", "valid_to", "number")
ACTION_LABELS = {
    "renew": _l("续期"),
    "suspend": _l("暂停使用"),
    "reinstate": _l("恢复使用"),
    "revoke": _l("撤销"),
}
DONE = {
    "renew": _l("已续期。"),
    "suspend": _l("已暂停，核验页面即刻显示“暂停使用”。"),
    "reinstate": _l("已恢复使用。"),
    "revoke": _l("已撤销，核验页面即刻显示“已撤销”。"),
}


def days_arg() -> int | None:
    raw = request.args.get("ending", "").strip()
    return min(int(raw), MAX_DAYS) if raw.isdigit() else None


def search_authorizations(
    status: str, product: str, text: str, ending: int | None
) -> list[Authorization]:
    """Filtered by status, product (slug), producer (slug, name or credit code containing the
    text) and, with ``ending``, active ones whose term ends within that many days."""
    query = (
        sa.select(Authorization)
        .join(Authorization.producer)
        .join(Authorization.product)
        .options(contains_eager(Authorization.producer), contains_eager(Authorization.product))
        .order_by(Authorization.valid_to.is_(None), Authorization.valid_to, Authorization.id)
        .limit(LIST_LIMIT)
    )
    if status in vocab.AUTHORIZATION_STATUSES:
        query = query.where(Authorization.status == status)
    if product:
        query = query.where(GIProduct.slug == product)
    text = " ".join(text.split())[:QUERY_MAX]
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(
            sa.or_(
                Producer.slug.like(pattern),
                Producer.name_zh.like(pattern),
                Producer.credit_code == text.upper(),
            )
        )
    if ending is not None:
        today = local_today()
        query = query.where(
            Authorization.status == "active",
            Authorization.valid_to >= today,
            Authorization.valid_to <= today + timedelta(days=ending),
        )
    return list(db.session.scalars(query))


def products() -> list[GIProduct]:
    """The products a mark may be granted for (any but archived), for the pickers."""
    query = sa.select(GIProduct).where(GIProduct.status != "archived")
    return list(db.session.scalars(query.order_by(GIProduct.name_pinyin)))


@staff_page("/authorizations")
def authorizations():
    status = request.args.get("status", "")
    product = request.args.get("product", "")
    text = request.args.get("q", "")
    ending = days_arg()
    return render_template(
        "staff/authorizations.html",
        authorizations=search_authorizations(status, product, text, ending),
        status=status if status in vocab.AUTHORIZATION_STATUSES else "",
        product=product,
        q=text,
        ending=ending,
        products=products(),
        state_of=mark_status,
    )


@staff_page("/authorizations/new", methods=["GET", "POST"])
def grant():
    form = GrantForm()
    choices = products()
    form.product.choices = [(p.slug, p.name_zh) for p in choices]
    if not form.is_submitted():
        form.producer.data = request.args.get("producer", "")[:80]
        form.valid_from.data = local_today().isoformat()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            data = {name: getattr(form, name).data for name in GRANT_FIELDS}
            auth, errors = act(lambda work: grant_authorization(work, data))
            if not errors:
                flash(_("已授予专用标志使用授权。"), "success")
                return redirect(page_url(auth), code=303)
            show_errors(form, errors)
            status = 409
    page = render_template("staff/authorization_new.html", form=form, products=choices)
    return make_response(page, status)


def page_url(auth: Authorization) -> str:
    return url_for("staff.authorization", producer=auth.producer.slug, product=auth.product.slug)


def require_authorization(producer: str, product: str) -> Authorization:
    return find_authorization(producer, product) or abort(404)


@staff_page("/authorizations/<slug:producer>/<slug:product>", methods=["GET", "POST"])
def authorization(producer: str, product: str):
    auth = require_authorization(producer, product)
    form = ChangeForm()
    form.action.choices = [(name, ACTION_LABELS[name]) for name in actions_for(auth)]
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            action = form.action.data
            _done, errors = act(
                lambda work: change_authorization(
                    work,
                    producer,
                    product,
                    action,
                    form.reason.data or "",
                    valid_to=form.valid_to.data or None,
                    expected_version=posted_version(form.version.data),
                )
            )
            if not errors:
                flash(str(DONE[action]), "success")
                return redirect(page_url(auth), code=303)
            show_errors(form, errors)
            status = 409
    else:
        form.version.data = str(auth.version)
    page = render_template(
        "staff/authorization.html",
        auth=auth,
        form=form,
        state=mark_status(auth),
        reason=latest_reason(auth),
        may_hold=may_hold_mark(auth.producer),
        verify_url=absolute_url("verify.token", token=auth.verify_token),
        max_labels=MAX_LABELS,
        all_actions=list(ACTIONS),
    )
    return make_response(page, status)


# -- QR labels ------------------------------------------------------------------------------------


def label_for(auth: Authorization) -> Label:
    # Printed for packs sold in China, whatever the language of the staff page.
    return Label(
        absolute_url("verify.token", token=auth.verify_token), auth.product.name_zh, auth.number
    )


def no_font() -> None:
    abort(
        503,
        _("本机没有可用的中文字体，无法生成标签；请管理员安装 Noto CJK 字体（fonts-noto-cjk）。"),
    )


@staff_page("/authorizations/<slug:producer>/<slug:product>/label.<any(svg, png):kind>")
def label(producer: str, product: str, kind: str):
    auth = require_authorization(producer, product)
    try:
        data = render(label_for(auth), kind)
    except LabelError:
        no_font()
    response = Response(data, mimetype="image/svg+xml" if kind == "svg" else "image/png")
    name = f"authorization-{auth.id}.{kind}"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@staff_page("/authorizations/<slug:producer>/<slug:product>/labels.pdf")
def labels(producer: str, product: str):
    """``count`` copies of the label on A4 sheets (the batches' sheet, 24 a page)."""
    auth = require_authorization(producer, product)
    raw = request.args.get("count", "24").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LABELS:
        abort(400, _("标签数量应为 1 至 %(max)s 的整数", max=MAX_LABELS))
    one = label_for(auth)
    text = LabelText(
        url=one.url,
        product=auth.product.name_zh,
        producer=auth.producer.name_zh,
        batch_line=one.lines[1],
        short_url=one.url.split("://", 1)[-1],
    )
    try:
        pdf = sheet_pdf(text, int(raw), title=f"{auth.product.name_zh} {auth.number or ''}".strip())
    except LabelError:
        no_font()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="authorization-{auth.id}.pdf"'
    return response
