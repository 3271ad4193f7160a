"""Suggestions as you type: prefix completion over whole names, their pinyin and their initials.

Each index segment's terms of the three fields are kept as sorted lists, per process and by segment
id: a segment's terms never change (an edit deletes the old document and adds a new one in a new
segment), so the lists of the big segments survive every later commit and only a drain's small new
segment is read. A prefix is then one ``bisect`` per field and segment instead of a walk of the
term dictionary through every segment (suggest p95 was 4.7 ms at 115,000 documents; see
docs/benchmarks.md). Deletions do change: each hit is checked against the searcher's current
deletions, so a deleted or replaced document is never suggested, and the facade then filters by
the database's visibility as before. A rebuild's new generation has new segment ids."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict

from gi_registry.search import text
from gi_registry.search.docsets import segments

MAX_TERMS_PER_FIELD = 40
KIND_RANK = {"product": 0, "brand": 1, "producer": 2}
FIELDS = ("name_key", "py_key", "initials")
CACHED_SEGMENTS = 64  # a live index has a handful; old ones age out after merges and rebuilds

_cache: OrderedDict[str, SegmentTerms] = OrderedDict()
_cache_lock = threading.Lock()


class SegmentTerms:
    """One segment's suggestion terms, sorted; postings and stored fields read once, when first hit.

    Only the term lists are read up front (60 ms for 25,000 documents): reading every posting list
    and stored document as well took seconds, which the first suggestion after a rebuild would pay.
    """

    def __init__(self, reader):
        names = reader.indexed_field_names()
        self.terms = {f: list(reader.field_terms(f)) if f in names else [] for f in FIELDS}
        self._postings: dict[tuple[str, str], tuple[int, ...]] = {}
        self._shown: dict[int, dict] = {}
        self._lock = threading.Lock()  # the caches are shared by every thread of the process

    def completions(self, fieldname: str, prefix: str) -> list[str]:
        """The first MAX_TERMS_PER_FIELD terms of the field that start with ``prefix``."""
        keys = self.terms[fieldname]
        start = bisect_left(keys, prefix)
        out = []
        for term in keys[start : start + MAX_TERMS_PER_FIELD]:
            if not term.startswith(prefix):
                break
            out.append(term)
        return out

    def postings(self, reader, fieldname: str, term: str) -> tuple[int, ...]:
        """Documents holding the term; those deleted later are still here (checked per hit)."""
        key = (fieldname, term)
        with self._lock:
            found = self._postings.get(key)
        if found is None:
            found = tuple(reader.postings(fieldname, term).all_ids())
            with self._lock:
                self._postings[key] = found
        return found

    def shown(self, reader, docnum: int) -> dict:
        with self._lock:
            found = self._shown.get(docnum)
        if found is None:
            # Only documents some prefix reached are kept: a fraction of the segment.
            found = reader.stored_fields(docnum)
            with self._lock:
                self._shown[docnum] = found
        return found


def suggest_raw(lease, prefix: str, limit: int = 10) -> list[dict]:
    folded = " ".join(text.words(text.fold(prefix[:50])))
    if not folded:
        return []
    needles = [("name_key", folded)]
    if folded.isascii():
        joined = folded.replace(" ", "")
        needles += [("py_key", joined), ("initials", joined)]
    best: dict[tuple[int, int], tuple[tuple, dict]] = {}  # (segment, local) → (rank, fields)
    for number, seg in enumerate(segments(lease)):
        reader = seg.searcher.reader()
        terms = segment_terms(seg.segid, reader)
        for fieldname, needle in needles:
            for term in terms.completions(fieldname, needle):
                for local in terms.postings(reader, fieldname, term):
                    if reader.is_deleted(local):
                        continue
                    fields = terms.shown(reader, local)
                    kind_rank = KIND_RANK.get(fields["kind"], 9)
                    rank = (kind_rank, term != needle, len(term), fields["title"])
                    found = best.get((number, local))
                    if found is None or rank < found[0]:
                        best[(number, local)] = (rank, fields)
    picked = sorted(best.values(), key=lambda pair: pair[0])
    return [dict(fields) for _rank, fields in picked[:limit]]


def segment_terms(segid: str, reader) -> SegmentTerms:
    if segid.startswith("anon"):  # no segment id to key on (an empty index): read it each time
        return SegmentTerms(reader)
    with _cache_lock:
        found = _cache.get(segid)
        if found is not None:
            _cache.move_to_end(segid)
            return found
    found = SegmentTerms(reader)
    with _cache_lock:
        _cache[segid] = found
        while len(_cache) > CACHED_SEGMENTS:
            _cache.popitem(last=False)
    return found
