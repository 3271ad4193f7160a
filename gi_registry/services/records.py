"""What the per-kind services share: finding a record, changing some of its fields, archiving it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import (
    Authorization,
    Brand,
    Event,
    FeatureSlot,
    GIProduct,
    GuidanceRequest,
    GuidanceStation,
    Listing,
    Producer,
    Story,
)
from gi_registry.services.errors import NotFoundError
from gi_registry.services.history import SNAPSHOTS
from gi_registry.services.unit import Work

MODELS = {
    "products": GIProduct,
    "brands": Brand,
    "producers": Producer,
    "authorizations": Authorization,
    "listings": Listing,
    "stories": Story,
    "events": Event,
    "slots": FeatureSlot,  # named by its id, having no slug
    "stations": GuidanceStation,
    "guidance": GuidanceRequest,
}
LABELS = {
    "products": "地理标志产品",
    "brands": "品牌",
    "producers": "经营主体",
    "authorizations": "专用标志使用授权",
    "listings": "供需信息",
    "stories": "故事",
    "events": "活动",
    "slots": "首页推荐位",
    "stations": "商标品牌指导站",
    "guidance": "指导咨询",
}

Save = Callable[..., Any]


def find_record(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def require_record(model, slug: str):
    record = find_record(model, slug)
    if record is None:
        kind = next(k for k, m in MODELS.items() if m is model)
        raise NotFoundError(f"找不到{LABELS[kind]} {slug}")
    return record


def change_fields(work: Work, kind: str, slug: str, save: Save, expected_version, **changes):
    """Change some fields of a stored record through the kind's own save, so validation, history and
    search see an ordinary write of the whole record."""
    obj = require_record(MODELS[kind], slug)
    return save(work, SNAPSHOTS[kind](obj) | changes, expected_version=expected_version)


def archive_record(work: Work, kind: str, slug: str, save: Save, expected_version: int | None):
    """Archive: the record stays as evidence, out of public pages and search."""
    return change_fields(work, kind, slug, save, expected_version, status="archived")
