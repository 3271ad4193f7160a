"""Writing validated records: upsert by slug (authorizations by producer and product), in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.interchange.validate import Validated
from gi_registry.models import (
    Authorization,
    Brand,
    Category,
    GIProduct,
    Listing,
    Producer,
    Protection,
    Region,
    now_utc,
)
from gi_registry.naming import apply_name_forms
from gi_registry.services.batches import scalars_in
from gi_registry.services.history import AuditTrail
from gi_registry.services.schema import FIELDS
from gi_registry.services.snapshots import protection_record

# Fields that name other records or need conversion; every other schema field is copied as it is.
RELATIONS = {
    "products": {"slug", "category", "region_codes", "protections"},
    "brands": {"slug", "parent", "products", "producers"},
    "producers": {"slug"},
    "authorizations": {"producer", "product"},
    "listings": {"slug", "producer", "product", "category"},
}
PLAIN = {
    kind: tuple(f.name for f in FIELDS[kind] if f.name not in RELATIONS[kind]) for kind in FIELDS
}
# Defaults for records created from input that left optional fields out (a CSV without the column).
DEFAULTS: dict[str, dict[str, Any]] = {
    "products": {
        "aliases": [],
        "programmes": [],
        "sources": [],
        "summary": "",
        "description": "",
        "scope": "",
        "quality_requirements": "",
    },
    "brands": {"sources": [], "description": "", "sample": False},
    "producers": {
        "address": "",
        "phone": "",
        "website": "",
        "description": "",
        "verified": False,
        "sample": False,
    },
    "authorizations": {},
    "listings": {"description": "", "unit": "", "price_unit": ""},
}


class Applier:
    def __init__(
        self,
        validated: Validated,
        progress: Callable[[int], None] | None = None,
        actor: str = "system",
    ):
        self.validated = validated
        self.progress = progress or (lambda done: None)
        self.audit = AuditTrail(actor)
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()
        self.categories = {c.code: c for c in db.session.scalars(select(Category))}
        self.cache: dict[str, dict[str, Any]] = {}

    def run(self) -> None:
        records = self.validated.records
        # No autoflush: the loops below read (regions, existing rows) between writes, and a flush per
        # read turns an import of thousands of records into thousands of round trips.
        with db.session.no_autoflush:
            self.regions = self.load_regions(records)
            self.upsert("products", GIProduct, records["products"], self.product_relations)
            self.prefetch_references(records)
            self.csv_protections()
            self.upsert(
                "producers", Producer, records["producers"], lambda obj, _: apply_name_forms(obj)
            )
            self.upsert("brands", Brand, records["brands"], self.brand_relations)
            self.brand_parents(records["brands"])
            self.authorizations(records["authorizations"])
            self.upsert("listings", Listing, records["listings"], self.listing_relations)
        db.session.flush()
        for kind, action in self.audit.write().items():
            self.created[kind] += action["create"]
            self.updated[kind] += action["update"] + action["archive"]
            self.unchanged[kind] += action["unchanged"]

    def prefetch_references(self, records: dict[str, list[dict]]) -> None:
        product_slugs = [r.get("product") for r in records["authorizations"] + records["listings"]]
        product_slugs += [s for r in records["brands"] for s in r.get("products", [])]
        product_slugs += [r.get("product") for r in self.validated.protections]
        producer_slugs = [
            r.get("producer") for r in records["authorizations"] + records["listings"]
        ]
        producer_slugs += [s for r in records["brands"] for s in r.get("producers", [])]
        self.prefetch("products", GIProduct, product_slugs)
        self.prefetch("producers", Producer, producer_slugs)
        self.prefetch("brands", Brand, [r.get("parent") for r in records["brands"]])

    # -- lookups --------------------------------------------------------------------------------
    def load_regions(self, records: dict[str, list[dict]]) -> dict[str, Region]:
        codes = [c for r in records["products"] for c in r.get("region_codes", [])]
        return {r.code: r for r in scalars_in(select(Region), Region.code, codes)}

    def lookup(self, model, slugs: list[str]) -> dict[str, Any]:
        """Existing records by slug, with the collections an update replaces loaded in bulk."""
        eager = {
            GIProduct: (GIProduct.category, GIProduct.regions, GIProduct.protections),
            Brand: (Brand.parent, Brand.products, Brand.producers),
            Listing: (Listing.producer, Listing.product, Listing.category),
        }.get(model, ())
        query = select(model).options(*(selectinload(rel) for rel in eager))
        return {o.slug: o for o in scalars_in(query, model.slug, slugs)}

    def prefetch(self, kind: str, model, slugs) -> None:
        """Load the records a later loop will reference, in batches rather than one query each."""
        cache = self.cache.setdefault(kind, {})
        missing = sorted({s for s in slugs if s and s not in cache})
        cache.update(self.lookup(model, missing))

    def get(self, kind: str, model, slug: str):
        cache = self.cache.setdefault(kind, {})
        if slug not in cache:
            cache[slug] = db.session.scalar(select(model).where(model.slug == slug))
        return cache[slug]

    # -- generic upsert -----------------------------------------------------------------------------
    def upsert(self, kind: str, model, records: list[dict], relate: Callable) -> None:
        existing = self.lookup(model, [r["slug"] for r in records])
        cache = self.cache.setdefault(kind, {})
        for record in records:
            obj = existing.get(record["slug"])
            is_new = obj is None
            if is_new:
                obj = model(slug=record["slug"])
                for name, value in DEFAULTS[kind].items():
                    setattr(obj, name, value)
                db.session.add(obj)
            self.audit.track(kind, obj, is_new=is_new)
            for name in PLAIN[kind]:
                if name in record:
                    setattr(obj, name, record[name])
            if "status" in record and hasattr(obj, "archived_at"):
                archived = record["status"] == "archived"
                obj.archived_at = (obj.archived_at or now_utc()) if archived else None
            relate(obj, record)
            cache[record["slug"]] = obj
            self.progress(1)

    def product_relations(self, product: GIProduct, record: dict) -> None:
        apply_name_forms(product)
        if "category" in record:
            product.category = self.categories[record["category"]]
        if "region_codes" in record:
            # In the order the relationship loads them, so an unchanged list compares equal.
            product.regions = [self.regions[code] for code in sorted(record["region_codes"])]
        if "protections" in record:
            self.replace_protections(product, record["protections"])

    def replace_protections(self, product: GIProduct, items: list[dict]) -> None:
        # The input is the full, ordered list for the product: it replaces what was there, unless it
        # is the same list, so an unchanged re-import keeps the rows (and their ids) as they are.
        wanted = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
        if [protection_record(p) for p in product.protections] == wanted:
            return
        product.protections = [
            Protection(position=i, **{k: v for k, v in item.items() if not k.startswith("_")})
            for i, item in enumerate(items)
        ]

    def csv_protections(self) -> None:
        by_product: dict[str, list[dict]] = {}
        for row in self.validated.protections:
            by_product.setdefault(row["product"], []).append(
                {k: v for k, v in row.items() if k != "product"}
            )
        for slug, items in by_product.items():
            product = self.get("products", GIProduct, slug)
            self.audit.track("products", product, is_new=False)
            self.replace_protections(product, items)

    def brand_relations(self, brand: Brand, record: dict) -> None:
        apply_name_forms(brand)
        if "products" in record:
            brand.products = [
                self.get("products", GIProduct, s) for s in sorted(record["products"])
            ]
        if "producers" in record:
            brand.producers = [
                self.get("producers", Producer, s) for s in sorted(record["producers"])
            ]

    def brand_parents(self, records: list[dict]) -> None:
        # After every brand exists, so that a member may come before its umbrella in the file.
        for record in records:
            if "parent" in record:
                brand = self.get("brands", Brand, record["slug"])
                brand.parent = (
                    self.get("brands", Brand, record["parent"]) if record["parent"] else None
                )

    def authorizations(self, records: list[dict]) -> None:
        if not records:
            return
        pairs = [
            (
                self.get("producers", Producer, r["producer"]),
                self.get("products", GIProduct, r["product"]),
            )
            for r in records
        ]
        db.session.flush()  # new producers and products need their ids before the lookup below
        existing = self.existing_authorizations({producer.id for producer, _ in pairs})
        for record, (producer, product) in zip(records, pairs, strict=True):
            auth = existing.get((producer.id, product.id))
            is_new = auth is None
            if is_new:
                auth = Authorization(producer=producer, product=product)
                db.session.add(auth)
            self.audit.track("authorizations", auth, is_new=is_new)
            self.progress(1)
            for name in PLAIN["authorizations"]:
                if name in record:
                    setattr(auth, name, record[name])

    def existing_authorizations(
        self, producer_ids: set[int]
    ) -> dict[tuple[int, int], Authorization]:
        rows = scalars_in(select(Authorization), Authorization.producer_id, producer_ids)
        return {(a.producer_id, a.product_id): a for a in rows}

    def listing_relations(self, listing: Listing, record: dict) -> None:
        listing.producer = self.get("producers", Producer, record["producer"])
        if "product" in record:
            listing.product = (
                self.get("products", GIProduct, record["product"]) if record["product"] else None
            )
        if "category" in record:
            listing.category = self.categories[record["category"]] if record["category"] else None
        if listing.category is None and listing.product is not None:
            listing.category = listing.product.category
