"""Asking about a listing, the list of my threads, and one thread with its messages.

Every page here is the signed-in user's own: ``@exempt`` from the answer store and ``no-store``.
A thread answers 404 to anyone who is neither its asker nor a member of the listing's organisation.
"""

from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from gi_registry.accounts.access import signed_in_user
from gi_registry.caching import exempt
from gi_registry.inquiries import bp
from gi_registry.inquiries.forms import AskForm, ContactForm, ReplyForm
from gi_registry.inquiries.people import asker_name, contact_of
from gi_registry.localtime import local_datetime
from gi_registry.services.errors import ServiceError
from gi_registry.services.inquiries import (
    BODY_MAX,
    BODY_MIN,
    RATE_WINDOW,
    InquiryError,
    InquiryLimits,
    ask,
    askable_listing,
    mark_read,
    reply,
    show_contact,
    side_of,
    thread_for,
    threads_of,
    visible_thread,
)
from gi_registry.services.unit import unit_of_work


@bp.app_template_filter("local_moment")
def local_moment(value) -> str:
    """A stored UTC moment as people in the registry's time zone read it."""
    return local_datetime(value) if value else ""


def private(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    if status == 429:
        response.headers["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
    return response


def limits() -> InquiryLimits:
    config = current_app.config
    return InquiryLimits(
        messages_per_hour=int(config["INQUIRY_MESSAGES_PER_HOUR"]),
        threads_per_hour=int(config["INQUIRY_THREADS_PER_HOUR"]),
    )


def refusal(error: ServiceError) -> tuple[str, int]:
    """The service's refusal in the page's language, with its status."""
    reason = getattr(error, "reason", "")
    config = current_app.config
    if reason == "body":
        return _("留言请写 %(min)s 至 %(max)s 个字。", min=BODY_MIN, max=BODY_MAX), 422
    if reason == "messages":
        n = int(config["INQUIRY_MESSAGES_PER_HOUR"])
        return _("您在 1 小时内已发送 %(n)s 条咨询留言，请稍后再试。", n=n), 429
    if reason == "threads":
        n = int(config["INQUIRY_THREADS_PER_HOUR"])
        return _("您在 1 小时内已发起 %(n)s 个新咨询，请稍后再试。", n=n), 429
    if reason == "own":
        return _("这是您所在主体发布的信息，不能向自己咨询。"), 403
    return _("咨询发送繁忙，请稍后重试。"), 503


@bp.route("/listings/<slug:slug>/ask", methods=["GET", "POST"])
@exempt
@login_required
def ask_about(slug: str):
    user = signed_in_user()
    listing = askable_listing(slug) or abort(404)
    existing = thread_for(listing, user)
    if existing is not None and request.method == "GET":
        return redirect(url_for("inquiries.thread", thread_id=existing.id), code=303)
    form = AskForm()
    status = 200
    own = user.producer_id is not None and user.producer_id == listing.producer_id
    if own:
        form.form_errors.append(refusal(InquiryError("", "own"))[0])
        status = 403
    elif form.validate_on_submit():
        try:
            with unit_of_work(user=user) as work:
                thread = ask(
                    work,
                    user,
                    listing,
                    form.body.data,
                    limits(),
                    show_contact=form.show_contact.data or None,
                )
                thread_id = thread.id
        except ServiceError as error:
            message, status = refusal(error)
            form.body.errors = [*form.body.errors, message]
        else:
            return redirect(url_for("inquiries.thread", thread_id=thread_id), code=303)
    elif request.method == "POST":
        status = 422
    page = render_template("inquiries/ask.html", listing=listing, form=form, own=own)
    return private(page, status)


@bp.route("/portal/inquiries")
@exempt
@login_required
def threads():
    user = signed_in_user()
    return private(render_template("inquiries/list.html", summaries=threads_of(user)))


def my_thread(thread_id: int):
    """The signed-in user and the thread, if they are one of its sides; 404 otherwise."""
    user = signed_in_user()
    return user, visible_thread(user, thread_id) or abort(404)


@bp.route("/portal/inquiries/<int:thread_id>", methods=["GET", "POST"])
@exempt
@login_required
def thread(thread_id: int):
    user, found = my_thread(thread_id)
    form = ReplyForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work(user=user) as work:
                reply(work, user, found, form.body.data, limits())
        except ServiceError as error:
            message, status = refusal(error)
            form.body.errors = [*form.body.errors, message]
        else:
            return redirect(url_for("inquiries.thread", thread_id=thread_id, _anchor="reply"), 303)
    elif request.method == "POST":
        status = 422
    else:
        with unit_of_work(user=user) as work:
            mark_read(work, user, found)
    return private(render_thread(user, found, form), status)


def render_thread(user, found, form) -> str:
    side = side_of(user, found)
    other = "owner" if side == "asker" else "asker"
    return render_template(
        "inquiries/thread.html",
        thread=found,
        form=form,
        contact_form=ContactForm(),
        side=side,
        showing=getattr(found, f"{side}_shows_contact"),
        other_contact=contact_of(found, other)
        if getattr(found, f"{other}_shows_contact")
        else None,
        asker_name=asker_name(found),
    )


@bp.route("/portal/inquiries/<int:thread_id>/contact", methods=["POST"])
@exempt
@login_required
def contact(thread_id: int):
    user, found = my_thread(thread_id)
    form = ContactForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(user=user) as work:
        show_contact(work, user, found, form.show.data == "1")
    return redirect(url_for("inquiries.thread", thread_id=thread_id), code=303)
