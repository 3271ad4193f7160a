"""The staff dashboard's queue of open misuse reports (received or investigating)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from gi_registry.extensions import db
from gi_registry.models import MisuseReport
from gi_registry.portal.panels import Panel
from gi_registry.services.reports import OPEN_STATUSES
from gi_registry.staff.panels import PANELS, PREVIEW, REPORTS_SLOT, counted, queue_panel


def open_reports(today: date) -> Panel:
    query = sa.select(MisuseReport).where(MisuseReport.status.in_(OPEN_STATUSES))
    first = db.session.scalars(query.order_by(MisuseReport.id).limit(PREVIEW))
    items = [
        (
            f"{r.tracking_code} · {r.product_text[:30]}",
            url_for("report_staff.show", code=r.tracking_code),
        )
        for r in first
    ]
    return queue_panel(_l("待处理的侵权举报"), counted(query), url_for("report_staff.index"), items)


if open_reports not in PANELS:
    PANELS.insert(REPORTS_SLOT, open_reports)
