"""The inquiry forms: a message (with the contact choice when asking) and the contact switch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField

from gi_registry.services.inquiries import BODY_MAX

SHOW_CONTACT_HINT = _l("勾选后，对方可以看到您的电子邮箱和电话；不勾选则只能通过站内咨询联系。")


class AskForm(FlaskForm):
    body = TextAreaField(
        _l("留言"),
        description=_l("写清您想了解的数量、规格、价格或交货方式（最多 %(n)s 字）。", n=BODY_MAX),
        render_kw={"rows": 6, "maxlength": BODY_MAX},
    )
    show_contact = BooleanField(_l("向对方显示我的联系方式"), description=SHOW_CONTACT_HINT)
    submit = SubmitField(_l("发送咨询"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("回复"), render_kw={"rows": 4, "maxlength": BODY_MAX})
    submit = SubmitField(_l("发送"))


class ContactForm(FlaskForm):
    show = HiddenField()
    submit = SubmitField()
