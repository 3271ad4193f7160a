"""The batch form. The service validates (the same rules for the form and any other caller); the
form carries the fields, the CSRF token, and the service's messages back to the page."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from gi_registry.i18n.content import CHINESE_TAG, needs_chinese_mark
from gi_registry.services.trace import BATCH_CODE_MAX, NOTES_MAX, UNIT_MAX

FIELDS = ("product", "batch_code", "quantity", "unit", "produced_on", "notes", "gtin")


class BatchForm(FlaskForm):
    # validate_choice off: a product not offered gets the service's message naming what it lacks.
    product = SelectField(_l("地理标志产品名称"), validate_choice=False)
    batch_code = StringField(
        _l("批次号"),
        description=_l(
            "您自己的生产批号，最多 %(n)s 个字符：英文字母、数字和 - . / _ 等符号。",
            n=BATCH_CODE_MAX,
        ),
        render_kw={"maxlength": BATCH_CODE_MAX, "autocomplete": "off", "spellcheck": "false"},
    )
    quantity = StringField(_l("数量（选填）"), render_kw={"inputmode": "decimal"})
    unit = StringField(
        _l("计量单位"), description=_l("例如 吨、千克、箱"), render_kw={"maxlength": UNIT_MAX}
    )
    produced_on = StringField(_l("生产或采收日期"), render_kw={"type": "date"})
    notes = TextAreaField(_l("备注（选填）"), render_kw={"rows": 3, "maxlength": NOTES_MAX})
    gtin = StringField(
        _l("商品条码 GTIN（选填）"),
        description=_l("包装上 8、12、13 或 14 位的商品条码。填写后，标签使用 GS1 数字链接格式。"),
        render_kw={"inputmode": "numeric", "maxlength": 20, "autocomplete": "off"},
    )
    submit = SubmitField(_l("创建批次"))

    def offer_products(self, choices: list[tuple[str, str]]) -> None:
        """(slug, name) pairs; a Chinese name on an English page is marked as Chinese."""
        marked = [
            (slug, label, {"lang": CHINESE_TAG} if needs_chinese_mark(label) else {})
            for slug, label in choices
        ]
        self.product.choices = [("", _l("请选择"), {}), *marked]

    def service_data(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in FIELDS}

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """The service's messages, each under its field; any other under the form as a whole."""
        for name, message in errors.items():
            if name in FIELDS:
                field = getattr(self, name)
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)
