"""Forms for editing registry records in the staff area: brands, categories and registry producers.

Each message names its field in the page's language; the services check the rules again (the
importer and the CLI call them directly) and their messages are shown under the field they name.
"""

from __future__ import annotations

import re
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from gi_registry import vocab
from gi_registry.i18n.content import CHINESE_TAG, display_name, label, needs_chinese_mark
from gi_registry.organisations.forms import OrganisationForm
from gi_registry.staff.forms import posted_version

SLUGS = re.compile(r"[\s,，、;；]+")
BLANK_SOURCES = 1  # empty rows offered below a record's sources, for adding one


def slug_list(text: str | None) -> list[str]:
    """Slugs typed one per line (or separated by commas), without repeats, in the order typed."""
    return list(dict.fromkeys(s for s in SLUGS.split(text or "") if s))


def vocab_choices(table: str, codes=None) -> list[tuple[str, str]]:
    return [(code, label(table, code)) for code in (codes or getattr(vocab, table))]


def record_choice(value: str, record) -> tuple[str, str, dict]:
    """A record as a choice: its name in the page's language, marked Chinese where it stays so."""
    text = display_name(record)
    return value, text, {"lang": CHINESE_TAG} if needs_chinese_mark(text) else {}


class OfferedChoice:
    """A select whose value must be one of its choices, with our message rather than WTForms'."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data not in {choice[0] for choice in field.choices}:
            raise ValidationError(self.message)


class VersionedForm(FlaskForm):
    """An edit form sends back the row version it showed, so a concurrent save is noticed."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        return posted_version(self.version.data)


class SourceForm(Form):
    """One source of a record (where the facts come from); a row left empty is dropped."""

    title = StringField(_l("来源标题"), render_kw={"maxlength": 300})
    url = StringField(_l("网址"), render_kw={"maxlength": 1000, "placeholder": "https://"})
    confidence = SelectField(_l("可信度"), validate_choice=False)
    note = StringField(_l("备注"), render_kw={"maxlength": 2000})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confidence.choices = vocab_choices("SOURCE_CONFIDENCE")

    def is_blank(self) -> bool:
        return not ((self.title.data or "").strip() or (self.url.data or "").strip())


class SourcesMixin:
    """The ``sources`` field of a form: rows of title, web address, confidence and note."""

    def validate_sources(self, field) -> None:
        for number, row in enumerate(field.entries, 1):
            if row.form.is_blank():
                continue
            if not (row.form.title.data or "").strip():
                raise ValidationError(_l("来源：第 %(n)d 条请填写标题", n=number))
            if row.form.confidence.data not in vocab.SOURCE_CONFIDENCE:
                raise ValidationError(_l("来源：第 %(n)d 条请选择可信度", n=number))

    def sources_data(self) -> list[dict]:
        return [
            {
                "title": row.form.title.data.strip(),
                "url": (row.form.url.data or "").strip() or None,
                "confidence": row.form.confidence.data,
                "note": (row.form.note.data or "").strip() or None,
            }
            for row in self.sources.entries
            if not row.form.is_blank()
        ]

    def fill_sources(self, sources: list[dict]) -> None:
        while self.sources.entries:
            self.sources.pop_entry()
        for source in [*sources, *({} for _ in range(BLANK_SOURCES))]:
            self.sources.append_entry(
                {
                    "title": source.get("title") or "",
                    "url": source.get("url") or "",
                    "confidence": source.get("confidence") or "official",
                    "note": source.get("note") or "",
                }
            )


class BrandForm(SourcesMixin, VersionedForm):
    """Every field of a brand in the interchange format (services.schema.BRAND_FIELDS)."""

    name_zh = StringField(
        _l("中文名称"),
        validators=[
            DataRequired(message=_l("中文名称：请填写品牌的中文名称")),
            Length(max=64, message=_l("中文名称：最多 %(max)d 字", max=64)),
        ],
        render_kw={"maxlength": 64},
    )
    name_en = StringField(
        _l("英文名称"),
        validators=[Length(max=128, message=_l("英文名称：最多 %(max)d 个字符", max=128))],
        render_kw={"maxlength": 128, "lang": "en"},
    )
    slug = StringField(
        _l("网址标识"),
        description=_l("小写字母、数字和连字符；留空则按名称的拼音生成。创建后不能修改。"),
        render_kw={"maxlength": 80, "spellcheck": "false", "autocapitalize": "none"},
    )
    kind = SelectField(
        _l("品牌类型"),
        validate_choice=False,
        validators=[OfferedChoice(_l("品牌类型：请选择一项"))],
    )
    parent = SelectField(
        _l("所属区域公用品牌"),
        description=_l("成员品牌隶属的区域公用品牌（伞品牌）；没有则留空。"),
        validate_choice=False,
        validators=[OfferedChoice(_l("所属区域公用品牌：请从列表中选择"))],
    )
    trademark_number = StringField(
        _l("商标注册号"),
        validators=[Length(max=64, message=_l("商标注册号：最多 %(max)d 个字符", max=64))],
        render_kw={"maxlength": 64},
    )
    description = TextAreaField(
        _l("简介"),
        validators=[Length(max=50_000, message=_l("简介：最多 %(max)d 字", max=50_000))],
        render_kw={"rows": 6},
    )
    products = TextAreaField(
        _l("关联的地理标志产品"),
        description=_l("每行一个产品的网址标识，例如 meihe-dami。"),
        render_kw={"rows": 3, "spellcheck": "false"},
    )
    producers = TextAreaField(
        _l("关联的经营主体"),
        description=_l("每行一个经营主体的网址标识。"),
        render_kw={"rows": 3, "spellcheck": "false"},
    )
    sources = FieldList(FormField(SourceForm), label=_l("来源"))
    status = SelectField(
        _l("状态"),
        description=_l("草稿不公开；归档请用下方的“归档”按钮。"),
        validate_choice=False,
        validators=[OfferedChoice(_l("状态：请选择一项"))],
    )
    submit = SubmitField(_l("保存"))


class ArchiveForm(VersionedForm):
    """Archive or bring back a record (a POST-only button with the version it showed)."""

    submit = SubmitField(_l("确认"))


class CategoryForm(FlaskForm):
    """Add a category, or rename one (its code stays: records and links use it)."""

    code = StringField(
        _l("代码"),
        description=_l("小写英文字母、数字或下划线，例如 fruit。添加后不能修改。"),
        render_kw={"maxlength": 32, "spellcheck": "false", "autocapitalize": "none"},
    )
    name_zh = StringField(
        _l("中文名称"),
        validators=[
            DataRequired(message=_l("中文名称：请填写类别的中文名称")),
            Length(max=32, message=_l("中文名称：最多 %(max)d 字", max=32)),
        ],
        render_kw={"maxlength": 32},
    )
    name_en = StringField(
        _l("英文名称"),
        validators=[
            DataRequired(message=_l("英文名称：请填写类别的英文名称")),
            Length(max=64, message=_l("英文名称：最多 %(max)d 个字符", max=64)),
        ],
        render_kw={"maxlength": 64, "lang": "en"},
    )
    version = HiddenField()
    submit = SubmitField(_l("保存"))


class CategoryMoveForm(FlaskForm):
    """Move a category up or down the list (the order of filters and facets), or remove it."""

    version = HiddenField()
    up = SubmitField(_l("上移"))
    down = SubmitField(_l("下移"))
    remove = SubmitField(_l("删除"))


class ProducerForm(OrganisationForm):
    """A producer's public registry fields; the contacts and the licence stay the portal's."""

    contact_name = contact_phone = contact_email = licence = None
    field_names: ClassVar[dict[str, str]] = {"name_zh": "name", "region_code": "region"}
    verified = BooleanField(
        _l("已核验身份"),
        description=_l("登记中心已核实该经营主体的身份（例如依据营业执照或公开登记信息）。"),
    )
    submit = SubmitField(_l("保存"))

    def fill_from(self, producer) -> None:
        for name in (*PRODUCER_TEXT, "verified"):
            self[self.field_names.get(name, name)].data = getattr(producer, name)
        self.version.data = str(producer.version)

    def service_data(self) -> dict:
        data = {
            service: self[self.field_names.get(service, service)].data for service in PRODUCER_TEXT
        }
        return {name: value or "" for name, value in data.items()} | {
            "verified": bool(self.verified.data)
        }


PRODUCER_TEXT = (
    "name_zh",
    "credit_code",
    "kind",
    "region_code",
    "address",
    "phone",
    "website",
    "description",
)
