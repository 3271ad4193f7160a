"""The organisation's pages in the portal: create, view, edit, the licence, members and invitations.

Every page here depends on the signed-in user, so none is cached (``private, no-store``) or indexed.
An organisation is always the visitor's own: there is no URL naming another one, except the staff
variant of the licence.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.accounts.access import is_staff, require_member, signed_in_user, staff_required
from gi_registry.accounts.mail import send_mail
from gi_registry.caching import exempt
from gi_registry.extensions import db
from gi_registry.i18n.messages import translate_message
from gi_registry.links import absolute_url
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, Producer, Region, now_utc
from gi_registry.organisations.forms import ConfirmForm, InviteForm, OrganisationForm
from gi_registry.services import memberships
from gi_registry.services.errors import NotFoundError, ServiceError, ValidationError
from gi_registry.services.organisations import create_organisation, update_organisation
from gi_registry.services.unit import unit_of_work

bp = Blueprint("organisations", __name__, url_prefix="/portal")


@bp.after_request
def private(response):
    """Pages about one's own organisation: never stored by a cache, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def own_organisation() -> Producer:
    """The signed-in user's organisation; a user without one is sent to create one (404 here)."""
    user = signed_in_user()
    return require_member(user.producer)


@bp.route("/organisation/new", methods=["GET", "POST"])
@exempt
@login_required
def create():
    user = signed_in_user()
    if user.producer_id is not None:
        return redirect(url_for("organisations.show"))
    if is_staff(user):
        abort(403)
    form = OrganisationForm()
    form.offer_choices(prefectures())
    status = 200
    if form.is_submitted():
        status = save(
            form,
            lambda work: create_organisation(work, user, form.service_data(), form.licence_bytes()),
        )
        if status is None:
            flash(_("经营主体已提交，登记中心工作人员审核后即可发布供应信息。"), "success")
            return redirect(url_for("organisations.show"), code=303)
    return make_response(render_template("organisations/form.html", form=form), status)


def save(form: OrganisationForm, write) -> int | None:
    """Validate the form (CSRF), run ``write`` in one unit of work, and put the service's messages
    on the form. None when saved, else the status to answer with."""
    if not form.validate():
        return 422
    try:
        with unit_of_work(user=signed_in_user()) as work:
            write(work)
    except ValidationError as error:
        form.show_errors({name: translate_message(m) for name, m in error.errors.items()})
        return 422
    except ServiceError as error:
        form.form_errors.append(translate_message(error.message))
        return 409
    return None


@bp.route("/organisation")
@exempt
@login_required
def show():
    user = signed_in_user()
    if user.producer_id is None:
        return redirect(url_for("organisations.create"))
    producer = own_organisation()
    return render_template(
        "organisations/show.html",
        producer=producer,
        members=memberships.members(producer),
        authorizations=authorizations(producer),
        today=local_today(),
        is_owner=user.member_role == "owner",
    )


@bp.route("/organisation/edit", methods=["GET", "POST"])
@exempt
@login_required
def edit():
    producer = own_organisation()
    form = OrganisationForm()
    form.offer_choices(prefectures())
    form.for_editing()
    status = 200
    if not form.is_submitted():
        form.fill_from(producer)
    else:
        status = save(
            form,
            lambda work: update_organisation(
                work,
                producer,
                form.service_data(),
                form.licence_bytes(),
                expected_version=form.expected_version(),
            ),
        )
        if status is None:
            flash(_("已保存。"), "success")
            return redirect(url_for("organisations.show"), code=303)
    page = render_template("organisations/form.html", form=form, producer=producer)
    return make_response(page, status)


@bp.route("/organisation/licence")
@exempt
@login_required
def licence():
    return send_licence(own_organisation())


@bp.route("/organisations/<slug:slug>/licence")
@exempt
@staff_required
def staff_licence(slug: str):
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
    return send_licence(producer or abort(404))


def send_licence(producer: Producer):
    if not producer.licence_file:
        abort(404)
    root = Path(current_app.config["PRIVATE_MEDIA_ROOT"]).resolve()
    path = (root / producer.licence_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    # A few hundred KB, read whole: no conditional answers or ranges for a private file.
    response = make_response(path.read_bytes())
    response.mimetype = "image/jpeg"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/organisation/members", methods=["GET", "POST"])
@exempt
@login_required
def members():
    user = signed_in_user()
    producer = own_organisation()
    if user.member_role != "owner":
        abort(403)
    form = InviteForm()
    status, link = 200, None
    if form.validate_on_submit():
        try:
            with unit_of_work(user=user) as work:
                invitation, token = memberships.invite(work, user, form.email.data or "")
                address = invitation.email
        except ValidationError as error:
            form.email.errors = [translate_message(m) for m in error.errors.values()]
            status = 422
        except ServiceError as error:
            form.form_errors.append(translate_message(error.message))
            status = 409
        else:
            link = absolute_url("organisations.invitation", token=token)
            # Mailed (or logged without MAIL_SERVER), and shown to the owner this once to pass on.
            send_invitation(address, producer, link)
            form = InviteForm(formdata=None)
    elif form.is_submitted():
        status = 422
    page = render_template(
        "organisations/members.html",
        producer=producer,
        members=memberships.members(producer),
        invitations=memberships.open_invitations(producer),
        form=form,
        confirm=ConfirmForm(),
        link=link,
        me=user,
    )
    return make_response(page, status)


def send_invitation(address: str, producer: Producer, link: str) -> None:
    days = memberships.INVITATION_LIFETIME.days
    body = "\n\n".join(
        [
            _("您好："),
            _(
                "%(name)s 邀请您加入其在吉林地理标志网站的经营主体账户。请用本邮箱注册并登录后，"
                "在 %(days)s 天内打开下面的链接接受邀请，链接只能使用一次：",
                name=producer.name_zh,
                days=days,
            ),
            link,
            _("如果您不认识该经营主体，请忽略这封邮件。"),
        ]
    )
    send_mail(address, _("加入经营主体的邀请 · 吉林地理标志"), body)


@bp.route("/organisation/members/<int:user_id>/remove", methods=["POST"])
@exempt
@login_required
def remove_member(user_id: int):
    return owner_action(lambda work, owner: memberships.remove_member(work, owner, user_id))


@bp.route("/organisation/invitations/<int:invitation_id>/revoke", methods=["POST"])
@exempt
@login_required
def revoke_invitation(invitation_id: int):
    return owner_action(lambda work, owner: memberships.revoke(work, owner, invitation_id))


def owner_action(action):
    """A POST button of the members page: the owner only (403 for members), CSRF checked."""
    user = signed_in_user()
    own_organisation()
    if user.member_role != "owner":
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work(user=user) as work:
            action(work, user)
    except NotFoundError:
        abort(404)  # another organisation's member or invitation: not even its existence
    except ServiceError as error:
        flash(translate_message(error.message), "error")
    else:
        flash(_("已完成。"), "success")
    return redirect(url_for("organisations.members"), code=303)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@exempt
@login_required
def invitation(token: str):
    user = signed_in_user()
    found = memberships.find_invitation(token)
    problem = memberships.invitation_problem(found, user)
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        try:
            with unit_of_work(user=user) as work:
                memberships.accept(work, user, token)
        except ServiceError as error:
            problem = error.message
        else:
            flash(_("您已加入该经营主体。"), "success")
            return redirect(url_for("organisations.show"), code=303)
    page = render_template(
        "organisations/invitation.html",
        invitation=found if problem is None else None,
        problem=translate_message(problem) if problem else None,
        form=form,
    )
    response = make_response(page, invitation_status(found, problem))
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


def invitation_status(found, problem: str | None) -> int:
    """200 to accept; 404 for an unknown token, 410 for a spent or expired one, else 403."""
    if problem is None:
        return 200
    if found is None:
        return 404
    return 410 if found.accepted_at is not None or found.expires_at <= now_utc() else 403


def prefectures() -> list[Region]:
    """The home province's prefectures with their counties (two statements)."""
    home = current_app.config["HOME_REGION_CODE"]
    query = (
        select(Region)
        .where(Region.parent_code == home)
        .options(selectinload(Region.children))
        .order_by(Region.code)
    )
    return list(db.session.scalars(query))


def authorizations(producer: Producer) -> list[Authorization]:
    query = (
        select(Authorization)
        .where(Authorization.producer_id == producer.id)
        .options(selectinload(Authorization.product))
        .order_by(Authorization.id)
    )
    return list(db.session.scalars(query))
