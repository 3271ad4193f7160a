"""Stories and events (故事、活动) in the staff area: a list by state, a form with a Markdown editor and
a preview drawn by the public pages' own renderer and sanitiser, a cover for stories, and
publication now or at a time in the province's time (then public with nothing to run).

One set of routes serves both kinds (``/staff/stories``, ``/staff/events``); every write is a call
of ``services.promotion`` in ``common.act``, so the history names the staff user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gi_registry.extensions import db
from gi_registry.i18n.content import CHINESE_TAG, needs_chinese_mark
from gi_registry.localtime import local_datetime
from gi_registry.media import MediaError
from gi_registry.models import Brand, Event, GIProduct, Story, now_utc
from gi_registry.models.visibility import brand_is_public, product_is_public
from gi_registry.organisations.views import prefectures
from gi_registry.promotion.queries import is_public_at
from gi_registry.services import promotion
from gi_registry.services.errors import ValidationError
from gi_registry.staff.common import act, show_errors, staff_page
from gi_registry.staff.content_forms import (
    ContentForm,
    EventForm,
    PublishForm,
    StoryForm,
    format_sources,
)
from gi_registry.web import render_markdown

KINDS = "<any(stories, events):kind>"
LIST_LIMIT = 200
STATES = {
    "draft": _l("草稿"),
    "scheduled": _l("定时发布"),
    "published": _l("已发布"),
    "archived": _l("已归档"),
}


@dataclass(frozen=True)
class Kind:
    name: str  # stories | events: the URL's and the history's word
    model: type[Story] | type[Event]
    form: type[ContentForm]
    title: str
    public_endpoint: str


def kind_of(name: str) -> Kind:
    if name == "stories":
        return Kind(name, Story, StoryForm, _("故事"), "promotion.story")
    return Kind(name, Event, EventForm, _("活动"), "promotion.event")


def state(item: Story | Event, now: datetime) -> str:
    if item.is_archived or item.status == "archived":
        return "archived"
    if item.status == "published":
        return "scheduled" if item.published_at and item.published_at > now else "published"
    return "draft"


def state_clause(model, chosen: str, now: datetime):
    current = model.archived_at.is_(None)
    return {
        "draft": sa.and_(current, model.status == "draft"),
        "scheduled": sa.and_(current, model.status == "published", model.published_at > now),
        "published": is_public_at(model, now),
        "archived": sa.or_(model.archived_at.is_not(None), model.status == "archived"),
    }.get(chosen, current)


@staff_page(f"/{KINDS}")
def contents(kind: str):
    """Every story (or event) not archived, or those in one state; ``q`` finds words of the
    title or the address."""
    spec, now = kind_of(kind), now_utc()
    chosen = request.args.get("state", "")
    chosen = chosen if chosen in STATES else ""
    words = (request.args.get("q") or "").strip()[:100]
    model = spec.model
    query = sa.select(model).where(state_clause(model, chosen, now))
    if words:
        like = f"%{words}%"
        query = query.where(
            sa.or_(model.title_zh.ilike(like), model.title_en.ilike(like), model.slug.ilike(like))
        )
    items = db.session.scalars(
        query.order_by(model.updated_at.desc(), model.id.desc()).limit(LIST_LIMIT)
    )
    return render_template(
        "staff/contents.html",
        spec=spec,
        items=[(item, state(item, now)) for item in items],
        chosen=chosen,
        states=STATES,
        words=words,
        local_datetime=local_datetime,
    )


def find(spec: Kind, slug: str) -> Story | Event:
    model = spec.model
    return db.session.scalar(sa.select(model).where(model.slug == slug)) or abort(404)


def offer_choices(form: ContentForm, item: Story | Event | None) -> None:
    """Public products and brands to link a story to (and those it links already); counties."""
    if isinstance(form, StoryForm):
        form.products.choices = linkable(GIProduct, product_is_public(), item and item.products)
        form.brands.choices = linkable(Brand, brand_is_public(), item and item.brands)
    if isinstance(form, EventForm):
        form.region_code.choices = []  # drawn by CountySelect; the service checks the value
        form.region_code.prefectures = prefectures()


def linkable(model, public, linked) -> list[tuple[str, str]]:
    rows = {row.slug: row for row in db.session.scalars(sa.select(model).where(public))}
    rows |= {row.slug: row for row in linked or []}
    return [option(slug, f"{row.name_zh} ({slug})") for slug, row in sorted(rows.items())]


def option(value: str, text: str) -> tuple[str, str, dict]:
    """A choice whose Chinese label is marked as such on an English page."""
    return (value, text, {"lang": CHINESE_TAG} if needs_chinese_mark(text) else {})


def fill(form: ContentForm, item: Story | Event) -> None:
    """The form as the record stands (a GET of the edit page)."""
    form.process(obj=item)
    form.version.data = item.version
    form.sources.data = format_sources(item.sources)
    if isinstance(item, Story):
        form.products.data = [p.slug for p in item.products]
        form.brands.data = [b.slug for b in item.brands]


def previews(form: ContentForm) -> dict[str, object]:
    """The bodies as the public page draws them: the same Markdown renderer and sanitiser."""
    return {
        name: render_markdown(form[name].data)
        for name in ("body_zh", "body_en")
        if (form[name].data or "").strip()
    }


def save(spec: Kind, form: ContentForm, item: Story | Event | None):
    """Write the form through the service: the record, then a new cover or its removal."""
    record = form.record()
    version = None
    if item is not None:
        record["slug"] = item.slug  # the address never changes
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
    if isinstance(form, StoryForm):
        record |= cover_fields(form, item)

    def write(work):
        if item is None and db.session.scalar(
            sa.select(spec.model.id).where(spec.model.slug == record["slug"])
        ):
            raise ValidationError({"slug": _("网址标识：已被使用，请换一个")})
        writer = promotion.save_story if spec.name == "stories" else promotion.save_event
        row = writer(work, record, expected_version=version)
        if isinstance(form, StoryForm):
            upload_cover(work, form, row)
        return row

    return act(write)


def cover_fields(form: StoryForm, item: Story | None) -> dict:
    """The stored cover kept with its (perhaps new) description, unless replaced or removed."""
    if item is None or item.cover_id is None or form.remove_cover.data or form.cover.data:
        return {}
    return {"cover": item.cover_id, "cover_alt": form.cover_alt.data or ""}


def upload_cover(work, form: StoryForm, story: Story) -> None:
    upload = form.cover.data
    if upload and getattr(upload, "filename", ""):
        try:
            promotion.set_story_cover(
                work, story.slug, upload.read(), alt=form.cover_alt.data or ""
            )
        except MediaError as error:  # refused before anything was kept: the form says why
            raise ValidationError({"cover": f"封面图片：{error.message}"}) from None
    elif form.remove_cover.data and story.cover_id:
        promotion.set_story_cover(work, story.slug, None)


def named_errors(form: ContentForm, errors: dict[str, str]) -> dict[str, str]:
    """Service errors under their form field (``sources[1].url`` under 来源), naming it."""
    named: dict[str, str] = {}
    for key, message in errors.items():
        name = key.split("[")[0].split(".")[0] if key else ""
        field = getattr(form, name, None) if name else None
        label = str(field.label.text) if field is not None and hasattr(field, "label") else ""
        short = label.split("（")[0].split(" (")[0]
        text = message if not short or message.startswith(short) else f"{label}：{message}"
        named[name if field is not None else ""] = text
    return named


def editor(spec: Kind, form: ContentForm, item, status: int, preview=None):
    page = render_template(
        "staff/content.html",
        spec=spec,
        form=form,
        item=item,
        preview=preview,
        publish_form=publishing(item) if item is not None else None,
        state=state(item, now_utc()) if item is not None else "draft",
        local_datetime=local_datetime,
    )
    return make_response(page, status)


def publishing(item) -> PublishForm:
    form = PublishForm(formdata=None)
    form.version.data = item.version
    return form


def handle(spec: Kind, form: ContentForm, item):
    """A submitted editor: 422 with the fields named, the preview, or saved and redirected."""
    if not form.validate():
        return editor(spec, form, item, 422)
    if form.preview.data:
        return editor(spec, form, item, 200, preview=previews(form))
    saved, errors = save(spec, form, item)
    if errors:
        show_errors(form, named_errors(form, errors))
        return editor(spec, form, item, 409)
    flash(_("已保存。"), "success")
    return redirect(url_for("staff.content", kind=spec.name, slug=saved.slug), code=303)


@staff_page(f"/{KINDS}/new", methods=["GET", "POST"])
def content_new(kind: str):
    spec = kind_of(kind)
    form = spec.form()
    form.is_new = True
    offer_choices(form, None)
    if form.is_submitted():
        return handle(spec, form, None)
    return editor(spec, form, None, 200)


@staff_page(f"/{KINDS}/<slug:slug>", methods=["GET", "POST"])
def content(kind: str, slug: str):
    spec = kind_of(kind)
    item = find(spec, slug)
    form = spec.form()
    offer_choices(form, item)
    if form.is_submitted():
        form.slug.data = item.slug
        return handle(spec, form, item)
    fill(form, item)
    return editor(spec, form, item, 200)


@staff_page(f"/{KINDS}/<slug:slug>/publish", methods=["POST"])
def content_publish(kind: str, slug: str):
    """Publish now or at a local time, back to draft, or archive: one form, three buttons."""
    find(kind_of(kind), slug)
    form = PublishForm()
    if not form.validate():
        errors = [e for field in form for e in field.errors] or [_("表单已过期，请重新提交。")]
        flash(" ".join(str(e) for e in errors), "error")
        return redirect(url_for("staff.content", kind=kind, slug=slug), code=303)
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    if form.unpublish.data:
        change, done = promotion.unpublish, _("已撤回为草稿，公开页面不再显示。")
    elif form.archive.data:
        change, done = promotion.archive, _("已归档。")
    else:
        at = form.publish_at.data
        done = (
            _("已定时发布：%(moment)s 公开。", moment=at.strftime("%Y-%m-%d %H:%M"))
            if at
            else _("已发布。")
        )

        def change(work, kind, slug, expected_version):
            return promotion.publish(work, kind, slug, at=at, expected_version=expected_version)

    _row, errors = act(lambda work: change(work, kind, slug, expected_version=version))
    flash(" ".join(errors.values()) if errors else done, "error" if errors else "success")
    return redirect(url_for("staff.content", kind=kind, slug=slug), code=303)


@staff_page(f"/{KINDS}/preview", methods=["POST"])
def content_preview(kind: str):
    """The live preview of the editor's script: Markdown in, the public page's sanitised HTML out
    (CSRF-checked like every POST)."""
    kind_of(kind)
    body = request.form.get("body", "")[:100_000]
    return str(render_markdown(body)), 200, {"Content-Type": "text/html; charset=utf-8"}
