"""The staff area's forms. Each message names its field in the page's language; the services check
the rules again (the CLI and tests call them directly)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from gi_registry.services.listing_rules import REASON_MAX as LISTING_REASON_MAX
from gi_registry.services.organisations import REASON_MAX as ORGANISATION_REASON_MAX
from gi_registry.services.stations import ANSWER_MAX
from gi_registry.services.trace import REASON_MAX as RECALL_REASON_MAX


def posted_version(raw: object) -> int | None:
    """The row version a form's hidden field sent back, or None when it holds no number (a new
    record's form, or a kind without versions). Every staff form reads its version here."""
    value = raw.strip() if isinstance(raw, str) else ""
    return int(value) if value.isdigit() else None


class DecisionForm(FlaskForm):
    """Verify, reject or suspend an organisation; rejecting and suspending need a reason."""

    # validate_choice off: a decision that is not offered gets our message, not WTForms' English.
    decision = RadioField(_l("决定"), validate_choice=False)
    reason = TextAreaField(
        _l("原因"),
        description=_l("退回或暂停时必填，经营主体的成员会看到。"),
        validators=[
            Length(
                max=ORGANISATION_REASON_MAX,
                message=_l("原因：最多 %(max)d 字", max=ORGANISATION_REASON_MAX),
            )
        ],
        render_kw={"rows": 3, "maxlength": ORGANISATION_REASON_MAX},
    )
    submit = SubmitField(_l("提交决定"))

    def validate_decision(self, field) -> None:
        if field.data not in {value for value, _label in self.decision.choices}:
            raise ValidationError(_l("决定：请选择一项"))

    def validate_reason(self, field) -> None:
        if self.decision.data in ("reject", "suspend") and not (field.data or "").strip():
            raise ValidationError(_l("原因：退回或暂停时请写明原因"))


class BulkListingsForm(FlaskForm):
    """The review queue: the chosen listings, and approve or reject them with one reason."""

    selected = SelectMultipleField(_l("选择"), validate_choice=False)
    reason = TextAreaField(
        _l("未通过的原因"),
        description=_l("退回所选信息时必填，发布者会看到。"),
        validators=[
            Length(
                max=LISTING_REASON_MAX,
                message=_l("未通过的原因：最多 %(max)d 字", max=LISTING_REASON_MAX),
            )
        ],
        render_kw={"rows": 2, "maxlength": LISTING_REASON_MAX},
    )
    approve = SubmitField(_l("通过所选"))
    reject = SubmitField(_l("退回所选"))

    def validate_selected(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("选择：请至少勾选一条信息"))

    def validate_reason(self, field) -> None:
        if self.reject.data and not (field.data or "").strip():
            raise ValidationError(_l("未通过的原因：退回所选信息时请写明原因"))


class RecallForm(FlaskForm):
    reason = TextAreaField(
        _l("召回原因"),
        description=_l("扫码页面会向消费者显示召回原因。"),
        validators=[
            DataRequired(message=_l("召回原因：请填写召回原因")),
            Length(
                max=RECALL_REASON_MAX,
                message=_l("召回原因：最多 %(max)d 字", max=RECALL_REASON_MAX),
            ),
        ],
        render_kw={"rows": 3, "maxlength": RECALL_REASON_MAX},
    )
    submit = SubmitField(_l("召回该批次"))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("指派给"), validate_choice=False)
    submit = SubmitField(_l("指派"))

    def validate_assignee(self, field) -> None:
        if field.data not in {value for value, _label in self.assignee.choices}:
            raise ValidationError(_l("指派给：请选择一位工作人员"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("答复"),
        description=_l("答复会显示在咨询人的查询页面上。"),
        validators=[
            DataRequired(message=_l("答复：请填写答复内容")),
            Length(max=ANSWER_MAX, message=_l("答复：最多 %(max)d 字", max=ANSWER_MAX)),
        ],
        render_kw={"rows": 8, "maxlength": ANSWER_MAX},
    )
    submit = SubmitField(_l("发送答复"))


class ConfirmForm(FlaskForm):
    """A POST-only button (close a request) still carries the CSRF token."""

    submit = SubmitField(_l("办结"))


class RestoreForm(FlaskForm):
    """Restore an earlier version: the record's version as the confirmation page showed it."""

    version = HiddenField()
    confirm = SubmitField(_l("确认恢复"))

    def expected_version(self) -> int | None:
        return posted_version(self.version.data)
