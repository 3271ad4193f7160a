"""A listing's history as its organisation reads it: when, who, and each field before and after,
labelled in the page's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from gi_registry.i18n.content import label
from gi_registry.localtime import local_datetime
from gi_registry.models import Listing
from gi_registry.services.revisions import record_history

FIELD_LABELS = {
    "slug": _l("标识"),
    "kind": _l("类型"),
    "producer": _l("发布主体"),
    "product": _l("地理标志产品"),
    "category": _l("产品类别"),
    "title": _l("标题"),
    "description": _l("详细说明"),
    "quantity": _l("数量"),
    "unit": _l("数量单位"),
    "price_min": _l("最低价"),
    "price_max": _l("最高价"),
    "price_unit": _l("价格单位"),
    "region_code": _l("产地或交货地"),
    "available_from": _l("供应期开始"),
    "available_to": _l("供应期结束"),
    "status": _l("状态"),
    "status_reason": _l("未通过的原因"),
    "images": _l("照片"),
}
# Long or structured values are named, not shown.
HIDDEN_VALUES = {"description", "images", "slug", "producer"}


def history_rows(listing: Listing) -> list[dict[str, Any]]:
    return [
        {
            "at": local_datetime(revision.at),
            "who": revision.user_email or revision.actor,
            "changes": [change(name, *pair) for name, pair in revision.changes.items()],
        }
        for revision in record_history("listings", listing.id)
    ]


def change(name: str, before: Any, after: Any) -> dict[str, Any]:
    return {
        "label": FIELD_LABELS.get(name, name),
        "shown": name not in HIDDEN_VALUES,
        "before": shown_value(name, before),
        "after": shown_value(name, after),
    }


def shown_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "status":
        return label("LISTING_STATUSES", value)
    if name == "kind":
        return label("LISTING_KINDS", value)
    return str(value)
