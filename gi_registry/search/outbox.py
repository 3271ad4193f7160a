"""Outbox hooks: every flush that touches searchable data appends ``search_outbox`` rows in the same
transaction, so a rollback leaves nothing behind and a crash after commit loses nothing.

The hooks listen on every SQLAlchemy session, so services, the importer, the CLI and tests are all
covered without remembering to call anything. Relation changes fan out here too: renaming a region
re-indexes everything located under it, a brand gaining a product re-indexes that product.
Bulk Core statements (``session.execute(insert(...))``) bypass the ORM and these hooks; code that
writes that way must follow with ``flask search rebuild`` (only the benchmark generator does).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from gi_registry.models import (
    Authorization,
    Brand,
    Category,
    GIProduct,
    Listing,
    Producer,
    Protection,
    Region,
    SearchOutbox,
    brand_producers,
    brand_products,
    now_utc,
)
from gi_registry.models.base import UTCDateTime
from gi_registry.models.catalog import product_regions

PENDING = "search_outbox_pending"
Ref = tuple[str, int]


class Change:
    """What one flushed object contributes: direct refs and fan-out SELECTs of (kind, id)."""

    def __init__(self, obj, state: str):
        self.obj = obj
        self.state = state  # "new", "dirty" or "deleted"
        self.refs: set[Ref] = set()
        self.selects: list[sa.Select] = []

    def changed(self, *attrs: str) -> bool:
        if self.state != "dirty":
            return self.state == "deleted"
        inspected = sa.inspect(self.obj)
        return any(inspected.attrs[a].history.has_changes() for a in attrs)

    def collection_delta(self, attr: str) -> list:
        history = sa.inspect(self.obj).attrs[attr].history
        return list(history.added or ()) + list(history.deleted or ())

    def fan_out(self, kind: str, id_column, *where) -> None:
        self.selects.append(sa.select(sa.literal(kind), id_column).where(*where))


def on_product(c: Change) -> None:
    product = c.obj
    c.refs.add(("product", product.id))
    if c.changed("name_zh", "name_en", "aliases", "category_id", "status", "archived_at"):
        c.fan_out("listing", Listing.id, Listing.product_id == product.id)
        c.fan_out("producer", Authorization.producer_id, Authorization.product_id == product.id)
    # A brand's document holds its products' names and regions.
    if c.changed("name_zh", "status", "archived_at", "regions"):
        c.fan_out("brand", brand_products.c.brand_id, brand_products.c.product_id == product.id)


def on_brand(c: Change) -> None:
    brand = c.obj
    c.refs.add(("brand", brand.id))
    if c.state in ("new", "deleted"):
        # A deleted brand's link rows are gone by the time fan-out SELECTs run; its loaded
        # collections still say which documents held its name.
        c.refs.update(("product", p.id) for p in brand.products if p.id)
        c.refs.update(("producer", p.id) for p in brand.producers if p.id)
    if c.state == "dirty":
        c.refs.update(("product", p.id) for p in c.collection_delta("products") if p.id)
        c.refs.update(("producer", p.id) for p in c.collection_delta("producers") if p.id)
    if c.changed("name_zh", "status", "archived_at"):
        c.fan_out("brand", Brand.id, Brand.parent_id == brand.id)
        c.fan_out("product", brand_products.c.product_id, brand_products.c.brand_id == brand.id)
        c.fan_out("producer", brand_producers.c.producer_id, brand_producers.c.brand_id == brand.id)


def on_producer(c: Change) -> None:
    producer = c.obj
    c.refs.add(("producer", producer.id))
    if c.state == "dirty":
        c.refs.update(("brand", b.id) for b in c.collection_delta("brands") if b.id)
    if c.changed("name_zh", "status", "archived_at", "verified", "region_code"):
        c.fan_out("listing", Listing.id, Listing.producer_id == producer.id)


def on_region(c: Change) -> None:
    if c.state == "new" or not c.changed("name", "parent_code"):
        return
    code = c.obj.code
    child = sa.select(Region.code).where(Region.parent_code == code)
    subtree = sa.or_(Region.code == code, Region.parent_code == code, Region.parent_code.in_(child))
    codes = sa.select(Region.code).where(subtree)
    products_there = sa.select(product_regions.c.product_id).where(
        product_regions.c.region_code.in_(codes)
    )
    c.fan_out("product", product_regions.c.product_id, product_regions.c.region_code.in_(codes))
    c.fan_out("brand", brand_products.c.brand_id, brand_products.c.product_id.in_(products_there))
    c.fan_out("producer", Producer.id, Producer.region_code.in_(codes))
    c.fan_out("listing", Listing.id, Listing.region_code.in_(codes))
    # Listings without a region of their own are placed by their producer's region.
    c.fan_out(
        "listing",
        Listing.id,
        Listing.region_code.is_(None),
        Listing.producer_id.in_(sa.select(Producer.id).where(Producer.region_code.in_(codes))),
    )


def on_category(c: Change) -> None:
    if c.state == "new" or not c.changed("code", "name_zh", "name_en"):
        return
    category_id = c.obj.id
    products = sa.select(GIProduct.id).where(GIProduct.category_id == category_id)
    c.fan_out("product", GIProduct.id, GIProduct.category_id == category_id)
    c.fan_out(
        "listing",
        Listing.id,
        sa.or_(Listing.category_id == category_id, Listing.product_id.in_(products)),
    )


def owners(c: Change, kind: str, attr: str) -> None:
    """The owner a child row belongs to, and the one it was moved away from."""
    c.refs.add((kind, getattr(c.obj, attr)))
    if c.state == "dirty":
        c.refs.update((kind, old) for old in sa.inspect(c.obj).attrs[attr].history.deleted or ())


def on_authorization(c: Change) -> None:
    owners(c, "producer", "producer_id")


HANDLERS: dict[type, Callable[[Change], None]] = {
    GIProduct: on_product,
    Protection: lambda c: owners(c, "product", "product_id"),
    Brand: on_brand,
    Producer: on_producer,
    Authorization: on_authorization,
    Listing: lambda c: c.refs.add(("listing", c.obj.id)),
    Region: on_region,
    Category: on_category,
}


def collect_changes(session: Session) -> list[Change]:
    changes = []
    for state, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            handler = HANDLERS.get(type(obj))
            if handler is None or (state == "dirty" and not session.is_modified(obj)):
                continue
            change = Change(obj, state)
            handler(change)
            changes.append(change)
    return changes


def after_flush(session: Session, _flush_context) -> None:
    changes = collect_changes(session)
    refs = {ref for c in changes for ref in c.refs if ref[1] is not None}
    selects = [s for c in changes for s in c.selects]
    if not refs and not selects:
        return
    table = SearchOutbox.__table__
    now = now_utc()
    connection = session.connection()
    if refs:
        rows = [{"kind": k, "entity_id": i, "created_at": now} for k, i in sorted(refs)]
        connection.execute(sa.insert(table), rows)
    stamp = sa.literal(now, UTCDateTime())
    for select in selects:
        select = select.add_columns(stamp)
        connection.execute(
            sa.insert(table).from_select(["kind", "entity_id", "created_at"], select)
        )
    session.info[PENDING] = True


def forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def install(on_commit: Callable[[Session], None]) -> None:
    """Listen on every session (idempotent). ``on_commit`` runs after a commit that wrote rows."""

    def after_commit(session: Session) -> None:
        if session.info.pop(PENDING, False):
            on_commit(session)

    if not event.contains(Session, "after_flush", after_flush):
        event.listen(Session, "after_flush", after_flush)
        event.listen(Session, "after_rollback", forget)
        event.listen(Session, "after_commit", after_commit)
