"""The organisation form and the owner's invitation form. The service does the validation (the same
rules for the CLI and tests); a form carries the fields, the CSRF token and the service's messages."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.widgets import html_params

from gi_registry import vocab
from gi_registry.i18n.content import label, lang_attr, region_name
from gi_registry.models import Producer, Region

# Form field → service field, where the names differ (the form speaks plainly for scripted checks).
SERVICE_NAMES = {"name": "name_zh", "region": "region_code"}
TEXT_FIELDS = (
    "name",
    "credit_code",
    "kind",
    "region",
    "address",
    "phone",
    "website",
    "description",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class CountySelect:
    """The region <select>: counties grouped by prefecture, each name marked with its language (a
    county without an English name stays Chinese on an English page). ``field.prefectures`` holds
    the prefectures with their counties."""

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        chosen = field.data or ""
        parts = [Markup("<select %s>") % Markup(html_params(name=field.name, **kwargs))]
        parts.append(Markup('<option value="">%s</option>') % gettext("请选择"))
        for prefecture in getattr(field, "prefectures", []):
            name = region_name(prefecture)
            parts.append(Markup('<optgroup label="%s"%s>') % (name, lang_attr(name)))
            for county in prefecture.children:
                parts.append(option(county, county.code == chosen))
            parts.append(Markup("</optgroup>"))
        parts.append(Markup("</select>"))
        return Markup("").join(parts)


def option(region: Region, selected: bool) -> Markup:
    name = region_name(region)
    attributes = lang_attr(name) + (Markup(" selected") if selected else Markup(""))
    return Markup('<option value="%s"%s>%s</option>') % (region.code, attributes, escape(name))


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("名称"),
        description=_l("与营业执照上的名称一致。"),
        render_kw={"maxlength": 128, "autocomplete": "organization"},
    )
    credit_code = StringField(
        _l("统一社会信用代码"),
        description=_l("18 位，见营业执照。"),
        render_kw={"maxlength": 24, "autocapitalize": "characters", "spellcheck": "false"},
    )
    # validate_choice off: an unknown value gets the service's message, not WTForms' English.
    kind = SelectField(_l("主体类型"), validate_choice=False)
    region = SelectField(
        _l("所在地区"),
        description=_l("经营主体登记所在的县、县级市或区。"),
        validate_choice=False,
        widget=CountySelect(),
    )
    address = StringField(_l("地址（公开）"), render_kw={"maxlength": 300})
    phone = StringField(_l("公开电话（选填）"), render_kw={"maxlength": 64})
    website = StringField(
        _l("网站（选填）"), render_kw={"maxlength": 300, "placeholder": "https://"}
    )
    description = TextAreaField(_l("简介"), render_kw={"rows": 5, "maxlength": 20000})
    contact_name = StringField(
        _l("联系人"),
        description=_l("联系人、联系电话和联系邮箱只提供给登记中心工作人员，不会公开。"),
        render_kw={"maxlength": 64, "autocomplete": "name"},
    )
    contact_phone = StringField(
        _l("联系电话"), render_kw={"maxlength": 64, "autocomplete": "tel", "type": "tel"}
    )
    contact_email = StringField(
        _l("联系邮箱（选填）"),
        render_kw={"maxlength": 254, "autocomplete": "email", "type": "email"},
    )
    licence = FileField(
        _l("营业执照"),
        description=_l("营业执照的照片或扫描件（JPEG、PNG 或 WebP），仅供工作人员审核，不会公开。"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    version = HiddenField()
    submit = SubmitField(_l("提交"))

    def offer_choices(self, prefectures: list[Region]) -> None:
        self.kind.choices = [("", _l("请选择"))] + [
            (code, label("PRODUCER_KINDS", code)) for code in vocab.PRODUCER_KINDS
        ]
        self.region.choices = []  # drawn by CountySelect; the service checks the value
        self.region.prefectures = prefectures

    def for_editing(self) -> None:
        self.licence.description = _l("如需更换，请上传新的营业执照照片；不上传则保留原文件。")

    def fill_from(self, producer: Producer) -> None:
        for name in TEXT_FIELDS:
            getattr(self, name).data = getattr(producer, SERVICE_NAMES.get(name, name))
        self.version.data = str(producer.version)

    def service_data(self) -> dict[str, str]:
        return {
            SERVICE_NAMES.get(name, name): getattr(self, name).data or "" for name in TEXT_FIELDS
        }

    def licence_bytes(self) -> bytes | None:
        upload = self.licence.data
        return upload.read() if upload else None

    def expected_version(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """The service's messages, each under its field; any other under the form as a whole."""
        form_names = {service: form for form, service in SERVICE_NAMES.items()}
        for name, message in errors.items():
            field = getattr(self, form_names.get(name, name), None)
            if field is not None and name != "version":
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class InviteForm(FlaskForm):
    email = StringField(
        _l("电子邮箱"),
        description=_l(
            "对方用这个邮箱注册并登录后，打开邀请链接即可加入。链接 7 天内有效，只能使用一次。"
        ),
        render_kw={"maxlength": 254, "type": "email", "autocomplete": "off"},
    )
    submit = SubmitField(_l("生成邀请"))


class ConfirmForm(FlaskForm):
    """A POST-only button (remove, revoke, accept) still carries the CSRF token."""

    submit = SubmitField(_l("确认"))
