"""The public guidance request form. The service does the validation (the same rules for every
caller); the form carries the fields, the CSRF token, and the service's messages back to the page."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from gi_registry.i18n.content import label
from gi_registry.services.stations import QUESTION_MAX


class GuidanceForm(FlaskForm):
    # validate_choice off: an unknown topic gets the service's Chinese message, not WTForms' English.
    topic = SelectField(_l("咨询事项"), validate_choice=False)
    question = TextAreaField(
        _l("问题描述"),
        description=_l("请写清您的产品、所在地和想了解的事项（10 至 %(n)s 字）。", n=QUESTION_MAX),
        render_kw={"rows": 6, "maxlength": QUESTION_MAX},
    )
    requester_name = StringField(_l("姓名"), render_kw={"maxlength": 100, "autocomplete": "name"})
    organisation = StringField(
        _l("单位（选填）"), render_kw={"maxlength": 200, "autocomplete": "organization"}
    )
    contact = StringField(
        _l("联系方式"),
        description=_l("手机号、带区号的固定电话或电子邮箱，仅供指导站联系您，不会公开。"),
        render_kw={"maxlength": 254},
    )
    submit = SubmitField(_l("提交咨询"))

    def offer_topics(self, topics: list[str]) -> None:
        self.topic.choices = [(code, label("GUIDANCE_TOPICS", code)) for code in topics]

    def service_data(self) -> dict[str, str]:
        return {
            name: getattr(self, name).data or ""
            for name in ("topic", "question", "requester_name", "organisation", "contact")
        }

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """The service's messages, each under its field; any other under the form as a whole."""
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None and name in self.service_data():
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)
