"""Filters, tab counts and facets, from the per-segment sets of ``docsets``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gi_registry.search import docsets as ds

if TYPE_CHECKING:
    from gi_registry.search.query import Filters

FACET_FIELDS = ("category", "protection", "region", "listing_kind")
KIND_ORDER = ("product", "brand", "producer", "listing", "story")


def restrict(lease, docs: ds.DocSet, pairs: list[tuple[str, str]]) -> ds.DocSet:
    for fieldname, value in pairs:
        docs = ds.intersect(docs, _filter_set(lease, fieldname, value))
    return docs


def _filter_set(lease, fieldname: str, value: str) -> ds.DocSet:
    found = ds.holding(lease, fieldname, value)
    if fieldname == "region":
        # As on /products: a region matches what lies in it or below, and what covers it (白城绿豆,
        # protected for all of 白城市, is a GI of 洮南市 too).
        for ancestor in region_ancestors(value):
            found = ds.union(found, ds.holding(lease, "region_own", ancestor))
    return found


def region_ancestors(code: str) -> list[str]:
    """The prefecture and province above a GB/T 2260 code, read off the code itself."""
    out = []
    if not code.endswith("00"):
        out.append(code[:4] + "00")
    if not code.endswith("0000"):
        out.append(code[:2] + "0000")
    return [c for c in out if c != code]


def count_facets(lease, docs: ds.DocSet, region_parent: str | None) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for fieldname in FACET_FIELDS:
        values = ds.values(lease, fieldname)
        if fieldname == "region":
            key = ("region children", region_parent)  # the same for every query on this searcher
            if key not in lease.cache:
                lease.cache[key] = region_children(values, region_parent)
            values = lease.cache[key]
        counts = {v: ds.count_in(docs, ds.holding(lease, fieldname, v)) for v in values}
        facets[fieldname] = {v: n for v, n in counts.items() if n}
    return facets


def region_children(codes: Iterable[str], parent: str | None) -> list[str]:
    """One level of the region tree, read off GB/T 2260 codes: provinces, then prefectures, then counties."""
    if parent is None:
        return [c for c in codes if c.endswith("0000")]
    if parent.endswith("0000"):
        return [c for c in codes if c[:2] == parent[:2] and c.endswith("00") and c != parent]
    if parent.endswith("00"):
        return [c for c in codes if c[:4] == parent[:4] and c != parent]
    return []


def allowed(lease, filters: Filters) -> ds.DocSet | None:
    """The documents the filters keep (kind included), or None when nothing is filtered."""
    sets = [_filter_set(lease, f, v) for f, v in filters.terms()]
    if filters.kind:
        sets.append(ds.holding(lease, "kind", filters.kind))
    if not sets:
        return None
    allowed = sets[0]
    for more in sets[1:]:
        allowed = ds.intersect(allowed, more)
    return allowed


def count(lease, docs: ds.DocSet, filters: Filters) -> tuple[dict[str, int], int, dict]:
    """Tab counts (every kind, the other filters applied), the total and the facets of ``docs``."""
    filtered = restrict(lease, docs, filters.terms())
    counts = {k: ds.count_in(filtered, ds.holding(lease, "kind", k)) for k in KIND_ORDER}
    kept = of_kind(lease, filtered, filters.kind)
    kind_counts = {k: n for k, n in counts.items() if n}
    return kind_counts, ds.size(kept), count_facets(lease, kept, filters.region)


def kept(lease, docs: ds.DocSet, filters: Filters) -> ds.DocSet:
    """What the filters keep of ``docs``, the kind included."""
    return of_kind(lease, restrict(lease, docs, filters.terms()), filters.kind)


def of_kind(lease, docs: ds.DocSet, kind: str | None) -> ds.DocSet:
    return ds.intersect(docs, ds.holding(lease, "kind", kind)) if kind else docs
