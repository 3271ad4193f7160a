"""Forms of the promotion content (宣传内容): stories, events, their publication, and the home page's
featured slots. Each message names its field in the page's language; ``services.promotion`` checks
the rules again (the importer and the CLI call it directly)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.validators import ValidationError as FieldInvalid

from gi_registry import vocab
from gi_registry.organisations.forms import CountySelect
from gi_registry.services.fields import SLUG_RE
from gi_registry.services.media import ALT_MAX

# <input type="datetime-local"> in the province's time; drawn with the first, read with any.
LOCAL_MOMENT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
RESERVED_SLUGS = {"new"}  # /staff/stories/new is the form for a new one


class Moment(DateTimeLocalField):
    """A local date and time whose refusal names the field in the page's language."""

    def __init__(self, label, **options):
        super().__init__(label, format=LOCAL_MOMENT, validators=[Optional()], **options)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            message = gettext("%(label)s：时间格式应为 YYYY-MM-DD HH:MM", label=self.label.text)
            raise ValueError(message) from None


class Whole(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            message = gettext("%(label)s：请填写 0 到 10000 之间的整数", label=self.label.text)
            raise ValueError(message) from None


class Day(DateField):
    def __init__(self, label, **options):
        super().__init__(label, validators=[Optional()], **options)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            message = gettext("%(label)s：日期格式应为 YYYY-MM-DD", label=self.label.text)
            raise ValueError(message) from None


def longest(label, limit: int) -> Length:
    return Length(max=limit, message=_l("%(label)s：最多 %(max)d 字", label=label, max=limit))


def text(label, limit: int, *, required: bool = False, rows: int = 0, **options):
    """A text field whose messages name it; ``rows`` makes it a textarea."""
    checks = [DataRequired(message=_l("%(label)s：不能为空", label=label))] if required else []
    render = {"maxlength": limit, **({"rows": rows} if rows else {})}
    kind = TextAreaField if rows else StringField
    return kind(label, validators=[*checks, longest(label, limit)], render_kw=render, **options)


def parse_sources(text_value: str) -> list[dict]:
    """One source a line: ``标题 | 网址 | 可信度 | 说明`` (all but the title may be left out; the
    confidence is then "weak", to be checked)."""
    sources = []
    for line in (text_value or "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not any(parts):
            continue
        parts += [""] * (4 - len(parts))
        title, url, confidence, note = parts[0], parts[1], parts[2] or "weak", "|".join(parts[3:])
        sources.append(
            {"title": title, "url": url or None, "confidence": confidence, "note": note or None}
        )
    return sources


def format_sources(sources: list[dict]) -> str:
    lines = []
    for source in sources or []:
        parts = [source.get(k) or "" for k in ("title", "url", "confidence", "note")]
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def offered(field) -> set[str]:
    """The values a select offers: ``choices`` a list, or a dict of groups; 2- or 3-tuples."""
    groups = field.choices.values() if isinstance(field.choices, dict) else [field.choices]
    return {choice[0] for group in groups for choice in group}


class ContentForm(FlaskForm):
    """What stories and events share: address, titles, summary, Markdown body, sources."""

    version = HiddenField()
    slug = StringField(
        _l("网址标识"),
        description=_l("小写字母、数字和连字符，如 meihe-dami-story；保存后不能再改。"),
        validators=[
            DataRequired(message=_l("网址标识：不能为空")),
            Regexp(
                SLUG_RE,
                message=_l("网址标识：只能用小写字母、数字和连字符，2 至 80 个字符"),
            ),
            Length(min=2, max=80, message=_l("网址标识：2 至 80 个字符")),
        ],
        render_kw={"maxlength": 80, "spellcheck": "false", "autocapitalize": "none"},
    )
    title_zh = text(_l("标题（中文）"), 200, required=True)
    title_en = text(_l("标题（英文，选填）"), 300)
    summary_zh = text(_l("摘要（中文）"), 1000, rows=3)
    summary_en = text(_l("摘要（英文，选填）"), 2000, rows=3)
    body_zh = text(
        _l("正文（中文，Markdown）"),
        100_000,
        rows=16,
        description=_l(
            "Markdown：### 小标题、**粗体**、[链接文字](https://…)、- 列表。不支持 HTML，脚本会被去掉。"
        ),
    )
    body_en = text(_l("正文（英文，Markdown，选填）"), 100_000, rows=8)
    sources = text(
        _l("来源"),
        20_000,
        rows=3,
        description=_l(
            "每行一条：标题 | 网址 | 可信度（official 官方、press 媒体、weak 待核实）| 说明"
        ),
    )
    preview = SubmitField(_l("预览"))
    save = SubmitField(_l("保存"))

    is_new = False

    def validate_slug(self, field) -> None:
        if self.is_new and field.data in RESERVED_SLUGS:
            raise FieldInvalid(_l("网址标识：“%(slug)s”不能使用", slug=field.data))

    def validate_sources(self, field) -> None:
        allowed = set(vocab.SOURCE_CONFIDENCE)
        for number, source in enumerate(parse_sources(field.data), start=1):
            if not source["title"]:
                raise FieldInvalid(_l("来源：第 %(n)d 行缺少标题", n=number))
            if source["confidence"] not in allowed:
                raise FieldInvalid(
                    _l("来源：第 %(n)d 行的可信度应为 official、press 或 weak", n=number)
                )

    def record(self) -> dict:
        """The fields as ``services.promotion`` reads them."""
        data = {name: self[name].data or "" for name in ("title_zh", "summary_zh", "body_zh")}
        for name in ("title_en", "summary_en", "body_en"):
            data[name] = (self[name].data or "").strip() or None
        data["slug"] = self.slug.data
        data["sources"] = parse_sources(self.sources.data)
        return data


class StoryForm(ContentForm):
    products = SelectMultipleField(
        _l("相关地理标志产品"),
        description=_l("按住 Ctrl（手机上轻点）可多选；故事页面链接到这些产品。"),
        validate_choice=False,
        render_kw={"size": 6},
    )
    brands = SelectMultipleField(_l("相关品牌"), validate_choice=False, render_kw={"size": 4})
    cover = FileField(
        _l("封面图片"),
        description=_l("JPEG、PNG、WebP 或 GIF，短边至少 200 像素；上传后会检查并重新编码。"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    cover_alt = text(
        _l("封面图片说明"),
        ALT_MAX,
        description=_l("为看不到图片的读者描述图片内容；有封面时必填。"),
    )
    remove_cover = BooleanField(_l("去掉封面"))

    def validate_products(self, field) -> None:
        if set(field.data or []) - offered(field):
            raise FieldInvalid(_l("相关地理标志产品：请从列表中选择"))

    def validate_brands(self, field) -> None:
        if set(field.data or []) - offered(field):
            raise FieldInvalid(_l("相关品牌：请从列表中选择"))

    def record(self) -> dict:
        return super().record() | {"products": self.products.data, "brands": self.brands.data}


class EventForm(ContentForm):
    starts_on = Day(_l("开始日期"), description=_l("只知道月份时两个日期都不填，在正文里写明。"))
    ends_on = Day(_l("结束日期"))
    place_zh = text(_l("地点（中文）"), 300)
    place_en = text(_l("地点（英文，选填）"), 300)
    region_code = SelectField(
        _l("所在地区"), validate_choice=False, widget=CountySelect(), validators=[Optional()]
    )
    url = StringField(
        _l("活动网址（选填）"),
        validators=[
            Optional(),
            URL(message=_l("活动网址：应以 http:// 或 https:// 开头")),
            longest(_l("活动网址"), 1000),
        ],
        render_kw={"maxlength": 1000, "placeholder": "https://"},
    )

    def validate_ends_on(self, field) -> None:
        if field.data and not self.starts_on.data:
            raise FieldInvalid(_l("结束日期：有结束日期时必须填写开始日期"))
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise FieldInvalid(_l("结束日期：不能早于开始日期"))

    def record(self) -> dict:
        days = {
            name: self[name].data.isoformat() if self[name].data else None
            for name in ("starts_on", "ends_on")
        }
        return (
            super().record()
            | days
            | {
                "place_zh": self.place_zh.data or "",
                "place_en": (self.place_en.data or "").strip() or None,
                "region_code": self.region_code.data or None,
                "url": self.url.data or None,
            }
        )


class PublishForm(FlaskForm):
    """Publish now or at a time (the province's), back to draft, or archive."""

    version = HiddenField()
    publish_at = Moment(
        _l("定时发布（本省时间，选填）"),
        description=_l("不填则立即发布；填写将来的时间则到时自动公开。"),
    )
    publish = SubmitField(_l("发布"))
    unpublish = SubmitField(_l("撤回为草稿"))
    archive = SubmitField(_l("归档"))


class SlotForm(FlaskForm):
    """One featured place on the home page: its target, position and schedule (本省时间)."""

    target = SelectField(_l("推荐内容"), validate_choice=False)
    seen = (
        HiddenField()
    )  # the slot's updated_at as shown: a later one means someone saved meanwhile
    position = Whole(
        _l("位置"),
        description=_l("数字小的排在前面；1 是首页第一个。"),
        validators=[
            InputRequired(message=_l("位置：请填写 0 到 10000 之间的整数")),
            NumberRange(0, 10_000, message=_l("位置：请填写 0 到 10000 之间的整数")),
        ],
        render_kw={"min": 0, "max": 10_000, "inputmode": "numeric"},
    )
    starts_at = Moment(_l("开始展示（本省时间，选填）"))
    ends_at = Moment(_l("结束展示（本省时间，选填）"))
    headline_zh = text(
        _l("推荐标题（中文，选填）"), 200, description=_l("不填则用内容本身的标题。")
    )
    headline_en = text(_l("推荐标题（英文，选填）"), 300)
    save = SubmitField(_l("保存推荐位"))

    def validate_target(self, field) -> None:
        if field.data not in offered(field):
            raise FieldInvalid(_l("推荐内容：请选择一项已发布的内容"))

    def validate_ends_at(self, field) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise FieldInvalid(_l("结束展示：必须晚于开始展示"))

    def record(self) -> dict:
        kind, _sep, slug = (self.target.data or "").partition(":")
        return {
            kind: slug,
            "position": self.position.data,
            "starts_at": self.starts_at.data,
            "ends_at": self.ends_at.data,
            "headline_zh": self.headline_zh.data or "",
            "headline_en": (self.headline_en.data or "").strip() or None,
        }


class MoveForm(FlaskForm):
    """Up or down one place on the home page; a POST button still carries CSRF."""

    up = SubmitField(_l("上移"))
    down = SubmitField(_l("下移"))


class EndForm(FlaskForm):
    submit = SubmitField(_l("结束展示"))
