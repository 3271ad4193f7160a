#!/usr/bin/env python3
"""Quick self-check of the shipped sample document gi_registry/sample/gi_sample.json.

Usage:
    python tools/check_sample.py [DIVISIONS_CSV] [--sources CSV] [--sample JSON]

DIVISIONS_CSV defaults to ../shared/data/jilin_divisions.csv relative to the repository root;
--sources defaults to jilin_gi_sources.csv next to it. Exits 1 and lists the problems if any check fails.
Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTIAL_DATE_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

KEYS = {
    "document": ["format", "products", "brands", "producers", "authorizations", "listings"],
    "product": [
        "slug",
        "name_zh",
        "name_en",
        "aliases",
        "category",
        "region_codes",
        "summary",
        "description",
        "scope",
        "quality_requirements",
        "protections",
        "programmes",
        "sources",
        "status",
    ],
    "protection": [
        "kind",
        "authority",
        "number",
        "applied_on",
        "approved_on",
        "status",
        "holder",
        "source_url",
        "note",
    ],
    "source": ["url", "title", "confidence", "note"],
    "brand": [
        "slug",
        "name_zh",
        "name_en",
        "kind",
        "parent",
        "products",
        "producers",
        "trademark_number",
        "description",
        "sources",
        "sample",
        "status",
    ],
    "producer": [
        "slug",
        "name_zh",
        "credit_code",
        "kind",
        "region_code",
        "address",
        "phone",
        "website",
        "description",
        "verified",
        "sample",
        "status",
    ],
    "authorization": ["producer", "product", "number", "valid_from", "valid_to", "status"],
    "listing": [
        "slug",
        "kind",
        "producer",
        "product",
        "category",
        "title",
        "description",
        "quantity",
        "unit",
        "price_min",
        "price_max",
        "price_unit",
        "region_code",
        "available_from",
        "available_to",
        "status",
    ],
}
CATEGORIES = {
    "grain",
    "beans",
    "oilseed",
    "medicinal",
    "deer",
    "livestock",
    "aquatic",
    "fungi",
    "fruit",
    "beverage",
    "handicraft",
    "other",
}
PROTECTION_KINDS = {"gi_product", "certification_mark", "collective_mark", "agri_gi"}
PROTECTION_STATUSES = {"applied", "accepted", "approved", "changed", "cancelled"}
PROGRAMMES = {"gi_demo_zone", "gi_promotion_project", "plan_featured", "jilin_top10_2021"}
CONFIDENCE = {"official", "press", "weak"}
PRODUCER_KINDS = {"enterprise": "1", "cooperative": "3", "family_farm": "2", "individual": "2"}
AUTH_STATUSES = {"active", "suspended", "revoked", "expired"}
LISTING_STATUSES = {"draft", "pending", "published", "rejected", "closed", "expired"}
SAMPLE_SUFFIX = "（示例）"


def check_digit_ok(code: str) -> bool:
    if len(code) != 18 or any(ch not in CHARSET for ch in code):
        return False
    c = 31 - sum(CHARSET.index(ch) * w for ch, w in zip(code[:17], WEIGHTS, strict=False)) % 31
    return code[17] == CHARSET[0 if c == 31 else c]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "divisions", nargs="?", default=str(REPO / ".." / "shared" / "data" / "jilin_divisions.csv")
    )
    parser.add_argument(
        "--sources", default=None, help="jilin_gi_sources.csv (default: next to DIVISIONS_CSV)"
    )
    parser.add_argument("--sample", default=str(REPO / "gi_registry" / "sample" / "gi_sample.json"))
    args = parser.parse_args()
    divisions_path = Path(args.divisions)
    sources_path = (
        Path(args.sources) if args.sources else divisions_path.with_name("jilin_gi_sources.csv")
    )
    sample_path = Path(args.sample)

    with divisions_path.open(encoding="utf-8") as fh:
        divisions = {row["code"]: row for row in csv.DictReader(fh)}
    with sources_path.open(encoding="utf-8") as fh:
        source_rows = list(csv.DictReader(fh))
    csv_numbers = {r["number_as_published"] for r in source_rows if r["number_as_published"]}
    csv_urls = {r["source_url"] for r in source_rows}
    doc = json.loads(sample_path.read_text(encoding="utf-8"))

    errors: list[str] = []

    def err(where: str, message: str) -> None:
        errors.append(f"{where}: {message}")

    def keys(where: str, obj: dict, kind: str) -> None:
        if not isinstance(obj, dict):
            err(where, "not an object")
            return
        if list(obj) != KEYS[kind]:
            err(where, f"keys {list(obj)} != {KEYS[kind]}")

    def region_ok(where: str, code) -> None:
        if code not in divisions:
            err(where, f"unknown region code {code!r}")

    def ancestors(code: str) -> set[str]:
        seen = set()
        while code and code not in seen:
            seen.add(code)
            code = divisions.get(code, {}).get("parent_code", "")
        return seen

    def date_ok(where: str, value, partial: bool) -> None:
        if value is None and partial:
            return
        if partial:
            if not isinstance(value, str) or not PARTIAL_DATE_RE.match(value):
                err(where, f"bad partial date {value!r}")
            return
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            err(where, f"bad date {value!r}")

    keys("document", doc, "document")
    if doc.get("format") != "gi-registry/1":
        err("format", f"{doc.get('format')!r} != 'gi-registry/1'")

    all_slugs: dict[str, set[str]] = {}
    for kind in ("products", "brands", "producers", "listings"):
        slugs = [item.get("slug") for item in doc.get(kind, [])]
        for slug, count in Counter(slugs).items():
            if count > 1:
                err(kind, f"duplicate slug {slug!r}")
        for slug in slugs:
            if not isinstance(slug, str) or not (2 <= len(slug) <= 80) or not SLUG_RE.match(slug):
                err(kind, f"malformed slug {slug!r}")
        all_slugs[kind] = set(slugs)
    products = {p["slug"]: p for p in doc["products"]}
    producers = {p["slug"]: p for p in doc["producers"]}

    # products
    for i, p in enumerate(doc["products"]):
        w = f"products[{i}] {p.get('slug')}"
        keys(w, p, "product")
        if p["category"] not in CATEGORIES:
            err(w, f"unknown category {p['category']!r}")
        if not p["region_codes"]:
            err(w, "no region code")
        for code in p["region_codes"]:
            region_ok(w, code)
        if len(p["summary"]) > 200:
            err(w, f"summary longer than 200 chars ({len(p['summary'])})")
        if p["status"] not in ("published", "draft"):
            err(w, f"bad status {p['status']!r}")
        for prog in p["programmes"]:
            if prog not in PROGRAMMES:
                err(w, f"unknown programme {prog!r}")
        if not p["sources"]:
            err(w, "no source")
        if p["status"] == "published" and not p["protections"]:
            err(w, "published product without a protection")
        for j, s in enumerate(p["sources"]):
            keys(f"{w} sources[{j}]", s, "source")
            if s["confidence"] not in CONFIDENCE:
                err(w, f"bad confidence {s['confidence']!r}")
            if s["url"] is not None and s["url"] not in csv_urls:
                err(w, f"source url not in the sources CSV: {s['url']}")
            if not s["title"]:
                err(w, "source without title")
        for j, pr in enumerate(p["protections"]):
            pw = f"{w} protections[{j}]"
            keys(pw, pr, "protection")
            if pr["kind"] not in PROTECTION_KINDS:
                err(pw, f"bad kind {pr['kind']!r}")
            if pr["status"] not in PROTECTION_STATUSES:
                err(pw, f"bad status {pr['status']!r}")
            if pr["number"] is not None and pr["number"] not in csv_numbers:
                err(pw, f"number not verbatim in number_as_published: {pr['number']!r}")
            if pr["source_url"] is not None and pr["source_url"] not in csv_urls:
                err(pw, f"source_url not in the sources CSV: {pr['source_url']}")
            date_ok(pw + " applied_on", pr["applied_on"], partial=True)
            date_ok(pw + " approved_on", pr["approved_on"], partial=True)

    # brands
    brand_slugs = all_slugs["brands"]
    for i, b in enumerate(doc["brands"]):
        w = f"brands[{i}] {b.get('slug')}"
        keys(w, b, "brand")
        if b["parent"] is not None and b["parent"] not in brand_slugs:
            err(w, f"unknown parent {b['parent']!r}")
        for ref in b["products"]:
            if ref not in products:
                err(w, f"unknown product {ref!r}")
        for ref in b["producers"]:
            if ref not in producers:
                err(w, f"unknown producer {ref!r}")
        if b["sample"] and not b["name_zh"].endswith(SAMPLE_SUFFIX):
            err(w, "sample brand name must end with （示例）")
        if b["kind"] not in ("regional", "enterprise", "tourism"):
            err(w, f"bad kind {b['kind']!r}")

    # producers
    codes = Counter()
    for i, p in enumerate(doc["producers"]):
        w = f"producers[{i}] {p.get('slug')}"
        keys(w, p, "producer")
        region_ok(w, p["region_code"])
        code = p["credit_code"]
        codes[code] += 1
        if not check_digit_ok(code):
            err(w, f"credit code {code!r} fails the GB 32100-2015 check")
        if code[2:8] != p["region_code"]:
            err(w, f"credit code chars 3-8 {code[2:8]} != region {p['region_code']}")
        if p["kind"] not in PRODUCER_KINDS or code[:2] != "9" + PRODUCER_KINDS.get(p["kind"], "?"):
            err(w, f"credit code prefix {code[:2]} does not fit kind {p['kind']!r}")
        if p["sample"] is not True or not p["name_zh"].endswith(SAMPLE_SUFFIX):
            err(w, "fictional producer must have sample true and a name ending in （示例）")
    for code, count in codes.items():
        if count > 1:
            err("producers", f"duplicate credit code {code}")

    # authorizations
    for i, a in enumerate(doc["authorizations"]):
        w = f"authorizations[{i}]"
        keys(w, a, "authorization")
        if a["producer"] not in producers:
            err(w, f"unknown producer {a['producer']!r}")
        if a["product"] not in products:
            err(w, f"unknown product {a['product']!r}")
        if a["status"] not in AUTH_STATUSES:
            err(w, f"bad status {a['status']!r}")
        date_ok(w + " valid_from", a["valid_from"], partial=False)
        date_ok(w + " valid_to", a["valid_to"], partial=False)
        if a["valid_from"] >= a["valid_to"]:
            err(w, "valid_from is not before valid_to")
        if a["producer"] in producers and a["product"] in products:
            area = set(products[a["product"]]["region_codes"])
            if not ancestors(producers[a["producer"]]["region_code"]) & area:
                err(w, "producer's region is outside the product's region codes")

    # listings
    for i, item in enumerate(doc["listings"]):
        w = f"listings[{i}] {item.get('slug')}"
        keys(w, item, "listing")
        if item["producer"] not in producers:
            err(w, f"unknown producer {item['producer']!r}")
        if item["product"] is not None and item["product"] not in products:
            err(w, f"unknown product {item['product']!r}")
        if item["product"] is None and item["category"] not in CATEGORIES:
            err(w, "needs a product or a known category")
        if item["category"] is not None and item["category"] not in CATEGORIES:
            err(w, f"unknown category {item['category']!r}")
        if item["kind"] not in ("supply", "demand"):
            err(w, f"bad kind {item['kind']!r}")
        if item["status"] not in LISTING_STATUSES:
            err(w, f"bad status {item['status']!r}")
        region_ok(w, item["region_code"])
        date_ok(w + " available_from", item["available_from"], partial=False)
        date_ok(w + " available_to", item["available_to"], partial=False)
        pmin, pmax = item["price_min"], item["price_max"]
        if pmin is not None and pmax is not None and pmin > pmax:
            err(w, "price_min > price_max")

    # images (optional: only if the manifest exists)
    manifest_path = sample_path.parent / "images" / "manifest.json"
    image_count = 0
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for kind, known in (("products", products), ("brands", brand_slugs)):
            for slug, files in manifest.get(kind, {}).items():
                if slug not in known:
                    err("manifest", f"{kind} slug {slug!r} is not in the sample")
                for name in files:
                    path = manifest_path.parent / name
                    image_count += 1
                    if not path.exists():
                        err("manifest", f"missing image {name}")
                    elif path.stat().st_size > 250 * 1024:
                        err("manifest", f"{name} is larger than 250 KB")

    published = sum(1 for p in doc["products"] if p["status"] == "published")
    protections = Counter(pr["kind"] for p in doc["products"] for pr in p["protections"])
    print(f"sample: {sample_path}")
    print(
        f"products: {len(doc['products'])} ({published} published, {len(doc['products']) - published} draft); "
        f"protections: {sum(protections.values())} {dict(protections)}"
    )
    print(
        f"brands: {len(doc['brands'])} ({sum(1 for b in doc['brands'] if b['sample'])} sample); "
        f"producers: {len(doc['producers'])} ({sum(1 for p in doc['producers'] if p['verified'])} verified); "
        f"authorizations: {len(doc['authorizations'])}; listings: {len(doc['listings'])}; images: {image_count}"
    )
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for line in errors:
            print("  -", line)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
