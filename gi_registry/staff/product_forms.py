"""The GI product form (地理标志产品) and its repeatable rows: protections and sources.

The rows work without JavaScript: the form shows the stored rows and one empty row more, an "add a
row" button sends the form back with another empty row, and a row is removed by ticking its box.
Blank rows are left out. The form checks what it can name plainly; ``save_product`` checks the rest,
and ``row_messages`` puts its messages back on the row they are about ("保护 第 2 行：编号：…").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name, lang_attr, region_name
from gi_registry.models import Category, Region
from gi_registry.services.media import ALT_MAX
from gi_registry.staff.common import say

EXTRA_ROWS = 1  # empty rows shown below the stored ones
MAX_ROWS = 50  # rows a form accepts in each group; more is not a person typing
ALIAS_SPLIT = re.compile(r"[\n、,，;；]+")

# Field label of each row field, as messages name them.
PROTECTION_LABELS = {
    "kind": _l("类型"),
    "authority": _l("批准机关"),
    "number": _l("公告号或注册号"),
    "applied_on": _l("申请日期"),
    "approved_on": _l("批准日期"),
    "status": _l("保护状态"),
    "holder": _l("注册人或申请人"),
    "source_url": _l("来源网址"),
    "note": _l("备注"),
}
SOURCE_LABELS = {
    "title": _l("来源标题"),
    "url": _l("网址"),
    "confidence": _l("可信度"),
    "note": _l("备注"),
}
GROUPS = {"protections": PROTECTION_LABELS, "sources": SOURCE_LABELS}
FIELD_LABELS = {
    "slug": _l("标识"),
    "name_zh": _l("中文名称"),
    "name_en": _l("英文名称"),
    "aliases": _l("别名"),
    "category": _l("类别"),
    "region_codes": _l("保护地域"),
    "summary": _l("摘要"),
    "description": _l("介绍"),
    "scope": _l("地域范围"),
    "quality_requirements": _l("质量技术要求"),
    "programmes": _l("项目与荣誉"),
    "status": _l("状态"),
}


def choices(table: dict[str, str], blank: bool = True) -> list[tuple[str, str]]:
    return ([("", gettext("请选择"))] if blank else []) + [
        (code, gettext(text)) for code, text in table.items()
    ]


class ProtectionRow(Form):
    """One legal protection. The number stays empty when no source prints one."""

    kind = SelectField(PROTECTION_LABELS["kind"], validate_choice=False)
    status = SelectField(PROTECTION_LABELS["status"], validate_choice=False)
    number = StringField(
        PROTECTION_LABELS["number"],
        description=_l("照原文填写；没有公开编号时留空，不要编造。"),
        render_kw={"maxlength": 200},
    )
    authority = StringField(PROTECTION_LABELS["authority"], render_kw={"maxlength": 200})
    holder = StringField(PROTECTION_LABELS["holder"], render_kw={"maxlength": 200})
    applied_on = StringField(
        PROTECTION_LABELS["applied_on"], render_kw={"placeholder": "YYYY-MM-DD", "maxlength": 10}
    )
    approved_on = StringField(
        PROTECTION_LABELS["approved_on"], render_kw={"placeholder": "YYYY-MM-DD", "maxlength": 10}
    )
    source_url = StringField(
        PROTECTION_LABELS["source_url"], render_kw={"placeholder": "https://", "maxlength": 1000}
    )
    note = TextAreaField(PROTECTION_LABELS["note"], render_kw={"rows": 2, "maxlength": 2000})
    remove = BooleanField(_l("删除此行"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocab.PROTECTION_KINDS)
        self.status.choices = choices(vocab.PROTECTION_STATUSES)

    REQUIRED = ("kind", "status")


class SourceRow(Form):
    """Where a fact on the page comes from."""

    title = StringField(SOURCE_LABELS["title"], render_kw={"maxlength": 300})
    url = StringField(SOURCE_LABELS["url"], render_kw={"placeholder": "https://"})
    confidence = SelectField(SOURCE_LABELS["confidence"], validate_choice=False)
    note = TextAreaField(SOURCE_LABELS["note"], render_kw={"rows": 2, "maxlength": 2000})
    remove = BooleanField(_l("删除此行"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confidence.choices = choices(vocab.SOURCE_CONFIDENCE)

    REQUIRED = ("title", "confidence")


class RegionPicker:
    """The protected area: Jilin's prefectures, each a <details> of checkboxes for it and its
    counties, open where something is chosen. Codes elsewhere go in the text field below it."""

    def __call__(self, field, **kwargs) -> Markup:
        chosen = set(field.data or [])
        parts = [Markup('<div class="region-picker" id="%s">') % field.id]
        for prefecture in getattr(field, "prefectures", []):
            members = [prefecture, *prefecture.children]
            opened = any(region.code in chosen for region in members)
            name = region_name(prefecture)
            parts.append(
                Markup("<details%s><summary%s>%s</summary><ul>")
                % (Markup(" open") if opened else Markup(""), lang_attr(name), name)
            )
            for region in members:
                parts.append(checkbox(field.name, region, region.code in chosen))
            parts.append(Markup("</ul></details>"))
        parts.append(Markup("</div>"))
        return Markup("").join(parts)


def checkbox(name: str, region: Region, checked: bool) -> Markup:
    label = region_name(region)
    return Markup(
        '<li><label><input type="checkbox" name="%s" value="%s"%s> <span%s>%s</span> '
        '<span class="mono">%s</span></label></li>'
    ) % (
        name,
        region.code,
        Markup(" checked") if checked else Markup(""),
        lang_attr(label),
        escape(label),
        region.code,
    )


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProductForm(FlaskForm):
    """Every field of a product in the interchange format (docs/data-format.md)."""

    version = HiddenField()
    slug = StringField(
        FIELD_LABELS["slug"],
        description=_l("网址中的名字：小写字母、数字和连字符，如 meihe-dami。保存后不能修改。"),
        render_kw={"maxlength": 80, "spellcheck": "false", "autocapitalize": "none"},
    )
    name_zh = StringField(
        FIELD_LABELS["name_zh"],
        validators=[
            InputRequired(message=_l("中文名称：不能为空")),
            Length(max=64, message=_l("中文名称：最多 %(max)d 字", max=64)),
        ],
        description=_l("拼音和首字母由中文名称自动生成。"),
        render_kw={"maxlength": 64},
    )
    name_en = StringField(
        FIELD_LABELS["name_en"],
        validators=[Length(max=128, message=_l("英文名称：最多 %(max)d 字", max=128))],
        render_kw={"maxlength": 128, "lang": "en"},
    )
    aliases = TextAreaField(
        FIELD_LABELS["aliases"],
        description=_l("每行一个。"),
        render_kw={"rows": 2},
    )
    category = SelectField(FIELD_LABELS["category"], validate_choice=False)
    region_codes = SelectMultipleField(
        FIELD_LABELS["region_codes"],
        description=_l("勾选产品受保护的地域（可多选）。"),
        validate_choice=False,
        widget=RegionPicker(),
    )
    other_regions = StringField(
        _l("其他行政区划代码"),
        description=_l("吉林省以外的地域：6 位代码，多个用逗号或空格分开。"),
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    summary = TextAreaField(
        FIELD_LABELS["summary"],
        validators=[Length(max=500, message=_l("摘要：最多 %(max)d 字", max=500))],
        render_kw={"rows": 2, "maxlength": 500},
    )
    description = TextAreaField(
        FIELD_LABELS["description"],
        description=_l("可用 Markdown。"),
        validators=[Length(max=50_000, message=_l("介绍：最多 %(max)d 字", max=50_000))],
        render_kw={"rows": 8},
    )
    scope = TextAreaField(
        FIELD_LABELS["scope"],
        validators=[Length(max=5000, message=_l("地域范围：最多 %(max)d 字", max=5000))],
        render_kw={"rows": 3},
    )
    quality_requirements = TextAreaField(
        FIELD_LABELS["quality_requirements"],
        validators=[Length(max=10_000, message=_l("质量技术要求：最多 %(max)d 字", max=10_000))],
        render_kw={"rows": 4},
    )
    programmes = MultiCheckbox(FIELD_LABELS["programmes"], validate_choice=False)
    status = SelectField(FIELD_LABELS["status"], validate_choice=False)
    # Rows are read back by the numbers the page sent (protections-3-kind): a gap is no matter.
    protections = FieldList(FormField(ProtectionRow), max_entries=MAX_ROWS)
    sources = FieldList(FormField(SourceRow), max_entries=MAX_ROWS)
    add_protection = SubmitField(_l("增加一行保护"))
    add_source = SubmitField(_l("增加一行来源"))
    submit = SubmitField(_l("保存"))

    def __init__(self, *args, archived: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", gettext("请选择"))] + [
            (c.code, display_name(c)) for c in categories()
        ]
        self.programmes.choices = choices(vocab.PROGRAMMES, blank=False)
        statuses = ("draft", "published", "archived") if archived else ("draft", "published")
        self.status.choices = [(s, gettext(vocab.PRODUCT_STATUSES[s])) for s in statuses]

    def validate_category(self, field) -> None:
        if field.data not in {code for code, _label in self.category.choices if code}:
            raise ValidationError(_l("类别：请选择一项"))

    def validate_status(self, field) -> None:
        if field.data not in {code for code, _label in self.status.choices}:
            raise ValidationError(_l("状态：请选择一项"))

    def validate_programmes(self, field) -> None:
        if set(field.data or []) - set(vocab.PROGRAMMES):
            raise ValidationError(_l("项目与荣誉：请从列表中选择"))

    def validate_other_regions(self, field) -> None:
        codes = region_codes_in(field.data)
        bad = [code for code in codes if not re.fullmatch(r"[0-9]{6}", code)]
        if bad:
            raise ValidationError(
                _l("其他行政区划代码：%(codes)s 不是 6 位数字", codes=gettext("、").join(bad))
            )

    def validate_region_codes(self, field) -> None:
        if not (field.data or region_codes_in(self.other_regions.data)):
            raise ValidationError(_l("保护地域：请至少选择一个地域"))


class ImageUploadForm(FlaskForm):
    images = MultipleFileField(
        _l("上传图片"),
        description=_l("JPEG、PNG、WebP 或 GIF，可一次选择多张；图片会被检查并重新编码。"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    alt = StringField(
        _l("图片说明"),
        description=_l("描述图片内容，供读屏软件朗读（替代文字）。"),
        validators=[Length(max=ALT_MAX, message=_l("图片说明：最多 %(max)d 字", max=ALT_MAX))],
        render_kw={"maxlength": ALT_MAX},
    )
    version = HiddenField()
    upload = SubmitField(_l("上传"))

    def validate_images(self, field) -> None:
        if not [f for f in field.data or [] if getattr(f, "filename", "")]:
            raise ValidationError(_l("上传图片：请选择一张图片"))


class ImageActionForm(FlaskForm):
    """Move, make the cover or remove one picture; ``version`` is the product's."""

    version = HiddenField()
    up = SubmitField(_l("上移"))
    down = SubmitField(_l("下移"))
    cover = SubmitField(_l("设为封面"))
    remove = SubmitField(_l("移除"))


class ArchiveForm(FlaskForm):
    version = HiddenField()
    archive = SubmitField(_l("归档"))
    restore = SubmitField(_l("恢复为草稿"))


def kept_rows(rows: FieldList) -> list[tuple[int, Form]]:
    """(number shown, row) for each row to save: not ticked for removal, not left blank."""
    return [
        (number, entry.form)
        for number, entry in enumerate(rows.entries, start=1)
        if not entry.form.remove.data and not is_blank(entry.form)
    ]


def is_blank(row: Form) -> bool:
    return not any(
        isinstance(field.data, str) and field.data.strip()
        for field in row
        if field.short_name != "remove"
    )


def row_record(row: Form) -> dict:
    """A row in the interchange format's terms: text trimmed, empty optional text left out (null)."""
    record = {}
    for field in row:
        if field.short_name == "remove":
            continue
        value = (field.data or "").strip()
        record[field.short_name] = value if value or field.short_name in row.REQUIRED else None
    return record


def check_rows(form: ProductForm) -> list[str]:
    """Required choices and titles of the kept rows, as named messages on their fields."""
    problems = []
    for group in GROUPS:
        for number, row in kept_rows(form[group]):
            for name in row.REQUIRED:
                if not (row[name].data or "").strip():
                    message = row_message(group, number, name, "不能为空")
                    row[name].errors = [*row[name].errors, message]
                    problems.append(message)
    return problems


def product_record(form: ProductForm, slug: str) -> dict:
    """The whole record for ``save_product`` from a form that validated."""
    data = {name: (form[name].data or "").strip() for name in TEXT_FIELDS}
    return data | {
        "slug": slug,
        "name_en": data["name_en"] or None,
        "aliases": unique(aliases_in(form.aliases.data)),
        "category": form.category.data,
        "region_codes": sorted(
            set(form.region_codes.data or []) | set(region_codes_in(form.other_regions.data))
        ),
        "protections": [row_record(row) for _n, row in kept_rows(form.protections)],
        "programmes": [code for code in vocab.PROGRAMMES if code in (form.programmes.data or [])],
        "sources": [row_record(row) for _n, row in kept_rows(form.sources)],
        "status": form.status.data,
    }


TEXT_FIELDS = ("name_zh", "name_en", "summary", "description", "scope", "quality_requirements")
ROW_KEY = re.compile(r"(protections|sources)\[(\d+)\](?:\.(\w+))?")


def place_errors(form: ProductForm, errors: dict[str, str]) -> list[str]:
    """Put the service's messages (``protections[1].number``) on the field they name, with the row
    number as the page shows it. Returns every message, for the summary above the form."""
    problems = []
    kept = {group: kept_rows(form[group]) for group in GROUPS}
    for key, problem in errors.items():
        match = ROW_KEY.fullmatch(key)
        if match and int(match.group(2)) < len(kept[match.group(1)]):
            group, name = match.group(1), match.group(3) or ""
            number, row = kept[group][int(match.group(2))]
            message = row_message(group, number, name, problem)
            target = row[name] if name in row._fields else None
        else:
            name = key.split("[")[0].split(".")[0]
            message = field_message(name, problem) if key else problem
            target = form[name] if name in FIELD_LABELS and name in form._fields else None
        if target is not None:
            target.errors = [*target.errors, message]
        problems.append(message)
    return problems


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.code)))


def region_codes_in(text: str | None) -> list[str]:
    return [code for code in re.split(r"[\s,，、;；]+", text or "") if code]


def aliases_in(text: str | None) -> list[str]:
    return [alias.strip() for alias in ALIAS_SPLIT.split(text or "") if alias.strip()]


def row_message(group: str, number: int, name: str, problem: str) -> str:
    """ "保护 第 2 行：编号：不能为空", in the page's language."""
    label = GROUPS[group].get(name, name)
    values = {"n": number, "label": label, "problem": say(problem)}
    if group == "protections":
        return gettext("保护 第 %(n)s 行：%(label)s：%(problem)s", **values)
    return gettext("来源 第 %(n)s 行：%(label)s：%(problem)s", **values)


def field_message(name: str, problem: str) -> str:
    if name in FIELD_LABELS:
        return gettext("%(label)s：%(problem)s", label=FIELD_LABELS[name], problem=say(problem))
    return say(problem)


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
