"""Minimal valid interchange records; a test states only the fields it cares about."""

from __future__ import annotations

import copy
from typing import Any

from gi_registry.credit_code import check_character


def credit_code(region: str = "220581", serial: int = 1, kind: str = "91") -> str:
    body = f"{kind}{region}MA{serial:07d}"
    return body + check_character(body)


def product(slug: str = "test-rice", **fields: Any) -> dict[str, Any]:
    record = {
        "slug": slug,
        "name_zh": "测试大米",
        "name_en": None,
        "aliases": [],
        "category": "grain",
        "region_codes": ["220581"],
        "summary": "",
        "description": "",
        "scope": "",
        "quality_requirements": "",
        "protections": [],
        "programmes": [],
        "sources": [],
        "status": "published",
    }
    record.update(fields)
    return record


def protection(**fields: Any) -> dict[str, Any]:
    record = {
        "kind": "gi_product",
        "authority": None,
        "number": None,
        "applied_on": None,
        "approved_on": None,
        "status": "approved",
        "holder": None,
        "source_url": None,
        "note": None,
    }
    record.update(fields)
    return record


def producer(slug: str = "test-coop", serial: int = 1, **fields: Any) -> dict[str, Any]:
    record = {
        "slug": slug,
        "name_zh": "测试合作社（示例）",
        "credit_code": credit_code(serial=serial),
        "kind": "cooperative",
        "region_code": "220581",
        "address": "",
        "phone": "",
        "website": "",
        "description": "",
        "verified": False,
        "sample": True,
        "status": "active",
    }
    record.update(fields)
    return record


def document(**kinds: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": "gi-registry/1", **copy.deepcopy(kinds)}


def brand(slug: str = "test-brand", **fields: Any) -> dict[str, Any]:
    record = {
        "slug": slug,
        "name_zh": "测试品牌",
        "name_en": None,
        "kind": "enterprise",
        "parent": None,
        "products": [],
        "producers": [],
        "trademark_number": None,
        "description": "",
        "sources": [],
        "sample": True,
        "status": "published",
    }
    record.update(fields)
    return record


def listing(
    slug: str = "test-listing", producer: str = "test-coop", **fields: Any
) -> dict[str, Any]:
    record = {
        "slug": slug,
        "kind": "supply",
        "producer": producer,
        "product": None,
        "category": None,
        "title": "供应测试大米",
        "description": "",
        "quantity": None,
        "unit": "",
        "price_min": None,
        "price_max": None,
        "price_unit": "",
        "region_code": None,
        "available_from": None,
        "available_to": None,
        "status": "published",
    }
    record.update(fields)
    return record


def authorization(
    producer: str = "test-coop", product: str = "test-rice", **fields: Any
) -> dict[str, Any]:
    record = {
        "producer": producer,
        "product": product,
        "number": None,
        "valid_from": None,
        "valid_to": None,
        "status": "active",
    }
    record.update(fields)
    return record


def sign_in(client, user) -> None:
    """Sign ``user`` in on a test client as Flask-Login would after a login, without the form."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def make_user(email: str, *, role: str = "producer", producer: str | None = None, owner=True):
    """An account (inside an app context), a producer member by default; the password is
    ``password-123``."""
    from gi_registry.services.accounts import create_user, register_user
    from gi_registry.services.unit import unit_of_work

    with unit_of_work(actor="test") as work:
        if role == "producer" and producer is None:  # signed up, no organisation yet
            user = register_user(work, email, PASSWORD)
        else:
            user = create_user(work, email, PASSWORD, role=role, producer_slug=producer)
        if producer is not None:
            user.member_role = "owner" if owner else "member"
    return user


PASSWORD = "password-123"
