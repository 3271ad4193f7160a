"""Reference data every instance needs: administrative divisions and product categories."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import Category, Region
from gi_registry.services.unit import Work

DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "cn_divisions.csv"


def read_divisions(path: Path = DIVISIONS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Parents before children, whatever the file's order: provinces, then prefectures, then counties.
    order = {"province": 0, "prefecture": 1, "county": 2}
    return sorted(rows, key=lambda r: (order[r["level"]], r["code"]))


def ensure_regions(work: Work, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Insert missing divisions and update renamed ones. Returns (added, updated); idempotent."""
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    added = updated = 0
    for row in read_divisions():
        parent = row["parent_code"] or None
        if parent == row["code"]:
            parent = None  # a row that names itself as parent is a data error, not a cycle to keep
        region = existing.get(row["code"])
        wanted = {"name": row["name"], "level": row["level"], "parent_code": parent}
        if region is None:
            db.session.add(Region(code=row["code"], **wanted))
            record_change(work, "regions", row["code"], None, wanted)
            added += 1
        elif (stored := region_fields(region)) != wanted:
            region.name, region.level, region.parent_code = row["name"], row["level"], parent
            record_change(work, "regions", row["code"], stored, wanted)
            updated += 1
        if progress:
            progress(1)
    db.session.flush()
    return added, updated


def region_fields(region: Region) -> dict[str, str | None]:
    return {"name": region.name, "level": region.level, "parent_code": region.parent_code}


def ensure_categories(work: Work) -> int:
    """Add the categories of ``vocab.CATEGORIES`` that are missing, last in the order. A stored
    category is never changed: staff rename and reorder them (``services.categories``), and a setup
    run afterwards must not undo that. Returns how many were added."""
    stored = list(db.session.scalars(select(Category)))
    existing = {c.code: c.position for c in stored}
    names = {c.name_zh for c in stored}
    position = max(existing.values(), default=-1)
    added = 0
    for code, name_zh, name_en in vocab.CATEGORIES:
        if code in existing or name_zh in names:  # a staff rename may have taken the name
            continue
        position += 1
        wanted = {"name_zh": name_zh, "name_en": name_en, "position": position}
        db.session.add(Category(code=code, **wanted))
        record_change(work, "categories", code, None, wanted)
        added += 1
    db.session.flush()
    return added


def category_fields(category: Category) -> dict[str, str | int]:
    return {"name_zh": category.name_zh, "name_en": category.name_en, "position": category.position}


def record_change(work: Work, entity: str, key: str, before: dict | None, after: dict) -> None:
    """Reference data is keyed by its code; the entry says which fields the data file changed."""
    changes = {k: [None if before is None else before[k], v] for k, v in after.items()}
    if before is not None:
        changes = {k: pair for k, pair in changes.items() if pair[0] != pair[1]}
    work.history.record(entity, key, None, "create" if before is None else "update", changes)


def ensure_reference_data(work: Work, progress: Callable[[int], None] | None = None) -> None:
    ensure_regions(work, progress)
    ensure_categories(work)
