"""Ranking on one leased searcher: Whoosh's BM25F for the query, constant bonuses added here.

Whoosh could add the bonuses itself (``AndMaybe`` of the query and an ``Or`` of constant-score
queries), but then every document the query matches advances every bonus's posting list through a
tree of matchers: "is a product" alone walks 13,500 postings per query at 115,000 documents, and
the query's matches were walked once more beforehand to count them. Here:

- one pass over the query's matches collects them (for tab counts and facets) and scores only the
  documents the filters keep, or only the given candidates (relaxed and partial queries);
- a bonus that is a set already known (a kind, from the per-segment cache; a partial query's
  coverage) costs one set lookup per scored document;
- a bonus restricted to a kind ("a GI product of this region") looks at its own postings only for
  documents of that kind, and bonuses with the same query share one matcher.

Scores are those of ``AndMaybe(query, Or(bonuses))`` exactly: the bonuses are whole and half numbers,
so their sum is exact in any order, and it is added to the query's score once, as Whoosh does.
Ties keep Whoosh's order (lower document number first).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh import query as Q
from whoosh import scoring

from gi_registry.search import docsets as ds

# Whoosh's collectors simplify a matcher tree (drop exhausted branches) every few documents.
REPLACE_EVERY = 16


@dataclass(frozen=True)
class Bonus:
    """``score`` for each ranked document that matches ``query`` (any, when None), is of ``kind``
    (any, when None) and is in ``docs`` (any, when None)."""

    score: float
    query: Q.Query | None = None
    kind: str | None = None
    docs: ds.DocSet | None = None


Top = list[tuple[float, int]]  # (score, global document number), best first


def collect(
    lease, q: Q.Query, bonuses: list[Bonus], allowed: ds.DocSet | None, limit: int
) -> tuple[ds.DocSet, Top]:
    """Every document ``q`` matches, and the ``limit`` best of those in ``allowed`` (all: None)."""
    found: ds.DocSet = []
    heap: list[tuple[float, int]] = []
    ceiling = score_ceiling(lease, q)
    for i, seg in enumerate(ds.segments(lease)):
        local: set[int] = set()
        found.append(local)
        matcher = _matcher(lease, q, seg)
        if matcher is None:
            continue
        keep = None if allowed is None else allowed[i]
        scorer = _Scorer(lease, seg, i, bonuses)
        for docnum, current in _walk(matcher):
            local.add(docnum)
            if keep is not None and docnum not in keep:
                continue
            # Once the best are full, a record whose bonus cannot lift it past the last of them
            # (with the query's score at its ceiling) is neither scored nor fully bonused.
            need = _needed(heap, limit, ceiling)
            bonus = scorer.bonus(docnum, need)
            if bonus is not None:
                _push(heap, limit, current.score() + bonus, seg.offset + docnum)
    return found, _best_first(heap)


def _needed(heap: list[tuple[float, int]], limit: int, ceiling: float | None) -> float | None:
    """The least bonus that may still reach the best (rounding covered by the margin)."""
    if ceiling is None or len(heap) < limit:
        return None
    bar = heap[0][0]
    return bar - ceiling - 1e-6 * (abs(bar) + ceiling + 1.0)


def top(lease, q: Q.Query, bonuses: list[Bonus], wanted: ds.DocSet, limit: int) -> Top:
    """The ``limit`` best of the ``wanted`` documents that ``q`` matches.

    As in ``collect``, once the best are full a record whose bonus cannot lift it past the last of
    them is not scored: a partial query's 2,000 records of 湘西 or 黄牛 need few scores.
    """
    heap: list[tuple[float, int]] = []
    ceiling = score_ceiling(lease, q)
    for i, seg in enumerate(ds.segments(lease)):
        if not wanted[i]:
            continue
        matcher = _matcher(lease, q, seg)
        if matcher is None:
            continue
        scorer = _Scorer(lease, seg, i, bonuses)
        for docnum in sorted(wanted[i]):
            bonus = scorer.bonus(docnum, _needed(heap, limit, ceiling))
            if bonus is None:
                continue
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                _push(heap, limit, matcher.score() + bonus, seg.offset + docnum)
    return _best_first(heap)


def score_ceiling(lease, q: Q.Query) -> float | None:
    """An upper bound of ``q``'s BM25F score in any document, when ``q`` is ``And`` and ``Or`` of
    terms in scored fields (Chinese words): each term adds at most idf × (K1 + 1), whatever the
    term's frequency and the field's length. None for anything else (phrases, prefixes)."""
    weighting = lease.searcher.weighting
    # An empty index has no idf (log of zero documents), and nothing to rank either.
    if type(weighting) is not scoring.BM25F or not lease.searcher.doc_count_all():
        return None
    schema, searcher = lease.searcher.schema, lease.searcher

    def ceiling(node: Q.Query) -> float | None:
        if node.boost != 1.0:
            return None
        if type(node) is Q.Term:
            if node.fieldname not in schema or not schema[node.fieldname].scorable:
                return None
            return searcher.idf(node.fieldname, node.text) * (weighting.K1 + 1)
        if type(node) in (Q.And, Q.Or) and not getattr(node, "scale", None):
            parts = [ceiling(child) for child in node.subqueries]
            return None if None in parts else sum(parts)  # type: ignore[arg-type]
        return None

    return ceiling(q)


def _matcher(lease, q: Q.Query, seg: ds.Segment):
    # The searcher's own scoring context, as Searcher.search gives its collectors.
    matcher = q.matcher(seg.searcher, lease.searcher.context())
    return matcher if matcher.is_active() else None


def _walk(matcher) -> Iterator[tuple[int, object]]:
    """(document, matcher positioned on it) for every match."""
    steps = 0
    while matcher.is_active():
        yield matcher.id(), matcher
        matcher.next()
        steps += 1
        if steps % REPLACE_EVERY == 0 and matcher.is_active():
            matcher = matcher.replace()


def _push(heap: list[tuple[float, int]], limit: int, score: float, docnum: int) -> None:
    """Keep the ``limit`` best, as Whoosh's TopCollector does: an equal score does not displace
    an earlier document."""
    item = (score, -docnum)
    if len(heap) < limit:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)


def _best_first(heap: list[tuple[float, int]]) -> Top:
    return [(score, -negated) for score, negated in sorted(heap, reverse=True)]


class _Scorer:
    """The bonus total of documents of one segment, asked in increasing document order."""

    def __init__(self, lease, seg: ds.Segment, index: int, bonuses: Iterable[Bonus]):
        self.parts: list[tuple[float, object, frozenset[int] | set[int] | None]] = []
        matchers: dict[Q.Query, _Membership] = {}
        for bonus in sorted(bonuses, key=lambda b: -b.score):  # the big ones decide early
            within = None if bonus.docs is None else bonus.docs[index]
            if bonus.kind is not None:
                of_kind = ds.holding(lease, "kind", bonus.kind)[index]
                within = of_kind if within is None else within & of_kind
            if within is not None and not within:
                continue
            member = None
            if bonus.query is not None:
                member = matchers.get(bonus.query)
                if member is None:
                    member = matchers[bonus.query] = _Membership(bonus.query, seg)
                if member.empty:
                    continue
            self.parts.append((bonus.score, member, within))
        # What the parts after each one can still add (bonuses are never negative).
        self.after = [sum(p[0] for p in self.parts[i + 1 :]) for i in range(len(self.parts))]

    def bonus(self, docnum: int, at_least: float | None = None) -> float | None:
        """The total, or None once it cannot reach ``at_least``."""
        total = 0.0
        for (score, member, within), after in zip(self.parts, self.after, strict=True):
            if (within is None or docnum in within) and (member is None or member.holds(docnum)):
                total += score
            if at_least is not None and total + after < at_least:
                return None
        if at_least is not None and total < at_least:
            return None
        return total


class _Membership:
    """Whether documents, asked in increasing order, match a query: its matcher skips forward."""

    def __init__(self, q: Q.Query, seg: ds.Segment):
        self.matcher = q.matcher(seg.searcher, seg.searcher.boolean_context())
        self.empty = not self.matcher.is_active()

    def holds(self, docnum: int) -> bool:
        matcher = self.matcher
        if not matcher.is_active():
            return False
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return False
        return matcher.id() == docnum
