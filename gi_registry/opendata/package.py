"""The published registry as a Frictionless Data Package: CSV tables and ``datapackage.json``.

One table per kind, with each field's type, meaning and allowed values, so that ``frictionless
validate datapackage.json`` checks every cell and every reference between the tables. Lists are
``;``-separated in one cell and a cell that would start with ``= + - @`` (a formula to a spreadsheet)
gets a leading apostrophe, as in the interchange CSV (docs/data-format.md). Sources (nested lists)
are in the JSON download only.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from gi_registry import vocab
from gi_registry.interchange.csvio import _format as cell_text

REGION_CODE = {"pattern": "[0-9]{6}"}
SLUG = {"pattern": "[a-z0-9]+(-[a-z0-9]+)*"}
PARTIAL_DATE = {"pattern": "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"}
LIST_NOTE = "多个值以英文分号 ; 分隔"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: str = "string"
    constraints: dict[str, Any] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if self.type == "boolean":
            spec.update(trueValues=["true"], falseValues=["false"])
        if self.type == "date":
            spec["format"] = "%Y-%m-%d"
        if self.constraints:
            spec["constraints"] = self.constraints
        return spec


def choice(values, required: bool = True) -> dict[str, Any]:
    return {"enum": list(values), "required": required}


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: list[Column]
    primary_key: list[str] | None = None
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # field, table, field

    def schema(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"fields": [c.schema() for c in self.columns]}
        if self.primary_key:
            spec["primaryKey"] = self.primary_key
        if self.foreign_keys:
            spec["foreignKeys"] = [
                {"fields": own, "reference": {"resource": table, "fields": other}}
                for own, table, other in self.foreign_keys
            ]
        return spec


REQUIRED = {"required": True}
TABLES = [
    Table(
        "products",
        "地理标志产品",
        "已发布的地理标志产品，每行一个。",
        [
            Column(
                "slug", "产品标识（网址中使用）", constraints={**SLUG, **REQUIRED, "unique": True}
            ),
            Column("name_zh", "中文名称", constraints=REQUIRED),
            Column("name_en", "英文名称（如有）"),
            Column("aliases", f"别名，{LIST_NOTE}"),
            Column("category", "产品类别代码", constraints=REQUIRED),
            Column(
                "region_codes",
                f"保护地域的行政区划代码（GB/T 2260），{LIST_NOTE}",
                constraints=REQUIRED,
            ),
            Column("summary", "简介"),
            Column("description", "介绍（Markdown）"),
            Column("scope", "保护地域范围（文字）"),
            Column("quality_requirements", "质量技术要求"),
            Column("programmes", f"参与的项目与认定（{'、'.join(vocab.PROGRAMMES)}），{LIST_NOTE}"),
            Column("status", "状态：published（已发布）", constraints=choice(["published"])),
        ],
        ["slug"],
    ),
    Table(
        "protections",
        "保护记录",
        "每个产品的地理标志保护（保护产品、证明商标、集体商标、农产品地理标志），每行一条。",
        [
            Column("product", "产品标识", constraints={**SLUG, **REQUIRED}),
            Column("kind", "保护类型", constraints=choice(vocab.PROTECTION_KINDS)),
            Column("authority", "批准或登记机关"),
            Column("number", "公告号或注册号，照原文；来源未载明时为空"),
            Column("applied_on", "申请日期：年、年-月或年-月-日", constraints=PARTIAL_DATE),
            Column("approved_on", "批准日期：年、年-月或年-月-日", constraints=PARTIAL_DATE),
            Column("status", "状态", constraints=choice(vocab.PROTECTION_STATUSES)),
            Column("holder", "持有人或申请人"),
            Column("source_url", "来源网址"),
            Column("note", "说明"),
        ],
        None,
        [("product", "products", "slug")],
    ),
    Table(
        "brands",
        "品牌",
        "已发布的区域公用品牌、企业品牌与文旅品牌。",
        [
            Column("slug", "品牌标识", constraints={**SLUG, **REQUIRED, "unique": True}),
            Column("name_zh", "中文名称", constraints=REQUIRED),
            Column("name_en", "英文名称（如有）"),
            Column("kind", "品牌类型", constraints=choice(vocab.BRAND_KINDS)),
            Column("parent", "所属的总品牌（品牌标识）", constraints=SLUG),
            Column("products", f"关联的产品标识，{LIST_NOTE}"),
            Column("producers", f"使用该品牌的经营主体标识，{LIST_NOTE}"),
            Column("trademark_number", "商标注册号，照原文；来源未载明时为空"),
            Column("description", "介绍（Markdown）"),
            Column("sample", "true 表示虚构的示例数据", "boolean", REQUIRED),
            Column("status", "状态：published（已发布）", constraints=choice(["published"])),
        ],
        ["slug"],
        [("parent", "brands", "slug")],
    ),
    Table(
        "producers",
        "经营主体",
        "在册的经营主体（不含地址、电话等联系方式）。",
        [
            Column("slug", "经营主体标识", constraints={**SLUG, **REQUIRED, "unique": True}),
            Column("name_zh", "名称", constraints=REQUIRED),
            Column(
                "credit_code",
                "统一社会信用代码（18位）",
                constraints={"pattern": "[0-9A-HJ-NPQRTUWXY]{18}", **REQUIRED},
            ),
            Column("kind", "主体类型", constraints=choice(vocab.PRODUCER_KINDS)),
            Column("region_code", "所在地行政区划代码", constraints={**REGION_CODE, **REQUIRED}),
            Column("website", "网站"),
            Column("description", "介绍（Markdown）"),
            Column("verified", "true 表示信息经中心核实", "boolean", REQUIRED),
            Column("sample", "true 表示虚构的示例数据", "boolean", REQUIRED),
            Column("status", "状态：active（在册）", constraints=choice(["active"])),
        ],
        ["slug"],
    ),
    Table(
        "authorizations",
        "专用标志使用授权",
        "经营主体使用地理标志专用标志的授权。某日能否使用：状态为 active 且该日在有效期内（含首尾两日，按北京时间）。",
        [
            Column("producer", "经营主体标识", constraints={**SLUG, **REQUIRED}),
            Column("product", "产品标识", constraints={**SLUG, **REQUIRED}),
            Column("number", "授权编号，照原文；未载明时为空"),
            Column("valid_from", "有效期起", "date"),
            Column("valid_to", "有效期止", "date"),
            Column("status", "状态", constraints=choice(vocab.AUTHORIZATION_STATUSES)),
        ],
        ["producer", "product"],
        [("producer", "producers", "slug"), ("product", "products", "slug")],
    ),
    Table(
        "listings",
        "供需信息",
        "已发布的供应与求购信息。",
        [
            Column("slug", "信息标识", constraints={**SLUG, **REQUIRED, "unique": True}),
            Column("kind", "supply 供应 / demand 求购", constraints=choice(vocab.LISTING_KINDS)),
            Column("producer", "发布的经营主体标识", constraints={**SLUG, **REQUIRED}),
            Column("product", "涉及的产品标识（如有）", constraints=SLUG),
            Column("category", "产品类别代码（如有）"),
            Column("title", "标题", constraints=REQUIRED),
            Column("description", "说明"),
            Column("quantity", "数量", "number", {"minimum": 0}),
            Column("unit", "数量单位"),
            Column("price_min", "最低价", "number", {"minimum": 0}),
            Column("price_max", "最高价", "number", {"minimum": 0}),
            Column("price_unit", "价格单位"),
            Column("region_code", "所在地行政区划代码", constraints=REGION_CODE),
            Column("available_from", "供应或需求开始日期", "date"),
            Column("available_to", "供应或需求截止日期", "date"),
            Column("status", "状态：published（已发布）", constraints=choice(["published"])),
        ],
        ["slug"],
        [("producer", "producers", "slug"), ("product", "products", "slug")],
    ),
]


def table_rows(document: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    if table.name == "protections":
        return [
            {"product": product["slug"], **protection}
            for product in document["products"]
            for protection in product["protections"]
        ]
    return document[table.name]


def table_csv(document: dict[str, Any], table: Table) -> bytes:
    """UTF-8 without a BOM: the package says its encoding, and readers other than Excel stumble on it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [c.name for c in table.columns]
    writer.writerow(names)
    for row in table_rows(document, table):
        writer.writerow([cell_text(row.get(name)) for name in names])
    return buffer.getvalue().encode("utf-8")


def descriptor(version: dict[str, Any], license: dict[str, str] | None) -> dict[str, Any]:
    package: dict[str, Any] = {
        "name": "jilin-gi-registry",
        "title": "吉林地理标志与品牌名录（公开数据）",
        "description": (
            "吉林省地理标志产品、保护记录、品牌、经营主体、专用标志使用授权与供需信息；仅含公开记录，"
            "不含经营主体的地址与电话。每条事实的来源见 JSON 下载中的 sources。标注 sample=true 的为虚构示例数据。"
        ),
        "version": version["id"],
        "created": version["updated"],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(),
            }
            for table in TABLES
        ],
    }
    if license:
        package["licenses"] = [license]
    return package


def package_files(document: dict[str, Any], version: dict[str, Any], license) -> dict[str, bytes]:
    files = {f"{t.name}.csv": table_csv(document, t) for t in TABLES}
    meta = json.dumps(descriptor(version, license), ensure_ascii=False, indent=2)
    files["datapackage.json"] = meta.encode("utf-8")
    return files


__all__ = ["TABLES", "descriptor", "package_files", "table_csv"]
