"""Users and roles (用户与角色) for admins: accounts by e-mail, and one account's role and whether
it may sign in. A blueprint inside the staff area: the area's own check (staff or admin) runs
first, then this area's one more, ``admins_only``; staff get 403 on every page here."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import ValidationError

from gi_registry import vocab
from gi_registry.accounts.access import refuse_non_admin, signed_in_user
from gi_registry.caching import exempt
from gi_registry.extensions import db
from gi_registry.i18n.content import label
from gi_registry.i18n.messages import N_
from gi_registry.models import User
from gi_registry.services.accounts import change_account, search_users
from gi_registry.staff.common import act, show_errors

bp = Blueprint("users", __name__, url_prefix="/users")

N_("只有管理员可以修改用户的角色或启用状态。")
N_("不能修改自己的角色，也不能停用自己的账户。")
N_("这是最后一位启用的管理员，不能降级或停用。")
N_("角色：请选择一项")


@bp.before_request
def admins_only():
    """The area's one admin check (after the staff area's own): everyone else gets 403."""
    return refuse_non_admin()


class AccountForm(FlaskForm):
    role = SelectField(_l("角色"), validate_choice=False)
    active = BooleanField(_l("启用（可以登录）"))
    submit = SubmitField(_l("保存"))

    def validate_role(self, field) -> None:
        if field.data not in vocab.USER_ROLES:
            raise ValidationError(_l("角色：请选择一项"))


@bp.route("")
@exempt
def index():
    text = request.args.get("q", "")
    return render_template("staff/users.html", users=search_users(text), q=text)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@exempt
def user(user_id: int):
    account = db.session.get(User, user_id) or abort(404)
    form = AccountForm(obj=None if request.method == "POST" else account)
    form.role.choices = [(code, label("USER_ROLES", code)) for code in vocab.USER_ROLES]
    yourself = account.id == signed_in_user().id
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            role, active = form.role.data, bool(form.active.data)
            _done, errors = act(
                lambda work: change_account(
                    work, signed_in_user(), user_id, role=role, active=active
                )
            )
            if not errors:
                flash(_("已保存。"), "success")
                return redirect(url_for("staff.users.user", user_id=user_id), code=303)
            show_errors(form, errors)
            status = 409
    page = render_template("staff/user.html", account=account, form=form, yourself=yourself)
    return make_response(page, status)
