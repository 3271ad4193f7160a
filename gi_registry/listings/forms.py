"""The listing form and the lifecycle buttons. The service validates (the same rules for the
importer and the CLI); the form carries the fields, the CSRF token, and the service's messages back
to the page in its language."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext, pgettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    HiddenField,
    MultipleFileField,
    StringField,
    SubmitField,
    TextAreaField,
)

from gi_registry.i18n.content import label, own_lang
from gi_registry.i18n.messages import N_, translate_message
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.listing_rules import GINameError, TransitionError
from gi_registry.services.listings import EDITABLE

MAX_PHOTOS = 8

# The form's names where the record's differ.
FORM_NAMES = {"region_code": "region"}
RECORD_NAMES = {form: record for record, form in FORM_NAMES.items()}
FIELDS = tuple(FORM_NAMES.get(name, name) for name in EDITABLE)

# Messages of the listing rules below the web layer, for the catalogue (shown through gettext).
N_("产品和类别至少填写一项")
N_("最高价不能低于最低价")
N_("结束日期早于开始日期（available_from）")
N_("请填写未通过的原因")
N_("该记录已被他人修改，未保存您的更改。请刷新后查看最新内容再修改。")


class ListingForm(FlaskForm):
    """Plain text fields: the pickers are drawn by the template, and every value is checked by
    the service, so an unknown product or region gets its message rather than WTForms' English."""

    kind = StringField(_l("类型"))
    product = StringField(_l("地理标志产品"))
    category = StringField(_l("产品类别"))
    title = StringField(_l("标题"), render_kw={"maxlength": 120})
    description = TextAreaField(_l("详细说明"), render_kw={"rows": 6, "maxlength": 20000})
    quantity = StringField(_l("数量"), render_kw={"inputmode": "decimal"})
    unit = StringField(_l("数量单位"), render_kw={"maxlength": 16})
    price_min = StringField(_l("最低价"), render_kw={"inputmode": "decimal"})
    price_max = StringField(_l("最高价"), render_kw={"inputmode": "decimal"})
    price_unit = StringField(_l("价格单位"), render_kw={"maxlength": 16})
    region = StringField(_l("产地或交货地"))
    available_from = StringField(_l("供应期开始"), render_kw={"type": "date"})
    available_to = StringField(_l("供应期结束"), render_kw={"type": "date"})
    photos = MultipleFileField(_l("照片"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    version = HiddenField()
    save = SubmitField(_l("保存"))

    def service_data(self) -> dict[str, str | None]:
        """The record's fields, by the record's names; an empty choice is no value."""
        data: dict[str, str | None] = {}
        for name in FIELDS:
            value = (getattr(self, name).data or "").strip()
            data[RECORD_NAMES.get(name, name)] = value or None
        for name in ("description", "unit", "price_unit", "title"):
            data[name] = data[name] or ""
        return data

    def expected_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def show_error(self, error: ServiceError) -> None:
        """The service's refusal under the field it names, in the page's language."""
        if isinstance(error, ValidationError):
            for name, message in error.errors.items():
                self.show_field_error(name, service_message(error, message))
        else:
            self.form_errors.append(service_message(error, error.message))

    def show_field_error(self, name: str, message: str) -> None:
        field = getattr(self, FORM_NAMES.get(name, name), None)
        if field is not None and field.name in (*FIELDS, "photos"):
            field.errors = [*field.errors, message]
        else:
            self.form_errors.append(message)


class ActionForm(FlaskForm):
    """The buttons that change a listing's status: only the CSRF token and the version shown."""

    version = HiddenField()


def service_message(error: ServiceError, message: str) -> str:
    """A service's Chinese sentence in the page's language."""
    if isinstance(error, GINameError):
        return gi_name_text(error.product_name, error.problem, error.day)
    if isinstance(error, TransitionError):
        return transition_text(error)
    translated = gettext(message)
    return translated if translated != message else translate_message(message)


def gi_name_text(name: str, problem: str, day) -> str:
    lacks = {
        "none": lambda: gettext("没有该产品的地理标志专用标志使用授权"),
        "expired": lambda: (
            gettext("该产品的专用标志使用授权已于 %(day)s 到期", day=day.isoformat())
            if day
            else gettext("该产品的专用标志使用授权已过期")
        ),
        "not_yet": lambda: gettext(
            "该产品的专用标志使用授权自 %(day)s 起才生效", day=day.isoformat()
        ),
        "suspended": lambda: gettext("该产品的专用标志使用授权已暂停使用"),
        "revoked": lambda: gettext("该产品的专用标志使用授权已撤销"),
    }[problem]()
    # Markup: the product's Chinese name is marked as Chinese inside an English sentence.
    return Markup(
        gettext(
            "“%(name)s”是受保护的地理标志产品名称：本经营主体%(lacks)s，供应信息不能使用该名称。",
            name=own_lang(name),
            lacks=escape(lacks),
        )
    )


def transition_text(error: TransitionError) -> str:
    action = ACTION_TEXT[error.action]()
    if error.ended is not None:
        return gettext(
            "供应期已于 %(day)s 结束，不能%(action)s", day=error.ended.isoformat(), action=action
        )
    return gettext(
        "%(status)s状态的供需信息不能%(action)s",
        status=label("LISTING_STATUSES", error.status),
        action=action,
    )


ACTION_TEXT = {
    "edit": lambda: pgettext("listing action", "修改"),
    "submit": lambda: pgettext("listing action", "提交"),
    "approve": lambda: pgettext("listing action", "通过审核"),
    "reject": lambda: pgettext("listing action", "退回"),
    "close": lambda: pgettext("listing action", "关闭"),
    "delete": lambda: pgettext("listing action", "删除"),
    "expire": lambda: pgettext("listing action", "标记过期"),
}


def field_errors(errors: Mapping[str, str]) -> dict[str, str]:
    return {FORM_NAMES.get(name, name): message for name, message in errors.items()}
