"""The staff's side of misuse reports, under /staff/reports: the list by status, a report with its
evidence, contacts and notes, and the forms that move it on. Staff and admins only, checked once
for the blueprint with the staff area's own check (``refuse_non_staff``); every write is one service
call in one unit of work, so the history names the staff member. The staff dashboard's panel of open
reports is added to ``staff.panels.PANELS`` here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from gi_registry import vocab
from gi_registry.accounts.access import refuse_non_staff, signed_in_user
from gi_registry.caching import exempt
from gi_registry.i18n.content import label
from gi_registry.i18n.messages import translate_message
from gi_registry.reports.forms import LinkForm, NoteForm, ServiceForm, StatusForm, version_of
from gi_registry.reports.views import product_choices
from gi_registry.services.errors import ConflictError, ServiceError, ValidationError
from gi_registry.services.history import Revision, history
from gi_registry.services.reports import (
    TRANSITIONS,
    add_note,
    change_status,
    count_by_status,
    find_report,
    link_report,
    list_reports,
    suggested_producer,
)
from gi_registry.services.unit import Work, unit_of_work

bp = Blueprint("report_staff", __name__, url_prefix="/staff/reports")


@bp.before_request
def staff_only():
    """Anonymous visitors go to the login page, everyone but staff and admins gets 403."""
    return refuse_non_staff()


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/")
@exempt
def index():
    chosen = request.args.get("status", "")
    status = chosen if chosen in vocab.REPORT_STATUSES else None
    return render_template(
        "reports/staff_list.html",
        reports=list_reports(status),
        counts=count_by_status(),
        status=status,
    )


def load(code: str):
    return find_report(code) or abort(404)


@bp.route("/<code>")
@exempt
def show(code: str):
    return render_report(load(code))


def render_report(report, *, note=None, link=None, transition=None, status: int = 200):
    if link is None:
        link = LinkForm(formdata=None)
        link.product.data = report.product.slug if report.product else ""
        link.producer.data = report.producer.slug if report.producer else ""
        link.version.data = str(report.version)
    forms = {}
    for target in TRANSITIONS[report.status]:
        if transition is not None and transition._prefix == f"{target}-":
            forms[target] = transition
            continue
        form = StatusForm(formdata=None, prefix=target)
        form.status.data = target
        form.version.data = str(report.version)
        forms[target] = form
    page = render_template(
        "reports/staff_report.html",
        report=report,
        note_form=note or NoteForm(formdata=None),
        link_form=link,
        status_forms=forms,
        suggestion=suggested_producer(report) if report.producer is None else None,
        products=product_choices(),
        revisions=[describe(r) for r in history("reports", report.id)],
    )
    return make_response(page, status)


def describe(revision: Revision) -> tuple[datetime, str, str]:
    """One line of the report's history: when, who, and what changed, in the page's language."""
    who = revision.user_email or revision.actor
    changes = revision.changes
    if revision.action == "create":
        return revision.at, who, _("收到举报")
    if "note" in changes:
        return revision.at, who, _("添加了内部备注")
    if "status" in changes:
        before, after = changes["status"]
        text = _(
            "状态从“%(before)s”改为“%(after)s”",
            before=label("REPORT_STATUSES", before),
            after=label("REPORT_STATUSES", after),
        )
        return revision.at, who, text
    return revision.at, who, _("更改了关联的产品或经营主体")


@bp.route("/<code>/note", methods=["POST"])
@exempt
def note(code: str):
    def write(work: Work, form: NoteForm) -> None:
        add_note(work, code, form.note.data or "")

    return apply(code, NoteForm(), write, _("备注已添加。"), "note")


@bp.route("/<code>/link", methods=["POST"])
@exempt
def link(code: str):
    def write(work: Work, form: LinkForm) -> None:
        product, producer = form.product.data or "", form.producer.data or ""
        link_report(
            work, code, product=product, producer=producer, expected_version=version_of(form)
        )

    return apply(code, LinkForm(), write, _("关联已保存。"), "link")


@bp.route("/<code>/status", methods=["POST"])
@exempt
def transition(code: str):
    target = request.form.get("target", "")
    form = StatusForm(prefix=target if target in vocab.REPORT_STATUSES else "")

    def write(work: Work, form: StatusForm) -> None:
        status, answer = form.status.data or "", form.public_answer.data or ""
        change_status(work, code, status, answer, expected_version=version_of(form))

    return apply(code, form, write, _("状态已更改。"), "transition")


def apply(code: str, form: ServiceForm, write: Callable[[Work, Any], None], done: str, slot: str):
    """One staff action: the service call in a unit of work under the signed-in user, then back to
    the report (Post/Redirect/Get), or the report again with the form's messages."""
    report = load(code)
    if form.validate_on_submit():
        try:
            with unit_of_work(user=signed_in_user()) as work:
                write(work, form)
        except ServiceError as error:
            show_problem(form, error)
        else:
            flash(done, "success")
            return redirect(url_for("report_staff.show", code=report.tracking_code), code=303)
    return render_report(load(code), **{slot: form}, status=422)


def show_problem(form, error: ServiceError) -> None:
    if isinstance(error, ValidationError):
        form.show_errors({name: translate_message(m) for name, m in error.errors.items()})
    elif isinstance(error, ConflictError):
        form.form_errors.append(_("该举报已被他人修改，请查看最新内容后再提交。"))
    else:
        form.form_errors.append(translate_message(error.message))


@bp.route("/<code>/evidence/<int:number>")
@exempt
def evidence(code: str, number: int):
    """One evidence photo, from the private folder (never under /media/)."""
    report = load(code)
    if not 1 <= number <= len(report.evidence):
        abort(404)
    root = Path(current_app.config["PRIVATE_MEDIA_ROOT"]).resolve()
    path = (root / report.evidence[number - 1]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    response = make_response(path.read_bytes())
    response.mimetype = "image/jpeg"
    response.headers["Content-Disposition"] = "inline"
    return response
