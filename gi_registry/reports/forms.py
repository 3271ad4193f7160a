"""The report form and the staff's forms. The services validate (the same rules for every caller);
the forms carry the fields, the CSRF token, and the services' messages back to the page."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    MultipleFileField,
    StringField,
    SubmitField,
    TextAreaField,
)

from gi_registry.services.reports import ANSWER_MAX, DESCRIPTION_MAX, EVIDENCE_MAX, NOTE_MAX

IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"
TEXT_FIELDS = ("product", "seller", "location", "description", "reporter_name", "reporter_contact")


class ServiceForm(FlaskForm):
    def show_errors(self, errors: Mapping[str, str]) -> None:
        """The service's messages, each under its field; any other under the form as a whole."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is not None and field.type not in ("HiddenField", "CSRFTokenField"):
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class ReportForm(ServiceForm):
    product = StringField(
        _l("产品"),
        description=_l("从列表中选择地理标志产品，或直接填写包装上的产品名称。"),
        render_kw={"maxlength": 200, "list": "gi-products", "autocomplete": "off"},
    )
    seller = StringField(
        _l("销售者或店铺"),
        description=_l("店铺、网店或生产者的名称；知道统一社会信用代码的，请一并填写。"),
        render_kw={"maxlength": 300},
    )
    location = StringField(
        _l("发现地点"),
        description=_l("商店或市场的地址，或网店商品页面的网址。"),
        render_kw={"maxlength": 500},
    )
    description = TextAreaField(
        _l("情况描述"),
        description=_l(
            "您看到了什么：包装上的标志或名称、购买日期、价格等（10 至 %(n)s 字）。",
            n=DESCRIPTION_MAX,
        ),
        render_kw={"rows": 6, "maxlength": DESCRIPTION_MAX},
    )
    evidence = MultipleFileField(
        _l("证据照片（选填）"),
        description=_l(
            "产品包装、专用标志、价签或网页截图，最多 %(n)s 张（JPEG、PNG、WebP 或 GIF）。"
            "照片只提供给工作人员，不会公开。",
            n=EVIDENCE_MAX,
        ),
        render_kw={"accept": IMAGE_TYPES},
    )
    reporter_name = StringField(
        _l("您的姓名（选填）"), render_kw={"maxlength": 100, "autocomplete": "name"}
    )
    reporter_contact = StringField(
        _l("联系方式（选填）"),
        description=_l(
            "手机号、带区号的固定电话或电子邮箱，仅供工作人员核实情况时联系您，不会公开。"
        ),
        render_kw={"maxlength": 254},
    )
    submit = SubmitField(_l("提交举报"))

    def service_data(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in TEXT_FIELDS}

    def photos(self) -> list[bytes]:
        """The uploaded files' bytes; the empty part a browser sends for "no file" left out."""
        uploads = self.evidence.data or []
        return [data for data in (u.read() for u in uploads if hasattr(u, "read")) if data]


class NoteForm(ServiceForm):
    note = TextAreaField(_l("内部备注"), render_kw={"rows": 3, "maxlength": NOTE_MAX})
    submit = SubmitField(_l("添加备注"))


class StatusForm(ServiceForm):
    status = HiddenField()
    version = HiddenField()
    public_answer = TextAreaField(
        _l("公开答复"),
        description=_l("举报人在进度页面上看到的答复；不要写入举报人的联系方式或内部信息。"),
        render_kw={"rows": 4, "maxlength": ANSWER_MAX},
    )
    submit = SubmitField(_l("更改状态"))


class LinkForm(ServiceForm):
    product = StringField(
        _l("地理标志产品"),
        description=_l("产品标识（slug）；留空则取消关联。"),
        render_kw={"maxlength": 80, "list": "gi-products"},
    )
    producer = StringField(
        _l("经营主体"),
        description=_l("经营主体的标识（slug）或统一社会信用代码；留空则取消关联。"),
        render_kw={"maxlength": 80},
    )
    version = HiddenField()
    submit = SubmitField(_l("保存关联"))


def version_of(form: StatusForm | LinkForm) -> int | None:
    value = form.version.data or ""
    return int(value) if value.isdigit() else None
