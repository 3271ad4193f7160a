"""Promotion content: stories, events and the home page's featured slots. Every write to them.

Stories and events keep their Markdown as written (pages render and sanitise it). Publication is a
status plus a moment: ``published`` with ``published_at`` in the future is scheduled, and public
queries ask "published and due", so no job has to run at that moment. Times given without an offset
are read in the province's time zone (``TIMEZONE``), as the people who schedule them mean them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.localtime import local_zone
from gi_registry.models import (
    Brand,
    Event,
    FeatureSlot,
    GIProduct,
    MediaAsset,
    Region,
    Story,
    now_utc,
)
from gi_registry.models.visibility import brand_is_public, product_is_public
from gi_registry.services import fields as f
from gi_registry.services.errors import NotFoundError, ValidationError
from gi_registry.services.fields import Field, FieldError
from gi_registry.services.history import SNAPSHOTS, classify
from gi_registry.services.media import ALT_MAX, store_image
from gi_registry.services.snapshots import story_record
from gi_registry.services.unit import Work
from gi_registry.services.validation import Validator
from gi_registry.services.writer import check_version


def moment(value: Any) -> datetime | None:
    """A point in time: ISO 8601 with an offset, or a local ``YYYY-MM-DD[ HH:MM[:SS]]`` read in the
    province's time zone (a bare date is the start of that day there)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(
                f"时间 {value!r} 无效，应为 YYYY-MM-DD HH:MM（本省时间）或带时区的 ISO 8601"
            ) from None
    else:
        raise FieldError("应为时间文本")
    if parsed.tzinfo is None:  # a bare date is midnight, where the province is
        parsed = parsed.replace(tzinfo=local_zone())
    # Stored and compared in UTC: history then sees the same moment written the same way.
    return parsed.astimezone(UTC)


def position(value: Any) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise FieldError("应为整数")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(f"{value!r} 不是整数") from None
    if not 0 <= number <= 10_000:
        raise FieldError("应在 0 到 10000 之间")
    return number


CONTENT_FIELDS = [
    Field("slug", f.slug, required=True),
    Field("title_zh", f.text(200, allow_empty=False), required=True),
    Field("title_en", f.optional_text(300)),
    Field("summary_zh", f.text(1000, multiline=True)),
    Field("summary_en", f.optional_text(2000, multiline=True)),
    Field("body_zh", f.text(100_000, multiline=True)),
    Field("body_en", f.optional_text(100_000, multiline=True)),
    Field("sources", f.nested),
    Field("sample", f.boolean),
    Field("status", f.choice(vocab.CONTENT_STATUSES)),
    Field("published_at", moment),
]


def media_id(value: Any) -> int | None:
    """A stored picture's id, or none."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError("应为图片编号（正整数）")
    return value


STORY_FIELDS = [
    *CONTENT_FIELDS,
    Field("products", f.string_list(f.slug, max_items=200)),
    Field("brands", f.string_list(f.slug, max_items=200)),
    Field("cover", media_id),
    Field("cover_alt", f.text(ALT_MAX)),
]
EVENT_FIELDS = [
    *CONTENT_FIELDS,
    Field("starts_on", f.iso_date),
    Field("ends_on", f.iso_date),
    Field("place_zh", f.text(300)),
    Field("place_en", f.optional_text(300)),
    Field("region_code", lambda value: None if value in (None, "") else f.region_code(value)),
    Field("url", f.url),
]
SLOT_FIELDS = [
    Field("id", lambda value: value),  # a snapshot's own id, ignored: a slot is named by its row
    Field("position", position),
    Field("starts_at", moment),
    Field("ends_at", moment),
    Field("headline_zh", f.text(200)),
    Field("headline_en", f.optional_text(300)),
    *(Field(kind, f.optional_slug) for kind in vocab.FEATURE_TARGETS),
]
# Record fields copied onto the row as they are; the rest (relations, status) are set by hand.
STORY_PLAIN = [s.name for s in CONTENT_FIELDS if s.name not in ("slug", "status", "published_at")]
EVENT_PLAIN = [*STORY_PLAIN, "starts_on", "ends_on", "place_zh", "place_en", "region_code", "url"]
TARGET_MODELS = {"product": GIProduct, "brand": Brand, "story": Story, "event": Event}


def validate(fields: list[Field], data: Any) -> dict[str, Any]:
    """Parse a record with the importer's field rules; ``ValidationError`` keyed by field."""
    validator = Validator()
    record = validator.parse_record("r", fields, data)
    if validator.result.issue_count:
        errors: dict[str, str] = {}
        for issue in validator.result.issues:
            errors.setdefault(issue.path.removeprefix("r").removeprefix(".") or "$", issue.message)
        raise ValidationError(errors)
    record.pop("_path", None)
    return record


# -- stories and events ---------------------------------------------------------------------------


def save_story(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Story:
    """Create or update a story by slug (products and brands by slug). Absent fields stay as stored."""
    record = validate(STORY_FIELDS, data)
    errors: dict[str, str] = {}
    products = _by_slug(GIProduct, record.get("products"), "products", "地理标志产品", errors)
    brands = _by_slug(Brand, record.get("brands"), "brands", "品牌", errors)
    _check_cover(record, errors)
    if errors:
        raise ValidationError(errors)
    story = _start(work, "stories", Story, record, expected_version)
    _assign(story, record, STORY_PLAIN)
    if products is not None:
        story.products = products
    if brands is not None:
        story.brands = brands
    if "cover" in record:
        story.cover_id = record["cover"]
    if "cover_alt" in record:
        story.cover_alt = record["cover_alt"] if story.cover_id else ""
    db.session.flush()
    return story


COVER_ALT_MISSING = "封面图片说明：不能为空（为看不到图片的读者描述图片内容）"


def _check_cover(record: dict, errors: dict) -> None:
    cover = record.get("cover")
    if cover is not None and db.session.get(MediaAsset, cover) is None:
        errors["cover"] = f"封面图片：找不到图片 {cover}"
    elif cover is not None and not record.get("cover_alt", "").strip():
        errors["cover_alt"] = COVER_ALT_MISSING


def set_story_cover(
    work: Work,
    slug: str,
    data: bytes | None,
    *,
    alt: str = "",
    credit: str = "",
    licence: str = "",
    expected_version: int | None = None,
) -> Story:
    """Show the picture in ``data`` (verified and re-encoded like every upload) as the story's
    cover, described by ``alt``; ``data=None`` removes the cover. Recorded in the history."""
    story = require_content("stories", slug)
    cover: dict[str, Any] = {"cover": None, "cover_alt": ""}
    if data is not None:
        if not alt.strip():  # checked before the picture is processed and stored
            raise ValidationError({"cover_alt": COVER_ALT_MISSING})
        asset = store_image(data, field="cover", credit=credit, licence=licence)
        cover = {"cover": asset.id, "cover_alt": alt.strip()}
    return save_story(work, story_record(story) | cover, expected_version=expected_version)


def save_event(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Event:
    """Create or update an event by slug. Days are the province's; an event known only to the
    month leaves both empty rather than inventing days."""
    record = validate(EVENT_FIELDS, data)
    errors: dict[str, str] = {}
    code = record.get("region_code")
    if code and db.session.get(Region, code) is None:
        errors["region_code"] = f"未知的行政区划代码 {code}"
    starts, ends = record.get("starts_on"), record.get("ends_on")
    if ends and not starts:
        errors["starts_on"] = "有结束日期时必须填写开始日期"
    elif starts and ends and ends < starts:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationError(errors)
    event = _start(work, "events", Event, record, expected_version)
    _assign(event, record, EVENT_PLAIN)
    db.session.flush()
    return event


CONTENT = {"stories": (Story, save_story), "events": (Event, save_event)}


def publish(
    work: Work,
    kind: str,
    slug: str,
    *,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Story | Event:
    """Publish now, or at ``at`` (scheduled: public from that moment without anyone acting)."""
    return _change(
        work, kind, slug, expected_version, status="published", published_at=at or now_utc()
    )


def unpublish(
    work: Work, kind: str, slug: str, *, expected_version: int | None = None
) -> Story | Event:
    """Back to draft: out of the public pages and feeds, schedule forgotten."""
    return _change(work, kind, slug, expected_version, status="draft", published_at=None)


def archive(
    work: Work, kind: str, slug: str, *, expected_version: int | None = None
) -> Story | Event:
    return _change(work, kind, slug, expected_version, status="archived")


def _change(work: Work, kind: str, slug: str, expected_version: int | None, **changes):
    save = CONTENT[kind][1]
    item = require_content(kind, slug)
    return save(work, SNAPSHOTS[kind](item) | changes, expected_version=expected_version)


def require_content(kind: str, slug: str) -> Story | Event:
    model = CONTENT[kind][0]
    item = db.session.scalar(sa.select(model).where(model.slug == slug))
    if item is None:
        raise NotFoundError(f"找不到{'故事' if kind == 'stories' else '活动'} {slug}")
    return item


def _start(work: Work, kind: str, model, record: dict, expected_version: int | None):
    item = db.session.scalar(sa.select(model).where(model.slug == record["slug"]))
    check_version(item, expected_version)
    is_new = item is None
    if is_new:
        item = model(slug=record["slug"], status="draft", sources=[], sample=False)
        db.session.add(item)
    work.history.track(kind, item, is_new=is_new)
    return item


def _assign(item: Story | Event, record: dict, plain: list[str]) -> None:
    for name in plain:
        if name in record:
            setattr(item, name, record[name])
    if "status" in record:
        item.status = record["status"]
    if "published_at" in record:
        item.published_at = record["published_at"]
    if item.status == "published" and item.published_at is None:
        item.published_at = now_utc()  # "published" with no moment means now
    archived = item.status == "archived"
    item.archived_at = (item.archived_at or now_utc()) if archived else None


def _by_slug(model, slugs: list[str] | None, field: str, label: str, errors: dict):
    if slugs is None:
        return None
    found = {o.slug: o for o in db.session.scalars(sa.select(model).where(model.slug.in_(slugs)))}
    missing = [s for s in slugs if s not in found]
    if missing:
        errors[field] = f"找不到{label} {'、'.join(missing)}"
    return [found[s] for s in sorted(found)]


# -- featured slots ---------------------------------------------------------------------------------


def add_slot(work: Work, data: Mapping[str, Any]) -> FeatureSlot:
    """A new featured slot: a position, an optional schedule and exactly one public target."""
    record = validate(SLOT_FIELDS, data)
    # Added to the session only once it has its target: a flush before would break the CHECK.
    return _write_slot(work, FeatureSlot(position=0, headline_zh=""), record, before=None)


def update_slot(
    work: Work, slot_id: int, data: Mapping[str, Any], *, expected_version: int | None = None
) -> FeatureSlot:
    """Change some of a slot's fields; naming a new target replaces the old one."""
    slot = require_slot(slot_id)
    before = SNAPSHOTS["slots"](slot)
    record = validate(SLOT_FIELDS, data)
    if any(kind in record for kind in vocab.FEATURE_TARGETS):
        for kind in vocab.FEATURE_TARGETS:
            record.setdefault(kind, None)
    return _write_slot(work, slot, record, before=before)


def remove_slot(work: Work, slot_id: int) -> FeatureSlot:
    """Take a slot off the home page now. The row stays, ended, as a record of what was shown."""
    slot = require_slot(slot_id)
    before = SNAPSHOTS["slots"](slot)
    now = now_utc()
    if slot.ends_at is None or slot.ends_at > now:
        slot.ends_at = now
        if slot.starts_at and slot.starts_at > now:
            slot.starts_at = now  # never shown: an empty window
    db.session.flush()
    _record_slot(work, slot, before, action="archive")
    return slot


def move_slot(work: Work, slot_id: int, step: int) -> FeatureSlot:
    """Move a slot one place up (``step=-1``) or down among the slots not yet ended, then number
    those 1, 2, 3… (only the changed ones are written, each in the history)."""
    slot = require_slot(slot_id)
    now = now_utc()
    order = sa.select(FeatureSlot).order_by(FeatureSlot.position, FeatureSlot.id)
    current = [s for s in db.session.scalars(order) if not (s.ends_at and s.ends_at <= now)]
    if slot not in current:
        raise ValidationError({"position": "已结束的推荐位不能调整顺序"})
    here = current.index(slot)
    there = here + (1 if step > 0 else -1)
    if 0 <= there < len(current):
        current[here], current[there] = current[there], current[here]
    for number, item in enumerate(current, start=1):
        if item.position != number:
            update_slot(work, item.id, {"position": number})
    return slot


def save_slot(work: Work, data: Mapping[str, Any], *, expected_version: int | None = None):
    """A whole slot record (as history keeps it) written back: ``flask history slots ID --restore``."""
    return update_slot(work, int(data["id"]), {k: v for k, v in data.items() if k != "id"})


def require_slot(slot_id: int) -> FeatureSlot:
    slot = db.session.get(FeatureSlot, slot_id)
    if slot is None:
        raise NotFoundError(f"找不到推荐位 {slot_id}")
    return slot


def _write_slot(work: Work, slot: FeatureSlot, record: dict, before: dict | None) -> FeatureSlot:
    errors: dict[str, str] = {}
    with db.session.no_autoflush:
        _assign_slot(slot, record, errors, is_new=before is None)
    if errors:
        raise ValidationError(errors)
    db.session.add(slot)
    db.session.flush()
    _record_slot(work, slot, before)
    return slot


def _assign_slot(slot: FeatureSlot, record: dict, errors: dict, *, is_new: bool) -> None:
    named = [kind for kind in vocab.FEATURE_TARGETS if record.get(kind)]
    if is_new or any(kind in record for kind in vocab.FEATURE_TARGETS):
        if len(named) != 1:
            errors["target"] = "推荐位必须且只能指向一个目标（product、brand、story 或 event）"
        else:
            target = _public_target(named[0], record[named[0]], errors)
            if target is not None:
                for kind in vocab.FEATURE_TARGETS:
                    setattr(slot, kind, target if kind == named[0] else None)
    for name in ("position", "starts_at", "ends_at", "headline_zh", "headline_en"):
        if name in record:
            setattr(slot, name, record[name])
    if slot.starts_at and slot.ends_at and slot.ends_at <= slot.starts_at:
        errors["ends_at"] = "结束时间必须晚于开始时间"


def _public_target(kind: str, slug: str, errors: dict):
    """The target row, if the public can see it (a story or event may still be scheduled)."""
    model = TARGET_MODELS[kind]
    target = db.session.scalar(sa.select(model).where(model.slug == slug))
    label = vocab.FEATURE_TARGETS[kind]
    if target is None:
        errors[kind] = f"找不到{label} {slug}"
    elif not _is_public(kind, target):
        errors[kind] = f"{label} {slug} 未发布或已归档，不能推荐"
    else:
        return target
    return None


def _is_public(kind: str, target) -> bool:
    if kind in ("story", "event"):
        return target.status == "published" and not target.is_archived
    rule = product_is_public() if kind == "product" else brand_is_public()
    model = TARGET_MODELS[kind]
    return bool(db.session.scalar(sa.select(model.id).where(model.id == target.id, rule)))


def _record_slot(work: Work, slot: FeatureSlot, before: dict | None, action: str = "") -> None:
    after = SNAPSHOTS["slots"](slot)
    kind, changes = classify(before, after)
    if kind != "unchanged":
        work.history.record("slots", str(slot.id), slot.id, action or kind, changes)
