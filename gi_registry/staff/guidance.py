"""Guidance requests (指导咨询) for staff: the list by status, one request with the requester's
contact, and assign, answer and close. The requester's public status page shows the answer."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gi_registry import vocab
from gi_registry.models import GuidanceRequest
from gi_registry.services import stations as service
from gi_registry.staff.common import act, show_errors, staff_page
from gi_registry.staff.forms import AnswerForm, AssignForm, ConfirmForm

DONE = {
    "assign": _l("已指派。"),
    "answer": _l("已答复，咨询人可在查询页面看到。"),
    "close": _l("已办结。"),
}


def find(code: str) -> GuidanceRequest:
    normal = service.normalise_code(code)
    found = service.find_request(normal) if normal else None
    return found or abort(404)


@staff_page("/guidance")
def guidance():
    status = request.args.get("status", "received")
    status = status if status in vocab.GUIDANCE_STATUSES else "received"
    return render_template(
        "staff/guidance.html",
        requests=service.list_requests(status=status),
        status=status,
        statuses=list(vocab.GUIDANCE_STATUSES),
    )


def forms(found: GuidanceRequest, submitted: str | None = None):
    """The three forms of a request's page; only the ``submitted`` one reads the posted data."""
    assign = AssignForm(formdata=None if submitted != "assign" else request.form)
    assign.assignee.choices = [("", _("请选择"))] + [
        (user.email, user.display_name or user.email) for user in service.staff_members()
    ]
    if submitted != "assign":
        assign.assignee.data = service.current_assignee(found) or ""
    answer = AnswerForm(formdata=None if submitted != "answer" else request.form)
    if submitted != "answer":
        answer.answer.data = found.answer
    close = ConfirmForm(formdata=None if submitted != "close" else request.form)
    return {"assign": assign, "answer": answer, "close": close}


def page(found: GuidanceRequest, all_forms: dict, status: int = 200):
    html = render_template(
        "staff/request.html",
        item=found,
        assignee=service.current_assignee(found),
        **all_forms,
    )
    return make_response(html, status)


@staff_page("/guidance/<code>", endpoint="request")
def request_page(code: str):
    found = find(code)
    return page(found, forms(found))


@staff_page("/guidance/<code>/<any(assign, answer, close):action>", methods=["POST"])
def change(code: str, action: str):
    found = find(code)
    all_forms = forms(found, submitted=action)
    form = all_forms[action]
    if not form.validate():
        return page(found, all_forms, 422)
    tracking = found.tracking_code
    writes = {
        "assign": lambda work: service.assign_request(work, tracking, form.assignee.data),
        "answer": lambda work: service.answer_request(work, tracking, form.answer.data),
        "close": lambda work: service.close_request(work, tracking),
    }
    _done, errors = act(writes[action])
    if errors:
        show_errors(form, {"answer" if name == "status" else name: m for name, m in errors.items()})
        return page(found, all_forms, 409)
    flash(str(DONE[action]), "success")
    return redirect(url_for("staff.request", code=tracking), code=303)
