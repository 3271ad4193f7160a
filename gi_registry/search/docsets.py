"""Sets of matching documents, kept per index segment so that caches survive index commits.

A commit adds a small segment (and later merges small ones) but leaves the big segments untouched.
The set of documents holding a facet value (kind=listing, category=grain…) is therefore cached per
segment id, process-wide: after a write only the new small segment is read again, instead of every
posting list of the index (which cost seconds per query right after each write at 100,000
documents). Deleted documents may linger in a cached set; every set is intersected with a query's
matches, which never contain deleted documents, so they are never counted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from whoosh import query as Q

CACHE_ENTRIES = 4096
_cache: OrderedDict[tuple[str, str, str], frozenset[int]] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Segment:
    searcher: object
    offset: int
    segid: str


def segments(lease) -> list[Segment]:
    if "segments" not in lease.cache:
        parts = []
        for sub, offset in lease.searcher.leaf_searchers():
            reader = sub.reader()
            segment = reader.segment() if hasattr(reader, "segment") else None
            segid = segment.segment_id() if segment is not None else f"anon{id(reader)}"
            parts.append(Segment(sub, offset, segid))
        lease.cache["segments"] = parts
    return lease.cache["segments"]


# A DocSet is a list of sets of segment-local document numbers, one per segment.
DocSet = list[frozenset[int] | set[int]]


def matching(lease, q: Q.Query) -> DocSet:
    return [set(q.docs(seg.searcher)) for seg in segments(lease)]


def matching_within(lease, q: Q.Query, docs: DocSet) -> DocSet:
    """Those of ``docs`` that ``q`` matches: its matcher skips from one to the next, so a query
    that is costly over the whole index (a phrase of common syllables) is cheap over a few."""
    out: DocSet = []
    for seg, local in zip(segments(lease), docs, strict=True):
        found: set[int] = set()
        out.append(found)
        if not local:
            continue
        matcher = q.matcher(seg.searcher, seg.searcher.boolean_context())
        for docnum in sorted(local):
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                found.add(docnum)
    return out


def holding(lease, fieldname: str, value: str) -> DocSet:
    """Documents whose ``fieldname`` holds ``value``."""
    return [_local(seg, fieldname, value) for seg in segments(lease)]


def _local(seg: Segment, fieldname: str, value: str) -> frozenset[int]:
    key = (seg.segid, fieldname, value)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    reader = seg.searcher.reader()
    ids = frozenset()
    if (fieldname, value) in reader:
        ids = frozenset(reader.postings(fieldname, value).all_ids())
    with _cache_lock:
        _cache[key] = ids
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return ids


def intersect(a: DocSet, b: DocSet) -> DocSet:
    return [x & y for x, y in zip(a, b, strict=True)]


def union(a: DocSet, b: DocSet) -> DocSet:
    return [x | y for x, y in zip(a, b, strict=True)]


def minus(a: DocSet, b: DocSet) -> DocSet:
    return [x - y for x, y in zip(a, b, strict=True)]


def size(a: DocSet) -> int:
    return sum(map(len, a))


def count_in(a: DocSet, b: DocSet) -> int:
    """|a ∩ b| without building the intersection."""
    return sum(len(x & y) if len(x) < len(y) else len(y & x) for x, y in zip(a, b, strict=True))


def to_global(lease, a: DocSet) -> set[int]:
    return {seg.offset + d for seg, local in zip(segments(lease), a, strict=True) for d in local}


def from_global(lease, docnums: set[int]) -> DocSet:
    parts = segments(lease)
    out: DocSet = [set() for _ in parts]
    bounds = [seg.offset for seg in parts]
    for docnum in docnums:
        i = max(j for j, start in enumerate(bounds) if start <= docnum)
        out[i].add(docnum - bounds[i])
    return out


def values(lease, fieldname: str) -> list[str]:
    """Every value of a facet field present in the index (per-segment lexicons, cached by segment)."""
    key = ("values", fieldname)
    if key not in lease.cache:
        found: set[str] = set()
        for seg in segments(lease):
            found.update(_lexicon(seg, fieldname))
        lease.cache[key] = sorted(found)
    return lease.cache[key]


def _lexicon(seg: Segment, fieldname: str) -> tuple[str, ...]:
    key = (seg.segid, fieldname, "\x00lexicon")
    with _cache_lock:
        found = _cache.get(key)
    if found is None:
        terms = seg.searcher.reader().lexicon(fieldname)
        found = tuple(t.decode() if isinstance(t, bytes) else t for t in terms)
        with _cache_lock:
            _cache[key] = found  # type: ignore[assignment]
    return found  # type: ignore[return-value]
