"""Validation of records before anything is written: every error, with its path and field.

The same rules serve a whole imported document (thousands of records, references checked in
batched queries) and a single record saved from a form (``validate_one``), so a message reads the
same wherever the input came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import Brand, Category, GIProduct, Producer, Region
from gi_registry.services.batches import rows_in, scalars_in
from gi_registry.services.errors import ValidationError
from gi_registry.services.fields import Field, FieldError, field_name
from gi_registry.services.schema import FIELDS, KINDS, NESTED

MAX_ISSUES = 1000  # beyond this a report is noise; the count is still given


@dataclass(frozen=True)
class Issue:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Validated:
    """Clean records per kind. A record holds only the fields the input gave (CSV may omit columns)."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    protections: list[dict[str, Any]] = field(default_factory=list)  # from protections.csv
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0


class Validator:
    def __init__(
        self,
        *,
        labels: dict[tuple[str, int], str] | None = None,
        partial: bool = False,
    ):
        # partial: spreadsheet input, where a column left out keeps the stored value (CSV).
        self.partial = partial
        self.labels = labels or {}
        self.result = Validated()
        self.categories = {
            key: c.code for c in db.session.scalars(select(Category)) for key in (c.code, c.name_zh)
        }

    # -- reporting ---------------------------------------------------------------------------
    def issue(self, path: str, message: str) -> None:
        self.result.issue_count += 1
        if len(self.result.issues) < MAX_ISSUES:
            self.result.issues.append(Issue(path, message))

    def record_path(self, kind: str, index: int) -> str:
        label = self.labels.get((kind, index))
        return f"{kind}[{index}]" + (f"（{label}）" if label else "")

    # -- entry point ---------------------------------------------------------------------------
    def run(
        self, records: dict[str, Any], protections: tuple[list[Field], Any] | None = None
    ) -> Validated:
        """Parse each kind's raw list, then check references. ``protections``: CSV protection rows
        with their field list, for products' protections given as a separate file."""
        for kind in KINDS:
            self.result.records[kind] = self.parse_kind(kind, FIELDS[kind], records.get(kind))
        if protections is not None:
            fields, raw = protections
            self.result.protections = self.parse_kind("protections", fields, raw)
        References(self).check()
        return self.result

    def parse_kind(self, kind: str, fields: list[Field], raw: Any) -> list[dict[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.issue(kind, "应为列表")
            return []
        return [self.parse_record(self.record_path(kind, i), fields, r) for i, r in enumerate(raw)]

    def parse_record(self, path: str, fields: list[Field], raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.issue(path, "应为对象")
            return {"_path": path}
        known = {f.name: f for f in fields}
        for key in raw:
            if key not in known:
                self.issue(f"{path}.{field_name(key)}", "未知的字段")
        clean: dict[str, Any] = {}
        for spec in fields:
            if spec.name not in raw:
                if spec.required and self.partial and spec.name != "slug":
                    # CSV may leave a column out to keep it; only a new record needs it.
                    clean.setdefault("_missing", []).append(spec.name)
                elif spec.required:
                    self.issue(f"{path}.{spec.name}", "缺少必填字段")
                continue
            value = raw[spec.name]
            if spec.name in NESTED:
                clean[spec.name] = self.parse_nested(
                    f"{path}.{spec.name}", NESTED[spec.name], value
                )
                continue
            try:
                clean[spec.name] = spec.parse(value)
            except FieldError as error:
                self.issue(f"{path}.{spec.name}", str(error))
                continue
            if spec.required and clean[spec.name] in ([], None, ""):
                self.issue(
                    f"{path}.{spec.name}", "至少需要一项" if spec.csv == "list" else "不能为空"
                )
        clean["_path"] = path
        return clean

    def parse_nested(self, path: str, fields: list[Field], raw: Any) -> list[dict[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.issue(path, "应为列表")
            return []
        items = [self.parse_record(f"{path}[{i}]", fields, item) for i, item in enumerate(raw)]
        for item in items:
            # Nested objects are stored whole: a missing optional key is an explicit null.
            item.pop("_path", None)
            for spec in fields:
                item.setdefault(spec.name, None)
        return items


class References:
    """Checks that need more than one field: references, uniqueness, ranges and cycles."""

    def __init__(self, validator: Validator):
        self.v = validator
        self.records = validator.result.records
        self.doc_slugs = {
            kind: {r["slug"] for r in self.records[kind] if "slug" in r}
            for kind in ("products", "brands", "producers", "listings")
        }

    def check(self) -> None:
        self.missing_columns()
        self.duplicates()
        self.categories_and_regions()
        self.brands()
        self.producers()
        self.authorizations()
        self.listings()
        self.csv_protections()

    def known(self, kind: str, slugs: Iterable[str]) -> set[str]:
        """Which of ``slugs`` exist in the document or the database."""
        wanted = {s for s in slugs if s} - self.doc_slugs[kind]
        model = {"products": GIProduct, "brands": Brand, "producers": Producer}[kind]
        return self.doc_slugs[kind] | self.known_in_db(model, sorted(wanted))

    def missing_columns(self) -> None:
        for kind in ("products", "producers"):
            partial = [r for r in self.records[kind] if r.get("_missing") and r.get("slug")]
            model = {"products": GIProduct, "producers": Producer}[kind]
            existing = self.known_in_db(model, [r["slug"] for r in partial])
            for record in partial:
                if record["slug"] not in existing:
                    for name in record["_missing"]:
                        self.v.issue(f"{record['_path']}.{name}", "缺少必填字段（新记录必须填写）")
        # Authorizations and protections have no slug to update by: every required column is needed.
        for record in self.records["authorizations"] + self.v.result.protections:
            for name in record.get("_missing", []):
                self.v.issue(f"{record['_path']}.{name}", "缺少必填字段")

    def known_in_db(self, model, slugs: list[str]) -> set[str]:
        return set(scalars_in(select(model.slug), model.slug, slugs))

    def duplicates(self) -> None:
        for kind in ("products", "brands", "producers", "listings"):
            seen: set[str] = set()
            for record in self.records[kind]:
                slug = record.get("slug")
                if slug is None:
                    continue  # already reported as missing or invalid
                if slug in seen:
                    self.v.issue(f"{record['_path']}.slug", f"标识 {slug} 在文件中重复")
                seen.add(slug)
        pairs: set[tuple] = set()
        for record in self.records["authorizations"]:
            pair = (record.get("producer"), record.get("product"))
            if None in pair:
                continue
            if pair in pairs:
                self.v.issue(record["_path"], f"经营主体 {pair[0]} 对产品 {pair[1]} 的授权重复")
            pairs.add(pair)

    def category(self, record: dict, name: str = "category") -> None:
        value = record.get(name)
        if value is None:
            return
        if value not in self.v.categories:
            self.v.issue(
                f"{record['_path']}.{name}",
                f"未知的产品类别 {value!r}（可用：{'、'.join(vocab.CATEGORY_LABELS)}）",
            )
        else:
            record[name] = self.v.categories[value]

    def regions(self, pairs: list[tuple[dict, str, str]]) -> None:
        """``pairs``: (record, field, code). One query for every code in the document."""
        found = set(scalars_in(select(Region.code), Region.code, [code for _, _, code in pairs]))
        for record, name, code in pairs:
            if code not in found:
                self.v.issue(f"{record['_path']}.{name}", f"未知的行政区划代码 {code}")

    def categories_and_regions(self) -> None:
        pairs = []
        for record in self.records["products"]:
            self.category(record)
            pairs += [(record, "region_codes", c) for c in record.get("region_codes", [])]
        for record in self.records["producers"]:
            if record.get("region_code"):
                pairs.append((record, "region_code", record["region_code"]))
        for record in self.records["listings"]:
            if record.get("region_code"):
                pairs.append((record, "region_code", record["region_code"]))
        self.regions(pairs)

    def references(self, kind: str, target: str, name: str, *, many: bool = False) -> None:
        values = [
            (record, value)
            for record in self.records[kind]
            for value in (record.get(name) or [] if many else [record.get(name)])
            if value
        ]
        known = self.known(target, [value for _, value in values])
        label = {"products": "产品", "brands": "品牌", "producers": "经营主体"}[target]
        for record, value in values:
            if value not in known:
                self.v.issue(f"{record['_path']}.{name}", f"找不到{label} {value}")

    def brands(self) -> None:
        self.references("brands", "brands", "parent")
        self.references("brands", "products", "products", many=True)
        self.references("brands", "producers", "producers", many=True)
        parents = self.brand_parents()
        for record in self.records["brands"]:
            slug, seen = record.get("slug"), set()
            node = slug
            while node in parents and node not in seen:
                seen.add(node)
                node = parents[node]
            if node == slug and node is not None:
                self.v.issue(f"{record['_path']}.parent", "品牌的上级关系形成了循环")

    def brand_parents(self) -> dict[str, str | None]:
        """Parent links as they will be after the import: the database's, overlaid by the document's."""
        parent = aliased(Brand)
        stored = db.session.execute(
            select(Brand.slug, parent.slug).join(parent, Brand.parent_id == parent.id)
        )
        links: dict[str, str | None] = {child: parent_slug for child, parent_slug in stored}
        for record in self.records["brands"]:
            if "slug" in record and "parent" in record:
                links[record["slug"]] = record["parent"]
        return links

    def producers(self) -> None:
        by_code: dict[str, str] = {}
        for record in self.records["producers"]:
            code = record.get("credit_code")
            if not code:
                continue
            if code in by_code and by_code[code] != record.get("slug"):
                self.v.issue(
                    f"{record['_path']}.credit_code", f"统一社会信用代码 {code} 在文件中重复"
                )
            by_code[code] = record.get("slug")
        owners = rows_in(select(Producer.credit_code, Producer.slug), Producer.credit_code, by_code)
        for code, owner in owners:
            if by_code[code] != owner:
                record = next(r for r in self.records["producers"] if r.get("credit_code") == code)
                self.v.issue(
                    f"{record['_path']}.credit_code",
                    f"统一社会信用代码 {code} 已属于经营主体 {owner}",
                )

    def authorizations(self) -> None:
        self.references("authorizations", "producers", "producer")
        self.references("authorizations", "products", "product")
        for record in self.records["authorizations"]:
            self.date_order(record, "valid_from", "valid_to")

    def listings(self) -> None:
        self.references("listings", "producers", "producer")
        self.references("listings", "products", "product")
        for record in self.records["listings"]:
            self.category(record)
            if not record.get("product") and not record.get("category"):
                self.v.issue(f"{record['_path']}.product", "产品和类别至少填写一项")
            low, high = record.get("price_min"), record.get("price_max")
            if low is not None and high is not None and low > high:
                self.v.issue(f"{record['_path']}.price_max", "最高价不能低于最低价")
            self.date_order(record, "available_from", "available_to")

    def date_order(self, record: dict, start: str, end: str) -> None:
        if record.get(start) and record.get(end) and record[start] > record[end]:
            self.v.issue(f"{record['_path']}.{end}", f"结束日期早于开始日期（{start}）")

    def csv_protections(self) -> None:
        protections = self.v.result.protections
        known = self.known("products", [r.get("product") for r in protections])
        for record in protections:
            if record.get("product") and record["product"] not in known:
                self.v.issue(f"{record['_path']}.product", f"找不到产品 {record['product']}")


def validate_one(kind: str, data: Any, *, partial: bool = False) -> Validated:
    """Validate one record for a service call; raise ``ValidationError`` keyed by field."""
    validated = Validator(partial=partial).run({kind: [data]})
    if validated.issue_count:
        prefix = f"{kind}[0]"
        errors: dict[str, str] = {}
        for issue in validated.issues:
            field = issue.path.removeprefix(prefix).removeprefix(".") or "$"
            errors.setdefault(field, issue.message)
        raise ValidationError(errors)
    return validated
