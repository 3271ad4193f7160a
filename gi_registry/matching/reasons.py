"""A match's reasons in words, in the language of the page (the API's is always Chinese)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from gi_registry.extensions import db
from gi_registry.i18n.content import region_name
from gi_registry.matching.scoring import Reason
from gi_registry.models import Region

REGION_CODES = ("same_county", "same_prefecture", "same_province")


def reason_regions(reasons: Iterable[Reason]) -> dict[str, Region]:
    """The regions that the reasons name, in one query. A municipality's districts share a
    "市辖区" prefecture that names nothing, so its province is loaded as well."""
    codes = {r.value for r in reasons if r.code in REGION_CODES and isinstance(r.value, str)}
    codes |= {code[:2] + "0000" for code in codes}
    if not codes:
        return {}
    return {r.code: r for r in db.session.scalars(sa.select(Region).where(Region.code.in_(codes)))}


def place(code: str, regions: dict[str, Region]) -> str:
    region = regions.get(code)
    if region is not None and region.name == "市辖区":
        region = regions.get(code[:2] + "0000")
    return region_name(region) if region is not None else code


def reason_text(reason: Reason, regions: dict[str, Region]) -> str:
    code, value = reason.code, reason.value
    if code in REGION_CODES:
        return _("同在%(place)s", place=place(str(value), regions))
    if code == "quantity":
        return _("数量可满足 %(percent)s%%", percent=value)
    if code == "window_weeks":
        return ngettext("供货期重叠 %(num)s 周", "供货期重叠 %(num)s 周", int(value or 0))
    if code == "window_days":
        return ngettext("供货期重叠 %(num)s 天", "供货期重叠 %(num)s 天", int(value or 0))
    texts = {
        "same_product": _("同一地理标志产品"),
        "same_category": _("同类产品"),
        "window_open": _("供货期不限"),
        "price_overlap": _("价格区间重叠"),
        "price_below": _("报价低于求购价"),
        "fresh": _("一周内发布"),
        "verified": _("主体已认证"),
        "authorised": _("持有地理标志专用标志授权"),
    }
    return texts.get(code, code)


def reason_lists(groups: list[list[Reason]]) -> list[list[str]]:
    """Each match's reasons as text, the regions they name read once for all of them."""
    regions = reason_regions(r for group in groups for r in group)
    return [[reason_text(r, regions) for r in group] for group in groups]
