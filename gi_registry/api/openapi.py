"""OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json (docs/api.md is the prose).

Built from a Python dict so the vocabularies (categories are data; protection kinds, brand kinds,
region levels, search kinds and verification states are code) come from the same constants as the
views. tests/test_openapi.py runs schemathesis against it: every operation, no 5xx, every answer
as declared. A new endpoint is added here in the same change.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from gi_registry import vocab
from gi_registry.api.views import bp
from gi_registry.caching import exempt
from gi_registry.listings.queries import SORTS
from gi_registry.models.regions import REGION_LEVELS
from gi_registry.verify.lookup import STATUSES as VERIFY_STATUSES
from gi_registry.web import public_base

STRING = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
NUMBER_OR_NULL = {"type": ["number", "null"]}
SEARCH_KINDS = tuple(vocab.SEARCH_KINDS)
AUTHORIZATION_STATES = ("authorized", "not_yet_valid", "expired", "suspended", "revoked")


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all required but ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def nullable(name: str) -> dict[str, Any]:
    return {"oneOf": [ref(name), {"type": "null"}]}


def enum(values) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def filter_enum(values) -> dict[str, Any]:
    """A filter parameter: one of ``values``, or empty for no filter (what an unset form field sends)."""
    return {"type": "string", "enum": [*values, ""]}


def counts() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": INTEGER}


REF = {"slug": STRING, "name_zh": STRING}
SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"status": INTEGER, "message": STRING})}),
    "RegionRef": obj({"code": STRING, "name": STRING, "level": enum(REGION_LEVELS)}),
    "ProductRef": obj(REF),
    "BrandRef": obj(REF),
    "ProducerRef": obj({**REF, "sample": BOOLEAN}),
    "Source": {
        "type": "object",
        "properties": {
            "url": TEXT_OR_NULL,
            "title": STRING,
            "confidence": STRING,
            "note": TEXT_OR_NULL,
        },
    },
    "Image": obj(
        {
            "alt": STRING,
            "variants": {
                "type": "object",
                "additionalProperties": obj({"url": STRING, "width": INTEGER, "height": INTEGER}),
            },
        }
    ),
    "Protection": obj(
        {
            "kind": enum(vocab.PROTECTION_KINDS),
            "authority": TEXT_OR_NULL,
            "number": TEXT_OR_NULL,
            "applied_on": TEXT_OR_NULL,
            "approved_on": TEXT_OR_NULL,
            "status": enum(vocab.PROTECTION_STATUSES),
            "holder": TEXT_OR_NULL,
            "source_url": TEXT_OR_NULL,
            "note": TEXT_OR_NULL,
        }
    ),
    "Authorization": obj(
        {
            "producer": ref("ProducerRef"),
            "product": ref("ProductRef"),
            "number": TEXT_OR_NULL,
            "valid_from": DATE_OR_NULL,
            "valid_to": DATE_OR_NULL,
            "status": enum(vocab.AUTHORIZATION_STATUSES),
            "may_use_mark_today": BOOLEAN,
        }
    ),
}
PRODUCT_SUMMARY = {
    "slug": STRING,
    "name_zh": STRING,
    "name_en": TEXT_OR_NULL,
    "name_pinyin": STRING,
    "category": obj({"code": STRING, "name_zh": STRING}),
    "regions": array(ref("RegionRef")),
    "protection_kinds": array(enum(vocab.PROTECTION_KINDS)),
    "summary": STRING,
    "url": STRING,
}
BRAND_SUMMARY = {
    "slug": STRING,
    "name_zh": STRING,
    "name_en": TEXT_OR_NULL,
    "kind": enum(vocab.BRAND_KINDS),
    "parent": TEXT_OR_NULL,
    "sample": BOOLEAN,
    "url": STRING,
}
PRODUCER_SUMMARY = {
    "slug": STRING,
    "name_zh": STRING,
    "kind": enum(vocab.PRODUCER_KINDS),
    "region": ref("RegionRef"),
    "verified": BOOLEAN,
    "sample": BOOLEAN,
    "url": STRING,
}
SCHEMAS.update(
    {
        "ProductSummary": obj(PRODUCT_SUMMARY),
        "Product": obj(
            {
                **PRODUCT_SUMMARY,
                "aliases": array(STRING),
                "description": STRING,
                "scope": STRING,
                "quality_requirements": STRING,
                "programmes": array(STRING),
                "protections": array(ref("Protection")),
                "sources": array(ref("Source")),
                "brands": array(ref("BrandRef")),
                "authorized_producers": array(ref("Authorization")),
                "authorized_producers_total": INTEGER,
                "images": array(ref("Image")),
                "updated_at": {"type": "string", "format": "date-time"},
            }
        ),
        "BrandSummary": obj(BRAND_SUMMARY),
        "Brand": obj(
            {
                **BRAND_SUMMARY,
                "description": STRING,
                "trademark_number": TEXT_OR_NULL,
                "members": array(ref("BrandSummary")),
                "products": array(ref("ProductRef")),
                "producers": array(ref("ProducerRef")),
                "sources": array(ref("Source")),
                "images": array(ref("Image")),
            }
        ),
        "ProducerSummary": obj(PRODUCER_SUMMARY),
        "Producer": obj(
            {
                **PRODUCER_SUMMARY,
                "credit_code": STRING,
                "description": STRING,
                "website": TEXT_OR_NULL,
                "authorizations": array(ref("Authorization")),
                "brands": array(ref("BrandRef")),
                "listings": array(ref("Listing")),
            }
        ),
        "Listing": obj(
            {
                "slug": STRING,
                "kind": enum(vocab.LISTING_KINDS),
                "title": STRING,
                "product": nullable("ProductRef"),
                "quantity": NUMBER_OR_NULL,
                "unit": STRING,
                "price_min": NUMBER_OR_NULL,
                "price_max": NUMBER_OR_NULL,
                "price_unit": STRING,
                "available_from": DATE_OR_NULL,
                "available_to": DATE_OR_NULL,
            }
        ),
        "Region": obj(
            {
                "code": STRING,
                "name": STRING,
                "level": enum(REGION_LEVELS),
                "full_name": STRING,
                "parent": nullable("RegionRef"),
                "children": array(ref("RegionRef")),
                "product_count": INTEGER,
                "url": STRING,
            }
        ),
        "SearchResults": obj(
            {
                "q": STRING,
                "items": array(
                    obj(
                        {
                            "kind": enum(SEARCH_KINDS),
                            "slug": STRING,
                            "title": STRING,
                            "subtitle": STRING,
                            "url": STRING,
                            "highlight": {
                                "type": "string",
                                "description": "HTML: matches in <mark>",
                            },
                            "approximate": BOOLEAN,
                        }
                    )
                ),
                "total": INTEGER,
                "page": INTEGER,
                "per_page": INTEGER,
                "pages": INTEGER,
                "facets": obj(
                    {
                        "kind": counts(),
                        "category": counts(),
                        "region": counts(),
                        "protection": counts(),
                    }
                ),
                "correction": TEXT_OR_NULL,
                "showing_correction": BOOLEAN,
                "unmatched": array(STRING),
            }
        ),
        "Suggestions": obj(
            {
                "items": array(
                    obj(
                        {"kind": enum(SEARCH_KINDS), "slug": STRING, "title": STRING, "url": STRING}
                    )
                )
            }
        ),
        "Verdict": obj(
            {
                "status": enum(VERIFY_STATUSES),
                "query": obj({"by": STRING, "value": STRING}),
                "producer": {
                    "oneOf": [obj({**PRODUCER_SUMMARY, "credit_code": STRING}), {"type": "null"}]
                },
                "authorizations": array(
                    obj(
                        {
                            "product": obj({**REF, "url": STRING}),
                            "producer": ref("ProducerRef"),
                            "number": TEXT_OR_NULL,
                            "valid_from": DATE_OR_NULL,
                            "valid_to": DATE_OR_NULL,
                            "status": enum(AUTHORIZATION_STATES),
                        }
                    )
                ),
            }
        ),
    }
)
# 产销对接 (docs/matching.md): a listing's matches, best first; reasons in Chinese.
SCHEMAS["ListingMatches"] = obj(
    {
        "items": array(
            obj(
                {
                    "listing": ref("ListingCard"),
                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                    "reasons": array(STRING),
                }
            )
        )
    }
)
# The supply and demand boards (docs/api.md): cards in lists, the page's facts in detail.
SCHEMAS["ListingCard"] = obj(
    {
        **SCHEMAS["Listing"]["properties"],
        "category": {"oneOf": [obj({"code": STRING, "name_zh": STRING}), {"type": "null"}]},
        "producer": ref("ProducerRef"),
        "region": nullable("RegionRef"),
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "gi_mark_authorised": BOOLEAN,
        "url": STRING,
    }
)
SCHEMAS["ListingDetail"] = obj(
    {
        **SCHEMAS["ListingCard"]["properties"],
        "description": STRING,
        "images": array(ref("Image")),
        "gi_mark_verify_url": TEXT_OR_NULL,
    }
)
for name in ("ProductSummary", "BrandSummary", "ProducerSummary", "RegionRef", "ListingCard"):
    SCHEMAS[f"{name}Page"] = obj(
        {
            "items": array(ref(name)),
            "total": INTEGER,
            "page": INTEGER,
            "per_page": INTEGER,
            "pages": INTEGER,
        }
    )


def query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


def path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": STRING,
    }


def bounded(low: int, high: int) -> dict[str, Any]:
    """An integer parameter; empty means the default, as for every parameter."""
    return {
        "anyOf": [{**INTEGER, "minimum": low, "maximum": high}, {"type": "string", "enum": [""]}]
    }


PAGE = query("page", "页码，从 1 起，至多 10000", bounded(1, 10_000))
PER_PAGE = query("per_page", "每页条数，1–100，默认 20", bounded(1, 100))
# Empty is no filter, as for every filter parameter.
REGION_CODE = {"type": "string", "pattern": "^([0-9]{6})?$"}
REGION = query("region", "行政区划代码（6 位数字，任一级）", REGION_CODE)
PRICE = {"type": "string", "pattern": "^([0-9]{1,11}(\\.[0-9]{1,2})?)?$"}
MONTH = {"type": "string", "pattern": "^([0-9]{4}-(0[1-9]|1[0-2]))?$"}
PRODUCT_FILTERS = [
    query("category", "产品类别代码（grain、medicinal …）"),
    REGION,
    query("protection", "保护类型", filter_enum(vocab.PROTECTION_KINDS)),
    query("q", "名称筛选：中文名、英文名、拼音或首字母"),
]


def answer(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


ERRORS = {
    "400": answer("Error", "参数有误；消息指出参数名"),
    "404": answer("Error", "没有这条记录或这个接口"),
}


def operation(summary: str, schema: str, parameters: list, *, extra: dict | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": answer(schema, "成功"), **ERRORS, **(extra or {})},
        }
    }


SEARCH_UNAVAILABLE = {"503": answer("Error", "搜索索引正在重建；Retry-After 说明几秒后再试")}
PATHS = {
    "/products": operation(
        "地理标志产品列表", "ProductSummaryPage", [*PRODUCT_FILTERS, PAGE, PER_PAGE]
    ),
    "/products/{slug}": operation("产品详情", "Product", [path("slug", "产品标识")]),
    "/brands": operation(
        "品牌列表",
        "BrandSummaryPage",
        [query("kind", "品牌类型", filter_enum(vocab.BRAND_KINDS)), PAGE, PER_PAGE],
    ),
    "/brands/{slug}": operation("品牌详情", "Brand", [path("slug", "品牌标识")]),
    "/producers": operation(
        "经营主体列表（不含联系方式）", "ProducerSummaryPage", [REGION, PAGE, PER_PAGE]
    ),
    "/producers/{slug}": operation("经营主体详情", "Producer", [path("slug", "经营主体标识")]),
    "/regions": operation(
        "行政区划",
        "RegionRefPage",
        [
            query("parent", "上级行政区划代码：列出其直接下级", REGION_CODE),
            query("level", "层级", filter_enum(REGION_LEVELS)),
            PAGE,
            PER_PAGE,
        ],
    ),
    "/regions/{code}": operation(
        "行政区划详情", "Region", [path("code", "行政区划代码（6 位数字）")]
    ),
    "/search": operation(
        "全文搜索",
        "SearchResults",
        [
            query("q", "搜索词（中文、繁体、拼音、首字母、英文），前 100 字有效"),
            query("kind", "记录种类", filter_enum(SEARCH_KINDS)),
            *PRODUCT_FILTERS[:3],
            PAGE,
            query("per_page", "每页条数，1–50，默认 10", bounded(1, 50)),
        ],
        extra=SEARCH_UNAVAILABLE,
    ),
    "/suggest": operation(
        "输入提示",
        "Suggestions",
        [query("q", "名称、拼音或首字母的开头，前 50 字有效")],
        extra=SEARCH_UNAVAILABLE,
    ),
    "/listings": operation(
        "供需信息（供应与求购）：已发布且供应期未结束的信息",
        "ListingCardPage",
        [
            query("kind", "供应 supply 或求购 demand", filter_enum(vocab.LISTING_KINDS)),
            query("product", "地理标志产品标识；未知或未发布的产品为 400"),
            query("category", "产品类别代码（grain、medicinal …）"),
            query("region", "行政区划代码（6 位数字）：含其下级地区", REGION_CODE),
            query("price_min", "价格区间下限：价格区间与之重叠的信息", PRICE),
            query("price_max", "价格区间上限", PRICE),
            query("month", "月份 YYYY-MM：供应期与该月重叠的信息", MONTH),
            query("sort", "排序：最新发布、价格升序、价格降序、最早可供", filter_enum(SORTS)),
            PAGE,
            PER_PAGE,
        ],
    ),
    "/listings/{slug}": operation(
        "供需信息详情；未发布或供应期已结束为 404",
        "ListingDetail",
        [path("slug", "供需信息标识")],
    ),
    "/listings/{slug}/matches": operation(
        "供需信息的匹配（产销对接），按匹配度排序，最多 20 条；理由为中文",
        "ListingMatches",
        [path("slug", "供需信息标识")],
    ),
    "/verify": operation(
        "专用标志核验：某经营主体今天能否使用地理标志专用标志",
        "Verdict",
        [
            query("credit_code", "统一社会信用代码；校验位不符为 400"),
            query("number", "授权编号，照印刷"),
            query("token", "包装上二维码的令牌"),
            query("q", "信用代码或授权编号，由系统判断"),
        ],
    ),
}


def document(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "吉林地理标志与品牌名录 API",
            "version": "1",
            "description": "只读 JSON 接口：已发布的地理标志产品、品牌、在册经营主体、行政区划、搜索与专用标志核验。"
            "说明见 docs/api.md；整体下载见 /data/。",
        },
        "servers": [{"url": server}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }


@bp.route("/openapi.json")
@exempt  # the same for every registry state: no marker query needed
def openapi():
    response = jsonify(document((public_base() or "") + "/api/v1"))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


__all__ = ["SCHEMAS", "document"]
