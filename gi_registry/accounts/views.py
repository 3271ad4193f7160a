"""Sign in, register, sign out, and reset a forgotten password.

Every page here reads the session (a CSRF token, the signed-in user), so none is stored by the
answer cache; they are also ``no-store`` so that a shared cache never keeps a form with a token.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from gi_registry.accounts import bp
from gi_registry.accounts.forms import ForgotForm, LoginForm, LogoutForm, RegisterForm, ResetForm
from gi_registry.accounts.mail import send_mail_soon
from gi_registry.accounts.tokens import reset_token, user_for_token
from gi_registry.caching import exempt
from gi_registry.i18n.views import local_path
from gi_registry.links import absolute_url
from gi_registry.localtime import local_datetime
from gi_registry.services.accounts import (
    BAD_CREDENTIALS,
    DEACTIVATED,
    DISPLAY_NAME_MAX,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    AccountError,
    Throttle,
    attempt_login,
    find_user,
    register_user,
    set_password,
)
from gi_registry.services.errors import ServiceError
from gi_registry.services.unit import unit_of_work


def private(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    # A reset link's token must not leave in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def after_login(target: str | None) -> str:
    """Where to go once signed in: ``next`` if it is a path on this site, else the dashboard."""
    path = local_path(target)
    return path if target and path == target else url_for("portal.dashboard")


def throttle() -> Throttle:
    config = current_app.config
    return Throttle(
        max_failures=int(config["LOGIN_MAX_FAILURES"]),
        window=timedelta(seconds=int(config["LOGIN_FAILURE_WINDOW"])),
        lockout=timedelta(seconds=int(config["LOGIN_LOCKOUT"])),
    )


def start_session(user) -> None:
    """A fresh session for the signed-in user: nothing from before the login survives, so a session
    id (or CSRF token) planted before it is useless after it."""
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@exempt
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work(actor="login") as work:
                attempt = attempt_login(work, form.email.data, form.password.data, throttle())
        except ServiceError:
            form.form_errors.append(_("登录繁忙，请稍后重试。"))
            status = 503
        else:
            if attempt.user is not None:
                start_session(attempt.user)
                return redirect(after_login(form.next.data), code=303)
            form.form_errors.append(refusal_message(attempt))
            status = 429 if attempt.retry_at else 403 if attempt.refusal == DEACTIVATED else 401
    elif request.method == "POST":
        status = 422
    response = private(render_template("accounts/login.html", form=form), status)
    if status == 429:
        response.headers["Retry-After"] = str(int(current_app.config["LOGIN_LOCKOUT"]))
    return response


def refusal_message(attempt) -> str:
    if attempt.retry_at is not None:
        when = local_datetime(attempt.retry_at)
        return _("登录失败次数过多，该账户暂时不能登录。请在 %(when)s 之后再试。", when=when)
    if attempt.refusal == BAD_CREDENTIALS:
        return _("邮箱或密码不正确。")
    return _("该账户已停用，请联系管理员。")


@bp.route("/register", methods=["GET", "POST"])
@exempt
def register():
    if current_user.is_authenticated:
        return redirect(url_for("portal.dashboard"), code=303)
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work(actor="register") as work:
                user = register_user(
                    work, form.email.data, form.password.data, form.display_name.data or ""
                )
        except AccountError as error:
            form.form_errors.append(account_message(error))
            status = 422
        else:
            start_session(user)
            flash(_("注册成功，欢迎！"), "success")
            return redirect(url_for("portal.dashboard"), code=303)
    elif request.method == "POST":
        status = 422
    return private(render_template("accounts/register.html", form=form), status)


def account_message(error: AccountError) -> str:
    """The service's refusal in the page's language."""
    messages = {
        "email": lambda: _("请填写有效的电子邮箱地址。"),
        # Registration has to say so; the form is CSRF-bound, so it is no bulk oracle.
        "taken": lambda: _("该邮箱已被注册。忘记密码可以重设。"),
        "short": lambda: _("密码至少 %(n)s 个字符。", n=MIN_PASSWORD_LENGTH),
        "long": lambda: _("密码最多 %(n)s 个字符。", n=MAX_PASSWORD_LENGTH),
        "name": lambda: _("显示名称最多 %(n)s 个字符。", n=DISPLAY_NAME_MAX),
    }
    word = messages.get(error.reason)
    return word() if word else error.message


@bp.route("/logout", methods=["POST"])
@exempt
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return private(_("请求已过期，请返回重试。"), 400)
    logout_user()
    session.clear()
    return redirect(url_for("catalog.home"), code=303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@exempt
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active:
            send_reset_mail(user)
        # The same answer whether or not the address has an account.
        return private(render_template("accounts/forgot_sent.html"))
    status = 422 if request.method == "POST" else 200
    return private(render_template("accounts/forgot.html", form=form), status)


def send_reset_mail(user) -> None:
    hours = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) / 3600
    link = absolute_url("accounts.reset_password", token=reset_token(user))
    body = "\n\n".join(
        [
            _("您好："),
            _(
                "有人（希望是您本人）申请重设您在吉林地理标志网站的账户密码。"
                "请在 %(hours)s 小时内打开下面的链接设置新密码，链接只能使用一次：",
                hours=f"{hours:g}",
            ),
            link,
            _("如果不是您本人申请，请忽略这封邮件，您的密码不会改变。"),
        ]
    )
    send_mail_soon(user.email, _("重设您的密码 · 吉林地理标志"), body)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@exempt
def reset_password(token: str):
    user = user_for_token(token)
    if user is None:
        return private(render_template("accounts/reset_invalid.html"), 404)
    form = ResetForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work(user=user) as work:
                set_password(work, user, form.password.data)
        except AccountError as error:
            form.form_errors.append(account_message(error))
            status = 422
        else:
            logout_user()
            session.clear()
            flash(_("密码已重设，请用新密码登录。"), "success")
            return redirect(url_for("accounts.login"), code=303)
    elif request.method == "POST":
        status = 422
    return private(render_template("accounts/reset.html", form=form, token=token), status)
