"""The account forms. Field names are part of the contract: scripted checks fill ``email`` and
``password`` on /login. The services check the rules; WTForms only checks that a field is there."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from gi_registry.services.accounts import DISPLAY_NAME_MAX, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

EMAIL_ATTRS = {"maxlength": 254, "autocomplete": "email", "inputmode": "email"}
NEW_PASSWORD_HINT = _l("至少 %(n)s 个字符。", n=MIN_PASSWORD_LENGTH)


def required(label):
    return InputRequired(message=_l("请填写%(label)s。", label=label))


class LoginForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), [required(_l("电子邮箱"))], render_kw=EMAIL_ATTRS)
    password = PasswordField(
        _l("密码"),
        [required(_l("密码"))],
        render_kw={"maxlength": MAX_PASSWORD_LENGTH, "autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("登录"))


def new_password_fields():
    password = PasswordField(
        _l("密码"),
        [required(_l("密码"))],
        description=NEW_PASSWORD_HINT,
        render_kw={"maxlength": MAX_PASSWORD_LENGTH, "autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("确认密码"),
        [
            required(_l("确认密码")),
            EqualTo("password", message=_l("两次输入的密码不一致。")),
        ],
        render_kw={"maxlength": MAX_PASSWORD_LENGTH, "autocomplete": "new-password"},
    )
    return password, confirm


class RegisterForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), [required(_l("电子邮箱"))], render_kw=EMAIL_ATTRS)
    display_name = StringField(
        _l("显示名称"),
        [
            Length(
                max=DISPLAY_NAME_MAX, message=_l("显示名称最多 %(n)s 个字符。", n=DISPLAY_NAME_MAX)
            )
        ],
        description=_l("对方在咨询中看到的称呼，例如“张经理”。"),
        render_kw={"maxlength": DISPLAY_NAME_MAX, "autocomplete": "name"},
    )
    password, confirm = new_password_fields()
    submit = SubmitField(_l("注册"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), [required(_l("电子邮箱"))], render_kw=EMAIL_ATTRS)
    submit = SubmitField(_l("发送重设链接"))


class ResetForm(FlaskForm):
    password, confirm = new_password_fields()
    submit = SubmitField(_l("设置新密码"))


class LogoutForm(FlaskForm):
    """No fields: the button carries the CSRF token, so no other site can sign a visitor out."""

    submit = SubmitField(_l("退出登录"))
