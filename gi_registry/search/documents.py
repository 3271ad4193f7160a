"""Entity → document builders. Adding a kind (stories, events) means registering one more builder.

A builder receives rows that the database already calls public (``visible``) and returns the fields of
``schema.build_schema``. Indexed text is folded here, once; stored fields (title, snippet) keep the
original spelling for display.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from gi_registry import vocab
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer, Region
from gi_registry.models.visibility import (
    brand_is_public,
    listing_is_public,
    producer_is_public,
    product_is_public,
)
from gi_registry.placenames import short_region_name
from gi_registry.search import text
from gi_registry.search.glossary import english_glosses

# Stored text the highlighter cuts a window from. Products get more, so a match deep in the story
# still shows where it is; listings are short and many, so they get less.
SNIPPET_CHARS = {"product": 600}
DEFAULT_SNIPPET_CHARS = 240
_MARKDOWN = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[#>*_`|~]+")


def plain(markdown: str) -> str:
    """Markdown to running text: link targets, emphasis and heading marks dropped."""
    return " ".join(_MARKDOWN.sub(r"\1", markdown or "").split())


@dataclass
class RegionDirectory:
    """Names and parents of the regions a batch of documents needs, fetched one level at a time:
    three small queries per batch instead of one per document (or all 3,400 rows per drain)."""

    session: Session
    rows: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def preload(self, codes: Iterable[str | None]) -> None:
        wanted = {c for c in codes if c} - self.rows.keys()
        for _level in range(6):  # a cycle or a deeper tree cannot loop forever
            if not wanted:
                return
            query = sa.select(Region.code, Region.name, Region.parent_code).where(
                Region.code.in_(wanted)
            )
            found = {code: (name, parent) for code, name, parent in self.session.execute(query)}
            self.rows.update(found)
            wanted = {parent for _name, parent in found.values() if parent} - self.rows.keys()

    def lineage(self, code: str | None) -> list[tuple[str, str]]:
        """(code, name) from the region up to its province; stops at an empty parent or a cycle."""
        if code and code not in self.rows:  # load_documents preloads every code of a batch
            self.preload([code])
        chain, seen, rows = [], set(), self.rows
        while code and code in rows and code not in seen:
            seen.add(code)
            name, parent = rows[code]
            chain.append((code, name))
            code = parent
        return chain


@dataclass
class Fields:
    """Collects one document's text, then folds and joins it."""

    names: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    region_names: list[str] = field(default_factory=list)
    region_codes: set[str] = field(default_factory=set)
    own_codes: set[str] = field(default_factory=set)
    body: list[str] = field(default_factory=list)
    category: str = ""

    def add_regions(self, directory: RegionDirectory, codes: Iterable[str | None]) -> None:
        for code in codes:
            if code:
                self.own_codes.add(code)
            for region_code, name in directory.lineage(code):
                self.region_codes.add(region_code)
                if name not in self.region_names and name != "市辖区":
                    self.region_names.append(name)

    def document(self, kind: str, record: Any, title: str, subtitle: str, snippet: str) -> dict:
        names = [text.fold(n) for n in self.names if n]
        glosses = [g for n in names for g in english_glosses(n)]
        shorts = [text.fold(short_region_name(n)) for n in self.region_names]
        name_syllables = [text.syllables_of(n) for n in names]
        doc = {
            "key": f"{kind}:{record.id}",
            "kind": kind,
            "slug": record.slug,
            "title": title,
            "subtitle": subtitle,
            "snippet": snippet[: SNIPPET_CHARS.get(kind, DEFAULT_SNIPPET_CHARS)],
            "name": "\n".join(names),
            "name_key": "\n".join(names + [text.fold(e) for e in self.english if e]),
            "py": " ".join(" ".join(s) for s in name_syllables),
            "py_fuzzy": " ".join(text.fuzzy_syllable(s) for ss in name_syllables for s in ss),
            "py_key": "\n".join("".join(s) for s in name_syllables if s),
            "initials": "\n".join("".join(x[0] for x in s) for s in name_syllables if s),
            "en": " ".join([text.fold(e) for e in self.english if e] + glosses),
            # Short forms are prefixes of the full names (延边 of 延边朝鲜族自治州), so their bigrams
            # are already there.
            "regions": "\n".join(text.fold(n) for n in self.region_names),
            "body": text.fold_long("\n".join(b for b in self.body if b)),
            "region": " ".join(sorted(self.region_codes)),
            "region_own": " ".join(sorted(self.own_codes)),
        }
        if kind == "product":
            # Fields only the GI-product bonuses read (see query.tier_bonus). On listings, six in
            # seven documents, they would only add postings that every query walks.
            doc["region_key"] = "\n".join([text.fold(n) for n in self.region_names] + shorts)
            doc["region_py"] = " ".join(" ".join(text.syllables_of(s)) for s in shorts)
            doc["category_text"] = text.fold(self.category)
        return doc


def finish(doc: dict, **facets: str) -> dict:
    doc.update({k: v for k, v in facets.items() if v})
    payload = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    doc["digest"] = hashlib.sha1(payload, usedforsecurity=False).hexdigest()
    return doc


@dataclass(frozen=True)
class DocumentKind:
    name: str
    model: type
    visible: Callable[[], sa.ColumnElement[bool]]
    load: Callable[[], list]
    build: Callable[[Any, RegionDirectory], dict]
    region_codes: Callable[[Any], Iterable[str | None]] = lambda row: ()


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.name] = kind
    return kind


# ---- products -------------------------------------------------------------------------------


def product_document(product: GIProduct, regions: RegionDirectory) -> dict:
    f = Fields(names=[product.name_zh, *product.aliases], english=[product.name_en or ""])
    f.english.append(product.category.name_en)
    f.category = product.category.name_zh
    f.add_regions(regions, (r.code for r in product.regions))
    f.body = [
        product.summary,
        plain(product.description),
        product.scope,
        product.quality_requirements,
        product.category.name_zh,
        *(vocab.PROTECTION_KINDS[k] for k in product.protection_kinds),
        *(b.name_zh for b in product_brands(product)),
    ]
    place = "、".join(short_region_name(r.name) for r in product.regions[:3])
    subtitle = " · ".join(x for x in (product.category.name_zh, place) if x)
    story = " ".join(x for x in (product.summary, plain(product.description)) if x)
    doc = f.document("product", product, product.name_zh, subtitle, story)
    doc["places"] = "、".join(short_region_name(r.name) for r in product.regions)
    return finish(
        doc,
        category=product.category.code,
        protection=" ".join(product.protection_kinds),
    )


def product_brands(product: GIProduct) -> list[Brand]:
    return [b for b in product.brands if b.is_public]


register(
    DocumentKind(
        name="product",
        model=GIProduct,
        visible=product_is_public,
        load=lambda: [
            selectinload(GIProduct.category),
            selectinload(GIProduct.regions),
            selectinload(GIProduct.protections),
            selectinload(GIProduct.brands),
        ],
        build=product_document,
        region_codes=lambda p: [r.code for r in p.regions],
    )
)


# ---- brands ---------------------------------------------------------------------------------


def brand_document(brand: Brand, regions: RegionDirectory) -> dict:
    f = Fields(names=[brand.name_zh], english=[brand.name_en or ""])
    products = [p for p in brand.products if p.is_public]
    f.add_regions(regions, (r.code for p in products for r in p.regions))
    parent = brand.parent.name_zh if brand.parent and brand.parent.is_public else ""
    f.body = [
        plain(brand.description),
        vocab.BRAND_KINDS[brand.kind],
        parent,
        *(p.name_zh for p in products),
    ]
    subtitle = " · ".join(x for x in (vocab.BRAND_KINDS[brand.kind], parent) if x)
    doc = f.document("brand", brand, brand.name_zh, subtitle, plain(brand.description))
    return finish(doc)


register(
    DocumentKind(
        name="brand",
        model=Brand,
        visible=brand_is_public,
        load=lambda: [
            selectinload(Brand.parent),
            selectinload(Brand.products).selectinload(GIProduct.regions),
        ],
        build=brand_document,
        region_codes=lambda b: [r.code for p in b.products for r in p.regions],
    )
)


# ---- producers ------------------------------------------------------------------------------


def producer_document(producer: Producer, regions: RegionDirectory) -> dict:
    f = Fields(names=[producer.name_zh])
    f.add_regions(regions, [producer.region_code])
    authorised = [a.product for a in producer.authorizations if a.status == "active"]
    f.body = [
        plain(producer.description),
        producer.address,
        vocab.PRODUCER_KINDS[producer.kind],
        *(p.name_zh for p in authorised if p.is_public),
        *(b.name_zh for b in producer.brands if b.is_public),
    ]
    place = short_region_name(producer.region.name) if producer.region else ""
    subtitle = " · ".join(x for x in (vocab.PRODUCER_KINDS[producer.kind], place) if x)
    doc = f.document("producer", producer, producer.name_zh, subtitle, plain(producer.description))
    return finish(doc, verified="1" if producer.verified else "0")


register(
    DocumentKind(
        name="producer",
        model=Producer,
        visible=producer_is_public,
        load=lambda: [
            selectinload(Producer.region),
            selectinload(Producer.authorizations).selectinload(Authorization.product),
            selectinload(Producer.brands),
        ],
        build=producer_document,
        region_codes=lambda p: [p.region_code],
    )
)


# ---- listings -------------------------------------------------------------------------------


def listing_document(listing: Listing, regions: RegionDirectory) -> dict:
    f = Fields()
    f.add_regions(regions, [listing.region_code or listing.producer.region_code])
    product = listing.product if listing.product and listing.product.is_public else None
    category = listing.category or (listing.product.category if listing.product else None)
    kind_label = vocab.LISTING_KINDS[listing.kind]
    f.category = category.name_zh if category else ""
    f.body = [
        listing.title,
        plain(listing.description),
        kind_label,
        product.name_zh if product else "",
        category.name_zh if category else "",
        listing.producer.name_zh,
    ]
    subtitle = " · ".join(x for x in (kind_label, listing.producer.name_zh) if x)
    doc = f.document("listing", listing, listing.title, subtitle, plain(listing.description))
    return finish(
        doc,
        category=category.code if category else "",
        listing_kind=listing.kind,
        verified="1" if listing.producer.verified else "0",
    )


register(
    DocumentKind(
        name="listing",
        model=Listing,
        visible=listing_is_public,
        load=lambda: [
            selectinload(Listing.producer),
            selectinload(Listing.product).selectinload(GIProduct.category),
            selectinload(Listing.category),
        ],
        build=listing_document,
        region_codes=lambda item: [item.region_code or item.producer.region_code],
    )
)


# ---- loading ---------------------------------------------------------------------------------


def load_documents(session: Session, kind: str, ids: Iterable[int]) -> tuple[list[dict], set[int]]:
    """Build the documents for ``ids`` of one kind; also return the ids that are not (or no longer) public."""
    spec = KINDS[kind]
    wanted = set(ids)
    rows = session.scalars(
        sa.select(spec.model).where(spec.model.id.in_(wanted), spec.visible()).options(*spec.load())
    ).all()
    regions = RegionDirectory(session)
    regions.preload(code for row in rows for code in spec.region_codes(row))
    docs = [spec.build(row, regions) for row in rows]
    return docs, wanted - {row.id for row in rows}


def visible_ids(session: Session, kind: str) -> list[int]:
    spec = KINDS[kind]
    return list(
        session.scalars(sa.select(spec.model.id).where(spec.visible()).order_by(spec.model.id))
    )
