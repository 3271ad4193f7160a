"""From user text to ranked, faceted results, on one leased searcher.

User text is only ever cut into words (``text.words``): Whoosh query syntax, quotes and field names
are never parsed, so they are searched as the characters they are.

Ranking is BM25F plus fixed bonuses that put the evidence in a fixed order: the whole query equal to a
name or alias, then a name that starts with it, then a name that contains it, then the record's
region; plain text matches come last. Listings have no name fields, so a product always outranks the
listings that mention it. ``ranking`` adds the bonuses to Whoosh's score; ``facets`` counts.

When the strict query finds too little, a relaxed query forgives typos, and a partial one drops the
words that match nothing (梅河大米现货 → 梅河大米, naming 现货): see docs/search.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from whoosh import query as Q

from gi_registry.search import docsets as ds
from gi_registry.search import facets, ranking, text
from gi_registry.search.ranking import Bonus
from gi_registry.search.schema import build_schema
from gi_registry.search.words import Unit, covering, units, unmatched

MAX_QUERY_CHARS = 100
MAX_WORDS = 8
# When the strict query finds fewer than this, a relaxed query (homophones, one character off) runs.
RELAX_BELOW = 3
RELAXED_LIMIT = 20
# Longer words are place names or phrases, not misspelt names; dropping bigrams from them is costly.
RELAX_MAX_GRAMS = 7
EXACT, PREFIX, CONTAINS, REGION = 10000.0, 3000.0, 1000.0, 300.0
# A GI located in the queried region outranks a producer whose name merely contains the place, and
# when the query is exactly a place name (梅河口, 通化县), one whose name starts with it.
PRODUCT_OF_REGION = CONTAINS + 200.0
PRODUCT_OF_NAMED_REGION = PREFIX + 200.0
# Within one tier, a small prior by kind: the showcase is about GI products first.
KIND_PRIOR = {"product": 2.0, "brand": 1.5, "producer": 1.0}
TEXT_FIELDS = ("name", "regions", "category_text", "body")

_EN = build_schema()["en"].analyzer


@dataclass(frozen=True)
class Parsed:
    raw: str
    folded: str
    words: tuple[str, ...]

    @property
    def han(self) -> str:
        return "".join(w for w in self.words if text.is_han(w))

    @property
    def latin(self) -> list[str]:
        return [w for w in self.words if not text.is_han(w)]

    @property
    def joined(self) -> str:
        return "".join(self.words)

    @property
    def spaced(self) -> str:
        return " ".join(self.words)


def parse(raw: str | None) -> Parsed:
    raw = (raw or "")[: MAX_QUERY_CHARS * 4]
    folded = text.fold_long(raw)[:MAX_QUERY_CHARS]
    return Parsed(raw=raw, folded=folded, words=tuple(text.words(folded)[:MAX_WORDS]))


# ---- building queries ----------------------------------------------------------------------


def _all_terms(fieldname: str, terms: Iterable[str]) -> Q.Query:
    terms = list(dict.fromkeys(terms))
    return (
        Q.Term(fieldname, terms[0])
        if len(terms) == 1
        else Q.And([Q.Term(fieldname, t) for t in terms])
    )


def _syllable_query(fieldname: str, syllables: list[str]) -> Q.Query:
    if not syllables:  # characters pypinyin cannot read (﨎, rare Extension A)
        return Q.NullQuery
    if len(syllables) == 1:
        return Q.Term(fieldname, syllables[0])
    return Q.Phrase(fieldname, syllables)


def _english_terms(word: str) -> list[str]:
    return [t.text for t in _EN(word)]


def _initials_candidate(word: str) -> bool:
    """mhdm, cbsrs: Latin words of 2-12 letters that are not pinyin are probably initials."""
    return word.isalpha() and 2 <= len(word) <= 12 and text.split_syllables(word) is None


# How a Chinese query word becomes index terms; must match the index's analyzer. The analyzer
# comparison (bench/search_analyzers.py) swaps in jieba's cut for both.
han_terms = text.bigrams


def strict_word(word: str) -> Q.Query:
    if text.is_han(word):
        grams = han_terms(word)
        return Q.Or([_all_terms(f, grams) for f in TEXT_FIELDS])
    parts: list[Q.Query] = [Q.Term("body", word)]
    parts += [Q.Term("en", t) for t in _english_terms(word)]
    syllables = text.split_syllables(word) if word.isalpha() else None
    if syllables:
        parts += [_syllable_query("py", syllables), _syllable_query("region_py", syllables)]
    if len(word) >= 2 and word.isalpha():
        parts.append(Q.Prefix("py_key", word))
    if _initials_candidate(word):
        parts.append(Q.Prefix("initials", word))
    return Q.Or(parts)


def tier_bonus(parsed: Parsed) -> list[Bonus]:
    """Constant bonuses for name evidence about the whole query (see module docstring)."""
    bonus: list[Bonus] = []

    def add(q: Q.Query, score: float, kind: str | None = None) -> None:
        bonus.append(Bonus(score, q, kind))

    spaced, joined = parsed.spaced, parsed.joined
    add(Q.Or([Q.Term("name_key", spaced), Q.Term("name_key", joined)]), EXACT)
    add(Q.Or([Q.Term("py_key", joined), Q.Term("initials", joined)]), EXACT)
    add(Q.Prefix("name_key", joined), PREFIX)
    if joined.isascii() and len(joined) >= 2:
        add(Q.Prefix("py_key", joined), PREFIX)
    region: Q.Query | None = None
    if parsed.han and not parsed.latin:
        grams = han_terms(parsed.han)
        add(_all_terms("name", grams), CONTAINS)
        region = _all_terms("regions", grams)
        add(_all_terms("category_text", grams), REGION, kind="product")
        add(Q.Term("region_key", joined), PRODUCT_OF_NAMED_REGION, kind="product")
    elif parsed.latin and not parsed.han:
        syllables = text.split_syllables(joined) if joined.isalpha() else None
        if syllables:
            add(_syllable_query("py", syllables), CONTAINS)
            region = _syllable_query("region_py", syllables)
    if region is not None:
        add(region, REGION)
        add(region, PRODUCT_OF_REGION - REGION, kind="product")
    bonus += [Bonus(prior, kind=kind) for kind, prior in KIND_PRIOR.items()]
    return bonus


def strict_query(parsed: Parsed) -> Q.Query:
    """Every word must match somewhere; the bonus only orders what matched."""
    return Q.And([strict_word(w) for w in parsed.words])


def relaxed_word(word: str) -> Q.Query:
    """Tolerate one wrong, missing or extra character, and input-method near-homophones."""
    return Q.Or([strict_word(word), *_typo_parts(word)])


def _typo_parts(word: str) -> list[Q.Query]:
    """What ``relaxed_word`` adds to the strict word."""
    if text.is_han(word):
        fuzzy = [text.fuzzy_syllable(s) for s in text.syllables_of(word)]
        parts: list[Q.Query] = [_syllable_query("py_fuzzy", fuzzy)]
        if 3 <= len(word) <= 12:  # a whole name, one character off (长白人参, 长白山人参参)
            parts.append(Q.FuzzyTerm("name_key", word, maxdist=1))
        grams = han_terms(word)
        if 2 <= len(grams) <= RELAX_MAX_GRAMS:
            # One character wrong, or two words typed without a space (求购肉牛 has 购肉, which
            # 求购育肥肉牛 lacks): all bigrams but one must match, in a name or in the text.
            for i in range(len(grams)):
                rest = grams[:i] + grams[i + 1 :]
                parts += [_all_terms(f, rest) for f in ("name", "body")]
        return parts
    parts = []
    if len(word) >= 4:
        parts.append(Q.FuzzyTerm("py_key", word, maxdist=1, prefixlength=1))
    if len(word) >= 5:
        parts += [Q.FuzzyTerm("en", t, maxdist=1, prefixlength=1) for t in _english_terms(word)]
    syllables = text.split_syllables(word) if word.isalpha() else None
    if syllables:
        parts.append(_syllable_query("py_fuzzy", [text.fuzzy_syllable(s) for s in syllables]))
    return parts


def _relaxed_docs(lease, parsed: Parsed, docs_of) -> ds.DocSet:
    """What ``relaxed_query`` matches, word by word: the strict part of each word is what the
    partial step's cut searches too (``docs_of`` keeps it), so only the typo parts are new here,
    and after the first word (the rarest) only among the records still in the running."""
    found: ds.DocSet | None = None
    for word in sorted(dict.fromkeys(parsed.words), key=lambda w: ds.size(docs_of(w))):
        typos = Q.Or(_typo_parts(word))
        if found is None:
            found = ds.union(docs_of(word), ds.matching(lease, typos))
        else:
            strict = ds.intersect(found, docs_of(word))
            found = ds.union(strict, ds.matching_within(lease, typos, ds.minus(found, strict)))
        if not ds.size(found):
            break
    return found if found is not None else []


def relaxed_query(parsed: Parsed) -> Q.Query:
    return Q.And([relaxed_word(w) for w in parsed.words])


# ---- partial matches: words that match nothing (see search.words) ---------------------
# Coverage outranks every tier bonus: a record matching more of the query always comes first.
COVER = 100_000.0


def _docs_of(lease, word: str) -> ds.DocSet:
    """What ``strict_word`` matches. A Chinese word's fields are searched one by one: Whoosh's Or
    fills an array per query, the main cost of probing every span of a long query."""
    if not text.is_han(word):
        return ds.matching(lease, strict_word(word))
    found = [ds.matching(lease, _all_terms(f, han_terms(word))) for f in TEXT_FIELDS]
    return [set().union(*parts) for parts in zip(*found, strict=True)]


# ---- running them --------------------------------------------------------------------------


@dataclass
class Filters:
    kind: str | None = None
    category: str | None = None
    region: str | None = None
    protection: str | None = None
    listing_kind: str | None = None

    def terms(self) -> list[tuple[str, str]]:
        """The non-kind filters as (field, value)."""
        pairs = [("category", self.category), ("region", self.region)]
        pairs += [("protection", self.protection), ("listing_kind", self.listing_kind)]
        return [(f, v) for f, v in pairs if v]


@dataclass
class RawHit:
    docnum: int
    fields: dict
    score: float
    relaxed: bool = False


@dataclass
class RawResults:
    hits: list[RawHit]
    total: int
    kind_counts: dict[str, int]
    facets: dict[str, dict[str, int]]
    correction: str | None = None
    correction_key: str | None = None
    relaxed_only: bool = False
    unmatched: tuple[str, ...] = ()  # query words no shown record matches (see ``_partial``)


def run(lease, parsed: Parsed, filters: Filters, limit: int) -> RawResults:
    """Strict search; when it finds too little, relaxed (typos), then partial (unknown words).

    ``limit`` = hits wanted from the top.
    """
    required, bonus = strict_query(parsed), tier_bonus(parsed)
    raw = RawResults(hits=[], total=0, kind_counts={}, facets={})
    allowed = facets.allowed(lease, filters)
    everything, top = ranking.collect(lease, required, bonus, allowed, max(limit, 1))
    raw.hits = _hits(lease, top)
    found_a_name = bool(raw.hits) and raw.hits[0].score >= PREFIX
    if ds.size(everything) >= RELAX_BELOW or found_a_name or not parsed.words:
        _count(lease, raw, everything, filters)
        return raw
    docs_of = cache(lambda word: _docs_of(lease, word))  # a repeated piece is searched once
    # Cutting probes the index once per span of the query: only when its answer can matter.
    cut = units(parsed.words, docs_of) if _may_rejoin(parsed) else None
    if cut is not None and _rejoined(cut, parsed):
        # 通化市集安市 is 通化市 + 集安市: records with both match as typed, not as a typo, and
        # rank with what the strict query found (which matched every piece too).
        raw.hits = []
        nothing: ds.DocSet = [set() for _ in everything]
        shown, whole = _partial(lease, parsed, cut, raw, nothing, filters, limit)
    else:
        shown, named = _relax(lease, parsed, raw, everything, bonus, filters, docs_of)
        whole = everything
        # A typo that found a name wins; otherwise words that match nothing may have emptied it.
        # (When something matched every word, records matching only some are not worth adding.)
        if not ds.size(everything) and ds.size(shown) < RELAX_BELOW and not named:
            cut = cut if cut is not None else units(parsed.words, docs_of)
            shown, whole = _partial(lease, parsed, cut, raw, shown, filters, limit)
    raw.hits = raw.hits[:limit]
    # Counts and facets once, for what is shown: those of the steps before would be thrown away.
    raw.relaxed_only = shown is not everything and not ds.size(everything) and not ds.size(whole)
    _count(lease, raw, shown, filters)
    return raw


def _may_rejoin(parsed: Parsed) -> bool:
    """Whether some word could be cut into several pieces that all match (see ``_rejoined``).
    Pieces have two or more characters, so a shorter Chinese word is one piece or has a stretch
    that matches nothing (a lone 州 after a place joins it), and a Latin word is never cut."""
    return any(len(w) >= 4 and text.is_han(w) for w in parsed.words)


def _rejoined(cut: list[Unit], parsed: Parsed) -> bool:
    """Every piece of the query matches something, and some word of it is several pieces."""
    return len(cut) > len(parsed.words) and all(u.docs is not None for u in cut)


def _relax(lease, parsed, raw, everything, bonus, filters, docs_of) -> tuple[ds.DocSet, bool]:
    """Append the relaxed query's hits; return the documents shown so far and whether the top
    relaxed hit is a name (product, brand or producer)."""
    relaxed = relaxed_query(parsed)
    found = ds.minus(_relaxed_docs(lease, parsed, docs_of), everything)
    if not ds.size(found):
        return everything, False
    extra = _ranked(lease, relaxed, bonus, found, filters, RELAXED_LIMIT)
    for hit in extra.hits:
        hit.relaxed = True
    top = extra.hits[0].fields if extra.hits else {}
    named = top.get("kind") in KIND_PRIOR
    # Offer a correction only when it is a name (a listing title is not what the user misspelt).
    if named and ds.size(found) > ds.size(everything):
        raw.correction, raw.correction_key = top["title"], top["key"]
    raw.hits += extra.hits
    return ds.union(everything, ds.from_global(lease, {h.docnum for h in extra.hits})), named


def _partial(lease, parsed, cut, raw, shown, filters, limit) -> tuple[ds.DocSet, ds.DocSet]:
    """Append records that match some of the query's words, those covering most of it first, and
    name the words that no record shown matches (梅河大米现货 → 梅河大米, without 现货).

    Returns the documents now shown, and those among them that match every word.
    """
    found = [u for u in cut if u.docs is not None]
    docs, whole = covering(len(ds.segments(lease)), cut)
    docs, whole = ds.minus(docs, shown), ds.minus(whole, shown)
    if ds.size(docs):
        weights = Counter[str]()
        for unit in found:  # a word typed twice counts twice, but is searched once
            weights[unit.searched] += unit.weight
        # Coverage is known per record already: a set lookup, not the words searched again.
        coverage = [Bonus(COVER * unit.weight, docs=unit.docs) for unit in found]
        bonus = coverage + _bonuses(parsed, list(weights))
        matched = Q.Or([strict_word(w) for w in weights])
        extra = _ranked(lease, matched, bonus, docs, filters, limit)
        exact = ds.to_global(lease, whole)
        for hit in extra.hits:
            hit.relaxed = hit.docnum not in exact
        raw.hits += extra.hits
        shown = ds.union(shown, docs)
    if ds.size(shown):
        raw.unmatched = unmatched(cut, shown)
    return shown, whole


def _bonuses(parsed: Parsed, words: list[str]) -> list[Bonus]:
    """Within one coverage, the tiers of the words found taken together (Chagan Lake), and of each
    alone: of 梅河口市山城镇's 梅河口市 and 城镇, only 梅河口市 is a place with GIs."""
    groups = [tuple(words)] + ([(w,) for w in words] if len(words) > 1 else [])
    return [b for group in groups for b in tier_bonus(Parsed(parsed.raw, parsed.folded, group))]


def _ranked(lease, q: Q.Query, bonus: list[Bonus], docs: ds.DocSet, filters, limit) -> RawResults:
    """The best ``limit`` of ``docs`` kept by the filters, by ``q``'s score plus the bonuses."""
    raw = RawResults(hits=[], total=0, kind_counts={}, facets={})
    kept = facets.kept(lease, docs, filters)
    if ds.size(kept):
        raw.hits = _hits(lease, ranking.top(lease, q, bonus, kept, max(limit, 1)))
    return raw


def _hits(lease, top: ranking.Top) -> list[RawHit]:
    stored = lease.searcher.stored_fields
    return [RawHit(docnum, stored(docnum), score) for score, docnum in top]


def _count(lease, raw: RawResults, docs: ds.DocSet, filters: Filters) -> None:
    """Tab counts (all kinds, other filters applied), the total and facets of ``docs``."""
    raw.kind_counts, raw.total, raw.facets = facets.count(lease, docs, filters)
