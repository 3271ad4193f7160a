"""The public scan page: where a batch label's QR code lands, /t/<token> or /01/<GTIN>/10/<batch>.

It shows the product, the producer, whether the producer may use the GI mark today (read live, so a
suspended or revoked authorisation shows at once), the batch facts, a recall, and how often the
code has been scanned. Every GET counts a scan, so the page is never cached (``@exempt``,
``no-store``) and never indexed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, make_response, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from gi_registry.caching import exempt
from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import TraceBatch
from gi_registry.services.trace import (
    BATCH_CODE_MAX,
    normalise_gtin,
    record_scan,
    scan_counts,
)
from gi_registry.services.unit import unit_of_work
from gi_registry.trace import bp
from gi_registry.verify.lookup import auth_state

TOKEN_CHARS = 32  # TraceBatch.token's column
SCAN_ACTOR = "trace-scan"


@dataclass(frozen=True)
class ScanView:
    batch: TraceBatch
    scans: int
    state: str  # authorized | not_yet_valid | expired | suspended | revoked | not_authorized
    producer_shown: bool  # False when the producer is not public (its name stays private)
    product_linked: bool
    warning: bool  # scanned more often than one batch's packs plausibly are


@bp.route("/t/<token>")
@exempt
def scan(token: str):
    batch = None
    if len(token) <= TOKEN_CHARS:
        batch = db.session.scalar(select(TraceBatch).where(TraceBatch.token == token))
    return scan_answer(batch)


@bp.route("/01/<gtin>/10/<path:batch_code>")
@exempt
def gs1(gtin: str, batch_code: str):
    """GS1 Digital Link: the GTIN (any of its lengths) and the lot resolve to the same page."""
    batch = None
    try:
        normal = normalise_gtin(gtin[:20])
    except ValueError:
        normal = None
    if normal and len(batch_code) <= BATCH_CODE_MAX:
        batch = db.session.scalar(
            select(TraceBatch)
            .where(TraceBatch.gtin == normal, TraceBatch.batch_code == batch_code)
            .order_by(TraceBatch.id)
            .limit(1)
        )
    return scan_answer(batch)


def scan_answer(batch: TraceBatch | None):
    if batch is None:
        response = make_response(render_template("trace/unknown.html"), 404)
    else:
        response = make_response(render_template("trace/scan.html", view=scan_view(batch)))
    response.cache_control.no_store = True
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def scan_view(batch: TraceBatch) -> ScanView:
    batch_id = batch.id
    scans = None
    if request.method == "GET":  # a HEAD (a link checker) is not a scan
        try:
            with unit_of_work(actor=SCAN_ACTOR) as work:
                scans = record_scan(work, batch_id)
        except OperationalError:
            # A database too busy to count (SQLite's lock held past its timeout): the buyer still
            # gets the page, with the count as it stands; a lost scan matters less than the answer.
            current_app.logger.warning("scan of batch %s not counted: database busy", batch_id)
        batch = db.session.get(TraceBatch, batch_id)  # reloaded after the commit
    if scans is None:
        scans = scan_counts([batch_id]).get(batch_id, 0)
    producer_shown = batch.producer.is_public
    state = auth_state(batch.authorization, local_today()).status
    return ScanView(
        batch=batch,
        scans=scans,
        state=state if producer_shown else "not_authorized",
        producer_shown=producer_shown,
        product_linked=batch.product.is_public,
        warning=scans > int(current_app.config.get("TRACE_SCAN_WARNING", 50)),
    )
