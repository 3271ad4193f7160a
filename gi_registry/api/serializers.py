"""JSON shapes of the API. Lists carry a summary; details add what a page shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from gi_registry.catalog.queries import Capped, mark_status, public_parent
from gi_registry.links import marked_html, page_url, record_url
from gi_registry.matching.matches import Match
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer, Region
from gi_registry.numbers import json_number
from gi_registry.search import Hit, Results, Suggestion
from gi_registry.verify.lookup import AuthorizationState, Verdict

# Defined in web (the showcase uses them without the API); still imported from here by api and seo.
from gi_registry.web import public_base, public_url

__all__ = ["public_base", "public_url"]  # and the serializers below


def region_ref(region: Region) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level}


def images(record) -> list[dict[str, Any]]:
    return [
        {
            "alt": link.alt,
            "variants": {
                name: {
                    "url": page_url("media.file", filename=v["file"]),
                    "width": v["width"],
                    "height": v["height"],
                }
                for name, v in link.media.variants.items()
            },
        }
        for link in record.images
    ]


def product_summary(product: GIProduct) -> dict[str, Any]:
    return {
        "slug": product.slug,
        "name_zh": product.name_zh,
        "name_en": product.name_en,
        "name_pinyin": product.name_pinyin,
        "category": {"code": product.category.code, "name_zh": product.category.name_zh},
        "regions": [region_ref(r) for r in product.regions],
        "protection_kinds": product.protection_kinds,
        "summary": product.summary,
        "url": page_url("catalog.product", slug=product.slug),
    }


def product_detail(
    product: GIProduct, brands: list[Brand], auths: Capped[Authorization]
) -> dict[str, Any]:
    return {
        **product_summary(product),
        "aliases": product.aliases,
        "description": product.description,
        "scope": product.scope,
        "quality_requirements": product.quality_requirements,
        "programmes": product.programmes,
        "protections": [
            {
                "kind": p.kind,
                "authority": p.authority,
                "number": p.number,
                "applied_on": p.applied_on,
                "approved_on": p.approved_on,
                "status": p.status,
                "holder": p.holder,
                "source_url": p.source_url,
                "note": p.note,
            }
            for p in product.protections
        ],
        "sources": product.sources,
        "brands": [{"slug": b.slug, "name_zh": b.name_zh} for b in brands],
        # Capped like the page (a popular GI may have thousands); the total says how many in all.
        "authorized_producers": [authorization(a) for a in auths.items],
        "authorized_producers_total": auths.total,
        "images": images(product),
        "updated_at": product.updated_at.isoformat(),
    }


def authorization(auth: Authorization) -> dict[str, Any]:
    return {
        "producer": {
            "slug": auth.producer.slug,
            "name_zh": auth.producer.name_zh,
            "sample": auth.producer.sample,
        },
        "product": {"slug": auth.product.slug, "name_zh": auth.product.name_zh},
        "number": auth.number,
        "valid_from": auth.valid_from.isoformat() if auth.valid_from else None,
        "valid_to": auth.valid_to.isoformat() if auth.valid_to else None,
        "status": auth.status,
        "may_use_mark_today": mark_status(auth) == "valid",
    }


def verdict(answer: Verdict) -> dict[str, Any]:
    """A GI-mark check: the overall status, the producer (None when it may not be shown) and each
    authorisation with its own state."""
    producer = answer.producer
    return {
        "status": answer.status,
        "query": {"by": answer.by, "value": answer.query},
        "producer": {**producer_summary(producer), "credit_code": producer.credit_code}
        if producer
        else None,
        "authorizations": [verified_authorization(state) for state in answer.authorizations],
    }


def verified_authorization(state: AuthorizationState) -> dict[str, Any]:
    auth = state.authorization
    return {
        "product": {
            **product_ref(auth.product),
            "url": page_url("catalog.product", slug=auth.product.slug),
        },
        "producer": producer_ref(auth.producer),
        "number": auth.number,
        "valid_from": auth.valid_from.isoformat() if auth.valid_from else None,
        "valid_to": auth.valid_to.isoformat() if auth.valid_to else None,
        "status": state.status,
    }


def brand_summary(brand: Brand) -> dict[str, Any]:
    parent = public_parent(brand)
    return {
        "slug": brand.slug,
        "name_zh": brand.name_zh,
        "name_en": brand.name_en,
        "kind": brand.kind,
        "parent": parent.slug if parent else None,
        "sample": brand.sample,
        "url": page_url("catalog.brand", slug=brand.slug),
    }


def brand_detail(brand: Brand) -> dict[str, Any]:
    return {
        **brand_summary(brand),
        "description": brand.description,
        "trademark_number": brand.trademark_number,
        "members": [brand_summary(m) for m in brand.members if m.is_public],
        "products": [product_ref(p) for p in brand.products if p.is_public],
        "producers": [producer_ref(p) for p in brand.producers if p.is_public],
        "sources": brand.sources,
        "images": images(brand),
    }


def product_ref(product: GIProduct) -> dict[str, Any]:
    return {"slug": product.slug, "name_zh": product.name_zh}


def producer_ref(producer: Producer) -> dict[str, Any]:
    return {"slug": producer.slug, "name_zh": producer.name_zh, "sample": producer.sample}


def producer_summary(producer: Producer) -> dict[str, Any]:
    # Contact details are left out of lists on purpose: they are not for bulk collection.
    return {
        "slug": producer.slug,
        "name_zh": producer.name_zh,
        "kind": producer.kind,
        "region": region_ref(producer.region),
        "verified": producer.verified,
        "sample": producer.sample,
        "url": page_url("catalog.producer", slug=producer.slug),
    }


def producer_detail(
    producer: Producer, auths: list[Authorization], listings: list[Listing]
) -> dict[str, Any]:
    # Address and phone stay on the producer's own web page: the API is too easy to harvest.
    return {
        **producer_summary(producer),
        "credit_code": producer.credit_code,
        "description": producer.description,
        "website": producer.website or None,
        "authorizations": [authorization(a) for a in auths],
        "brands": [{"slug": b.slug, "name_zh": b.name_zh} for b in producer.brands if b.is_public],
        "listings": [listing_summary(item) for item in listings],
    }


def listing_summary(listing: Listing) -> dict[str, Any]:
    return {
        "slug": listing.slug,
        "kind": listing.kind,
        "title": listing.title,
        "product": product_ref(listing.product) if listing.product else None,
        "quantity": json_number(listing.quantity),
        "unit": listing.unit,
        "price_min": json_number(listing.price_min),
        "price_max": json_number(listing.price_max),
        "price_unit": listing.price_unit,
        "available_from": listing.available_from.isoformat() if listing.available_from else None,
        "available_to": listing.available_to.isoformat() if listing.available_to else None,
    }


def listing_card(listing: Listing, authorised: bool) -> dict[str, Any]:
    """A board's item: the summary, who offers it, where, and whether it carries the GI mark."""
    return {
        **listing_summary(listing),
        "category": (
            {"code": listing.category.code, "name_zh": listing.category.name_zh}
            if listing.category
            else None
        ),
        "producer": producer_ref(listing.producer),
        "region": region_ref(listing.region) if listing.region else None,
        "published_at": listing.published_at.isoformat() if listing.published_at else None,
        "gi_mark_authorised": authorised,
        "url": page_url("catalog.listing", slug=listing.slug),
    }


def listing_detail(listing: Listing, mark: Authorization | None) -> dict[str, Any]:
    """The listing page as data; ``mark`` is the authorisation behind its badge (valid today)."""
    return {
        **listing_card(listing, mark is not None),
        "description": listing.description,
        "images": images(listing),
        "gi_mark_verify_url": (
            page_url("verify.token", token=mark.verify_token) if mark is not None else None
        ),
    }


def listing_match(match: Match, reasons: list[str]) -> dict[str, Any]:
    """A match: the other listing as on the boards, its score (0..1) and reasons (Chinese)."""
    authorised = match.authorised and match.listing.kind == "supply"
    return {
        "listing": listing_card(match.listing, authorised),
        "score": match.score,
        "reasons": reasons,
    }


def region_detail(region: Region, children: list[Region], product_count: int) -> dict[str, Any]:
    return {
        **region_ref(region),
        "full_name": region.full_name,
        "parent": region_ref(region.parent) if region.parent else None,
        "children": [region_ref(c) for c in children],
        "product_count": product_count,
        "url": page_url("catalog.region", code=region.code),
    }


def check_public_url(value: Any) -> None:
    """Refuse at start-up a PUBLIC_URL that would make every absolute URL in the API wrong."""
    if not value:
        return
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
    ):
        raise RuntimeError(
            f"PUBLIC_URL {value!r} 无效：应为 http(s)://主机名[/路径]，例如 https://gi.jl.gov.cn"
        )


def search_hit(hit: Hit) -> dict[str, Any]:
    return {
        "kind": hit.kind,
        "slug": hit.slug,
        "title": hit.title,
        "subtitle": hit.subtitle,
        "url": public_url(record_url(hit.kind, hit.slug)),
        # The snippet as HTML: matches in <mark>, everything else escaped, so it can be inserted as is.
        "highlight": str(marked_html(hit.snippet)),
        "approximate": hit.approximate,
    }


def search_results(results: Results) -> dict[str, Any]:
    facets = results.facets
    return {
        "q": results.query,
        "items": [search_hit(hit) for hit in results.items],
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "pages": results.pages,
        "facets": {
            "kind": results.kind_counts,
            "category": facets.get("category", {}),
            "region": facets.get("region", {}),
            "protection": facets.get("protection", {}),
        },
        "correction": results.correction,
        "showing_correction": results.showing_correction,
        "unmatched": list(results.unmatched),
    }


def suggestion(item: Suggestion) -> dict[str, Any]:
    url = public_url(record_url(item.kind, item.slug))
    return {"kind": item.kind, "slug": item.slug, "title": item.title, "url": url}
