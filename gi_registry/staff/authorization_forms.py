"""Forms of the authorisations' pages: grant, change (renew, suspend, reinstate, revoke) and the
label sheet. Each message names its field in the page's language; the services check again."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from gi_registry.i18n.messages import N_
from gi_registry.services.authorizations import REASON_MAX

# The services' messages, for the catalogue (shown through staff.common.say).
N_("原因：请写明原因")
N_("经营主体：找不到该经营主体")
N_("经营主体：只有已核准且状态正常的经营主体可以获得授权")
N_("地理标志产品：找不到该产品或已归档")
N_("地理标志产品：该经营主体已有此产品的授权，请在授权页面续期或修改")
N_("有效期至：请填写有效期的最后一天")
N_("新的有效期至：请填写日期（年-月-日）")
N_("新的有效期至：应晚于当前的有效期至")
N_("该授权当前的状态下不能续期")
N_("该授权当前的状态下不能暂停")
N_("该授权当前的状态下不能恢复")
N_("该授权当前的状态下不能撤销")


def is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class GrantForm(FlaskForm):
    producer = StringField(
        _l("经营主体"),
        description=_l("经营主体的标识（网址中的名称）或统一社会信用代码；须已核准。"),
        render_kw={"maxlength": 80, "autocomplete": "off"},
    )
    product = SelectField(_l("地理标志产品"), validate_choice=False)
    valid_from = StringField(_l("有效期自"), render_kw={"type": "date"})
    valid_to = StringField(_l("有效期至"), render_kw={"type": "date"})
    number = StringField(
        _l("授权编号"),
        description=_l("只填写知识产权局核发的编号；尚未核发时留空，系统不会自拟编号。"),
        validators=[Length(max=64, message=_l("授权编号：最多 %(max)d 个字符", max=64))],
        render_kw={"maxlength": 64},
    )
    submit = SubmitField(_l("授予"))

    def validate_producer(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("经营主体：请填写经营主体"))

    def validate_product(self, field) -> None:
        if field.data not in {value for value, _label in self.product.choices}:
            raise ValidationError(_l("地理标志产品：请选择一项"))

    def validate_valid_from(self, field) -> None:
        if not is_date(field.data or ""):
            raise ValidationError(_l("有效期自：请填写日期（年-月-日）"))

    def validate_valid_to(self, field) -> None:
        if not is_date(field.data or ""):
            raise ValidationError(_l("有效期至：请填写日期（年-月-日）"))
        if is_date(self.valid_from.data or "") and field.data < self.valid_from.data:
            raise ValidationError(_l("有效期至：不能早于有效期自"))


class ChangeForm(FlaskForm):
    """One of the actions the status allows, with a reason (and a new last day to renew)."""

    action = RadioField(_l("操作"), validate_choice=False)
    valid_to = StringField(
        _l("新的有效期至"), description=_l("续期时填写。"), render_kw={"type": "date"}
    )
    reason = TextAreaField(
        _l("原因"),
        description=_l("必填，记入修改历史。"),
        validators=[
            Length(max=REASON_MAX, message=_l("原因：最多 %(max)d 字", max=REASON_MAX)),
        ],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )
    version = HiddenField()
    submit = SubmitField(_l("提交"))

    def validate_action(self, field) -> None:
        if field.data not in {value for value, _label in self.action.choices}:
            raise ValidationError(_l("操作：请选择一项"))

    def validate_reason(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("原因：请写明原因"))

    def validate_valid_to(self, field) -> None:
        if self.action.data == "renew" and not is_date(field.data or ""):
            raise ValidationError(_l("新的有效期至：请填写日期（年-月-日）"))
