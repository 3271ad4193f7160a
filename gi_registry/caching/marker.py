"""What a cached page depends on, as one string: when it changes, every cached answer is stale.

- the registry's change stamp (services/changes.py): any committed change to registry data;
- the last scheduled moment that has passed: a story or event published at a set time, a featured
  slot starting or ending (they change the home page without any write);
- the province's date: "may this producer use the mark today", upcoming and past events;
- the code: templates, translations and static files of this deployment, so a new release never
  answers 304 with a page the old templates drew.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Event, FeatureSlot, Story, now_utc
from gi_registry.services.changes import registry_stamp

SCHEDULED_MOMENTS = (
    Story.published_at,
    Event.published_at,
    FeatureSlot.starts_at,
    FeatureSlot.ends_at,
)


@dataclass(frozen=True)
class Schedule:
    """For one registry stamp: the latest scheduled moment passed, and the next one to come."""

    stamp: datetime | None
    passed: datetime | None
    upcoming: datetime | None

    def still_valid(self, stamp: datetime | None, now: datetime) -> bool:
        return stamp == self.stamp and (self.upcoming is None or now < self.upcoming)


def _schedule(stamp: datetime | None, now: datetime) -> Schedule:
    passed: list[datetime] = []
    upcoming: list[datetime] = []
    for column in SCHEDULED_MOMENTS:
        before, after = db.session.execute(
            sa.select(
                sa.select(sa.func.max(column)).where(column <= now).scalar_subquery(),
                sa.select(sa.func.min(column)).where(column > now).scalar_subquery(),
            )
        ).one()
        passed += [before] if before else []
        upcoming += [after] if after else []
    return Schedule(stamp, max(passed, default=None), min(upcoming, default=None))


def registry_marker() -> str:
    """The marker for this moment: one small query, plus a few more after a change or a schedule."""
    state = current_app.extensions["caching"]
    stamp = registry_stamp()
    now = now_utc()
    schedule: Schedule | None = state.schedule
    if schedule is None or not schedule.still_valid(stamp, now):
        schedule = state.schedule = _schedule(stamp, now)
    passed = schedule.passed.isoformat() if schedule.passed else "-"
    changed = stamp.isoformat() if stamp else "-"
    return f"{state.code_version}|{changed}|{passed}|{local_today().isoformat()}"


def code_version(*folders: Path) -> str:
    """A digest of the names, sizes and times of every file that draws a page, taken at start."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                info = path.stat()
                digest.update(
                    f"{path.relative_to(folder)}|{info.st_size}|{info.st_mtime_ns}\n".encode()
                )
    return digest.hexdigest()[:12]


__all__ = ["Schedule", "code_version", "registry_marker"]
