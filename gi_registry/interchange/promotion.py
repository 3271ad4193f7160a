"""Stories, events and featured slots from files: Markdown with front matter, or JSON.

A Markdown file is the way staff write a story until the console exists::

    ---
    slug: meihe-dami-story
    title_zh: 梅河大米
    products: [meihe-dami]
    sources:
      - {"url": null, "title": "吉政发〔2022〕18号", "confidence": "official", "note": "第11条"}
    status: published
    published_at: 2026-12-01 09:00
    ---
    正文（Markdown）……

The front matter is a small subset of YAML: ``key: value`` lines, where a value is JSON when it
reads as JSON (numbers, ``true``, ``null``, ``[...]``, ``{...}``, quoted text) and plain text
otherwise; ``[a, b]`` lists of plain words; and ``- item`` lines under a key with no value. The text
after the front matter is ``body_zh``. JSON is one record, a list of records, or a document
``{"stories": [...], "events": [...], "slots": [...]}``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gi_registry.extensions import db
from gi_registry.models import FeatureSlot, now_utc
from gi_registry.services.errors import ValidationError
from gi_registry.services.history import SNAPSHOTS
from gi_registry.services.promotion import (
    CONTENT,
    SLOT_FIELDS,
    TARGET_MODELS,
    add_slot,
    validate,
)
from gi_registry.services.unit import Work

FENCE = "---"


class FrontMatterError(ValueError):
    pass


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of one file (``.md``/``.markdown`` or ``.json``)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FrontMatterError(
                f"{path.name}: 不是有效的 JSON（第 {error.lineno} 行）"
            ) from None
        return data if isinstance(data, list) else [data]
    return [parse_markdown(text)]


def parse_markdown(text: str) -> dict[str, Any]:
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise FrontMatterError("Markdown 文件应以 --- 开头的前言（front matter）开始")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise FrontMatterError("前言缺少结束的 ---") from None
    record = parse_front_matter(lines[1:end])
    body = "\n".join(lines[end + 1 :]).strip()
    if body:
        record.setdefault("body_zh", body)
    return record


def parse_front_matter(lines: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    current: str | None = None
    for number, line in enumerate(lines, start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[:1].isspace() and stripped.startswith("- ") and current is not None:
            record.setdefault(current, []).append(scalar(stripped[2:]))
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip() or line[:1].isspace():
            raise FrontMatterError(f"前言第 {number} 行无法识别：{stripped[:60]}")
        current = key.strip()
        value = value.strip()
        if value:
            record[current] = scalar(value)
        else:
            record[current] = []  # a list follows (or the key is given as empty)
    return record


def scalar(value: str) -> Any:
    """JSON when the text reads as JSON, ``[a, b]`` as a list of words, plain text otherwise."""
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        pass
    if value.startswith("[") and value.endswith("]"):
        return [scalar(item.strip()) for item in value[1:-1].split(",") if item.strip()]
    return value


def import_content(work: Work, kind: str, records: list[dict[str, Any]]) -> Counter:
    """Save each record through the service; counts created / updated / unchanged."""
    counts: Counter = Counter()
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValidationError({f"{kind}[{index}]": "应为对象"})
        model, save = CONTENT[kind]
        slug = record.get("slug")
        existing = (
            db.session.scalar(sa.select(model).where(model.slug == slug))
            if isinstance(slug, str)
            else None
        )
        before = SNAPSHOTS[kind](existing) if existing else None
        try:
            item = save(work, record)
        except ValidationError as error:
            raise _indexed(kind, index, error) from None
        after = SNAPSHOTS[kind](item)
        counts["created" if before is None else "updated" if before != after else "unchanged"] += 1
    return counts


def _indexed(kind: str, index: int, error: ValidationError) -> ValidationError:
    """The error of one record of a file, named by its place: ``stories[2].title_zh``."""
    return ValidationError(
        {f"{kind}[{index}].{field}": message for field, message in error.errors.items()}
    )


def ensure_slots(work: Work, records: list[dict[str, Any]]) -> Counter:
    """Add each slot unless one with the same target and position is still scheduled: a sample
    loaded twice adds no second slot."""
    counts: Counter = Counter()
    for index, record in enumerate(records):
        try:
            clean = validate(SLOT_FIELDS, record)
        except ValidationError as error:
            raise _indexed("slots", index, error) from None
        if _slot_exists(clean):
            counts["unchanged"] += 1
            continue
        try:
            add_slot(work, record)
        except ValidationError as error:
            raise _indexed("slots", index, error) from None
        counts["created"] += 1
    return counts


def _slot_exists(record: dict[str, Any]) -> bool:
    conditions = [FeatureSlot.position == record.get("position", 0)]
    for kind, model in TARGET_MODELS.items():
        slug = record.get(kind)
        column = getattr(FeatureSlot, f"{kind}_id")
        if slug:
            conditions.append(
                column == sa.select(model.id).where(model.slug == slug).scalar_subquery()
            )
        else:
            conditions.append(column.is_(None))
    still_on = sa.or_(FeatureSlot.ends_at.is_(None), FeatureSlot.ends_at > now_utc())
    return db.session.scalar(sa.select(FeatureSlot.id).where(*conditions, still_on)) is not None


def import_promotion(work: Work, document: dict[str, Any]) -> dict[str, Counter]:
    """A document's stories, then events, then slots (which may point at either)."""
    report = {}
    for kind in ("stories", "events"):
        report[kind] = import_content(work, kind, document.get(kind) or [])
    report["slots"] = ensure_slots(work, document.get("slots") or [])
    return report


__all__ = [
    "FrontMatterError",
    "import_content",
    "import_promotion",
    "parse_markdown",
    "read_records",
]
