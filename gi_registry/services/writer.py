"""The machinery every record write shares: lookups by slug in batches, and the generic upsert.

A ``RecordWriter`` lives as long as its unit of work, so a form that saves three records, and an
import that saves thirty thousand, both look each referenced record up once. What is particular to a
kind (relations, protections, brand parents) is in that kind's service module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import Brand, Category, GIProduct, Listing, Region, now_utc
from gi_registry.services.batches import scalars_in
from gi_registry.services.errors import ConflictError
from gi_registry.services.schema import FIELDS
from gi_registry.services.unit import Work

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
# The collections an update replaces, loaded with the record so that snapshots need no extra query.
EAGER = {
    GIProduct: (GIProduct.category, GIProduct.regions, GIProduct.protections),
    Brand: (Brand.parent, Brand.products, Brand.producers),
    Listing: (Listing.producer, Listing.product, Listing.category),
}

Relate = Callable[["RecordWriter", Any, dict], None]


def writer_for(work: Work, progress: Callable[[int], None] | None = None) -> RecordWriter:
    if work.writer is None:
        work.writer = RecordWriter(work)
    if progress is not None:
        work.writer.progress = progress
    return work.writer


def check_version(obj: Any, expected: int | None) -> None:
    """A form sends back the version it showed; an older one means someone saved in between."""
    if obj is not None and expected is not None and obj.version != expected:
        raise ConflictError()


class RecordWriter:
    def __init__(self, work: Work):
        self.work = work
        self.history = work.history
        self.progress: Callable[[int], None] = lambda done: None
        self._categories: dict[str, Category] | None = None
        self.regions: dict[str, Region] = {}
        self.cache: dict[str, dict[str, Any]] = {}

    @property
    def categories(self) -> dict[str, Category]:
        if self._categories is None:
            self._categories = {c.code: c for c in db.session.scalars(select(Category))}
        return self._categories

    def load_regions(self, codes: Iterable[str]) -> None:
        missing = {code for code in codes if code not in self.regions}
        self.regions.update({r.code: r for r in scalars_in(select(Region), Region.code, missing)})

    def lookup(self, model, slugs: Iterable[str]) -> dict[str, Any]:
        """Existing records by slug, with the collections an update replaces loaded in bulk."""
        query = select(model).options(*(selectinload(rel) for rel in EAGER.get(model, ())))
        return {o.slug: o for o in scalars_in(query, model.slug, slugs)}

    def prefetch(self, kind: str, model, slugs: Iterable[str | None]) -> None:
        """Load the records a later loop will reference, in batches rather than one query each."""
        cache = self.cache.setdefault(kind, {})
        missing = sorted({s for s in slugs if s and s not in cache})
        cache.update(self.lookup(model, missing))

    def get(self, kind: str, model, slug: str):
        cache = self.cache.setdefault(kind, {})
        if slug not in cache:
            cache[slug] = db.session.scalar(select(model).where(model.slug == slug))
        return cache[slug]

    def upsert(
        self,
        kind: str,
        model,
        records: list[dict],
        relate: Relate,
        *,
        expected_version: int | None = None,
    ) -> list[Any]:
        """Create or update each record by slug, track its history, and relate it to others."""
        existing = self.lookup(model, [r["slug"] for r in records])
        cache = self.cache.setdefault(kind, {})
        written = []
        # A half-built record must not be flushed by a lookup its relations make.
        with db.session.no_autoflush:
            for record in records:
                obj = existing.get(record["slug"])
                check_version(obj, expected_version)
                obj = self.assign(kind, model, obj, record)
                relate(self, obj, record)
                cache[record["slug"]] = obj
                written.append(obj)
                self.progress(1)
        return written

    def assign(self, kind: str, model, obj, record: dict, **identity):
        """Copy the plain fields of ``record`` onto ``obj`` (a new ``model`` when None)."""
        is_new = obj is None
        if is_new:
            obj = model(**(identity or {"slug": record["slug"]}))
            for name, value in DEFAULTS[kind].items():
                setattr(obj, name, value)
            db.session.add(obj)
        self.history.track(kind, obj, is_new=is_new)
        for name in PLAIN[kind]:
            if name in record:
                setattr(obj, name, record[name])
        if "status" in record and hasattr(obj, "archived_at"):
            archived = record["status"] == "archived"
            obj.archived_at = (obj.archived_at or now_utc()) if archived else None
        return obj
