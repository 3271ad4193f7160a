"""Bulk import in the browser (批量导入): upload a ``gi-registry/1`` JSON file or the CSV files, see a
dry-run preview of what would be created, changed or refused, then confirm.

The preview and the confirmation run the same importer as ``flask import`` (all or nothing, under
the import lock); the uploaded bytes wait on the server between the two (``interchange.uploads``),
so the confirmation imports exactly what was previewed, validated once more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField, MultipleFileField, SubmitField

from gi_registry.accounts.access import refuse_non_staff, signed_in_user
from gi_registry.errors import error_response
from gi_registry.interchange import DocumentError, ImportReport, uploads
from gi_registry.media import size_label
from gi_registry.services.history import Outcome
from gi_registry.staff import bp
from gi_registry.staff.common import say, staff_page

SHOWN = 300  # rows listed per group; the counts cover every record
KINDS = {
    "products": _l("地理标志产品"),
    "producers": _l("经营主体"),
    "brands": _l("品牌"),
    "authorizations": _l("专用标志使用授权"),
    "listings": _l("供需信息"),
}
ROW_LABEL = re.compile(r"（(?P<file>[^（）]+?) 第(?P<line>\d+)行）")


# The forms live here, beside their only view.
class UploadForm(FlaskForm):
    files = MultipleFileField(
        _l("文件"),
        description=_l(
            "一个 gi-registry/1 JSON 文件；或一个或多个 CSV 文件，文件名为 products.csv、"
            "protections.csv、producers.csv、authorizations.csv。"
        ),
        render_kw={"accept": ".json,.csv,application/json,text/csv"},
    )
    submit = SubmitField(_l("预览"))


class ConfirmForm(FlaskForm):
    token = HiddenField()
    digest = HiddenField()
    submit = SubmitField(_l("确认导入"))


@dataclass(frozen=True)
class Refusal:
    where: str
    message: str


@dataclass(frozen=True)
class Group:
    action: str
    title: str
    total: int
    rows: list[Outcome]


def history_path(outcome: Outcome) -> str:
    """The record's history page, ``/staff/<kind>/<key>/history`` (``staff.history``)."""
    return url_for("staff.history", kind=outcome.kind, key=outcome.key)


def refusals(report: ImportReport) -> list[Refusal]:
    """The import's errors in the page's language: where (record, file and line, field), and why."""
    return [Refusal(_where(issue.path), say(issue.message)) for issue in report.issues]


def _where(path: str) -> str:
    return ROW_LABEL.sub(
        lambda m: _("（%(file)s 第%(line)s行）", file=m["file"], line=m["line"]), path
    )


def groups(report: ImportReport) -> list[Group]:
    titles = {
        "create": _("新增"),
        "update": _("更新"),
        "archive": _("归档"),
        "unchanged": _("未变"),
    }
    found = []
    for action, title in titles.items():
        rows = [o for o in report.outcomes if o.action == action]
        if rows:
            found.append(Group(action, title, len(rows), rows[:SHOWN]))
    return found


def upload_page(form: UploadForm, status: int = 200, error: str | None = None):
    limit = size_label(current_app.config["MAX_CONTENT_LENGTH"])
    page = render_template("staff/import.html", form=form, error=error, limit=limit)
    return make_response(page, status)


def outcome_page(template: str, report: ImportReport, refused_status: int, **context):
    """The preview or the result: the groups of records, or what was refused (with that status)."""
    page = render_template(
        template,
        report=report,
        groups=groups(report),
        refusals=refusals(report),
        kinds=KINDS,
        **context,
    )
    return make_response(page, 200 if report.ok else refused_status)


@staff_page("/import", methods=["GET", "POST"])
def import_upload():
    form = UploadForm()
    if not form.is_submitted():
        return upload_page(form)
    if not form.validate():
        return upload_page(form, 422)
    files = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f]
    owner = signed_in_user()
    try:
        upload = uploads.stage(owner, [f for f in files if f[0] or f[1]])
    except uploads.UploadError as error:
        return upload_page(form, 422, say(str(error)))
    try:
        report = uploads.preview(upload, owner)
    except DocumentError as error:
        uploads.discard(upload)
        return upload_page(form, 422, say(str(error)))
    if not report.ok:
        uploads.discard(upload)
    confirm = ConfirmForm(formdata=None, token=upload.token, digest=upload.digest)
    return outcome_page("staff/import_preview.html", report, 422, upload=upload, form=confirm)


@staff_page("/import/confirm", methods=["POST"])
def import_confirm():
    form = ConfirmForm()
    if not form.validate():
        return upload_page(UploadForm(formdata=None), 400, say(uploads.GONE))
    try:
        report = uploads.confirm(form.token.data, form.digest.data, signed_in_user())
    except (uploads.UploadError, DocumentError) as error:
        return upload_page(UploadForm(formdata=None), 409, say(str(error)))
    return outcome_page("staff/import_result.html", report, 409, history_path=history_path)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """An upload over MAX_CONTENT_LENGTH: on the import page, say so and give the limit.

    The body is refused while the CSRF check reads it, before the area's role check has run, so
    the role is checked here again."""
    refused = refuse_non_staff()
    if refused is not None:
        return refused
    if request.endpoint != "staff.import_upload":
        return error_response(413)
    limit = size_label(current_app.config["MAX_CONTENT_LENGTH"])
    message = _("文件过大：一次最多上传 %(size)s。请把数据分成几个文件分别导入。", size=limit)
    return upload_page(UploadForm(formdata=None), 413, message)
