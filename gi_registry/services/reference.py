"""Reference data every instance needs: administrative divisions and product categories."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import Category, Region

DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "cn_divisions.csv"


def read_divisions(path: Path = DIVISIONS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Parents before children, whatever the file's order: provinces, then prefectures, then counties.
    order = {"province": 0, "prefecture": 1, "county": 2}
    return sorted(rows, key=lambda r: (order[r["level"]], r["code"]))


def ensure_regions(progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Insert missing divisions and update renamed ones. Returns (added, updated); idempotent."""
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    added = updated = 0
    for row in read_divisions():
        parent = row["parent_code"] or None
        if parent == row["code"]:
            parent = None  # a row that names itself as parent is a data error, not a cycle to keep
        region = existing.get(row["code"])
        if region is None:
            db.session.add(
                Region(code=row["code"], name=row["name"], level=row["level"], parent_code=parent)
            )
            added += 1
        elif (region.name, region.level, region.parent_code) != (row["name"], row["level"], parent):
            region.name, region.level, region.parent_code = row["name"], row["level"], parent
            updated += 1
        if progress:
            progress(1)
    db.session.flush()
    return added, updated


def ensure_categories() -> int:
    existing = {c.code: c for c in db.session.scalars(select(Category))}
    added = 0
    for position, (code, name_zh, name_en) in enumerate(vocab.CATEGORIES):
        category = existing.get(code)
        if category is None:
            db.session.add(Category(code=code, name_zh=name_zh, name_en=name_en, position=position))
            added += 1
        else:
            category.name_zh, category.name_en, category.position = name_zh, name_en, position
    db.session.flush()
    return added


def ensure_reference_data(progress: Callable[[int], None] | None = None) -> None:
    ensure_regions(progress)
    ensure_categories()
    db.session.commit()
