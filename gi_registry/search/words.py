"""The words of a query as its user sees them, for partial matches (docs/search.md, Partial matches).

A Latin word is one word; unbroken Chinese is cut into the pieces that some record matches and the
stretches between them that match nothing: 梅河大米现货 → 梅河大米 + 现货. Which records cover how much
of the query, and which words no shown record matches, are computed here from per-segment
document sets; the queries themselves are built in ``search.query``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from gi_registry.search import docsets as ds
from gi_registry.search import text

# After a place (延边州, 抚松县) one of these is the division's suffix, not a word of its own.
PLACE_SUFFIXES = frozenset("省市县区州旗盟镇乡村")
# Cuts of a Chinese run kept per position: enough for the few ways names and places can be cut.
CUT_BEAM = 4


@dataclass(eq=False)
class Unit:
    """A word of the query as its user sees it: a Latin word, or a span of unbroken Chinese."""

    shown: str  # as typed (folded): 延边州
    searched: str  # what is searched: 延边
    token: int  # which query word it comes from
    docs: ds.DocSet | None  # None: no record matches it

    @property
    def weight(self) -> int:
        """Its share of the query: a character or a pinyin syllable is one, another word two."""
        if text.is_han(self.shown):
            return len(self.shown)
        syllables = text.split_syllables(self.shown) if self.shown.isalpha() else None
        return len(syllables) if syllables else 2


def units(words: list[str], docs_of: Callable[[str], ds.DocSet]) -> list[Unit]:
    """Latin words whole; Chinese runs cut into pieces that some record matches (梅河大米) and
    the stretches between them that no record matches (现货). ``docs_of(word)`` is what the strict
    query finds for a word, per segment."""
    out: list[Unit] = []
    for token, word in enumerate(words):
        if text.is_han(word) and len(word) > 1:
            out += _han_units(docs_of, word, token)
        else:
            docs = docs_of(word)
            out.append(Unit(word, word, token, docs if ds.size(docs) else None))
    return out


@dataclass(frozen=True)
class _Cut:
    """One way to cut the start of a Chinese run into pieces that some record matches."""

    covered: int  # characters in pieces
    docs: ds.DocSet | None  # records matching every piece (None before the first piece)
    pieces: tuple[tuple[int, int, ds.DocSet], ...]  # (start, end, records matching it)

    def rank(self) -> tuple[int, int, int]:
        return self.covered, ds.size(self.docs) if self.docs else 0, -len(self.pieces)


def _han_units(docs_of, word: str, token: int) -> list[Unit]:
    """Of the cuts covering most of the run, the one whose pieces most records hold together, then
    the one with fewest pieces: 白城市洮南市 → 白城市 + 洮南市, not 白城市洮 (in a producer's address)
    + 南市; 梅河大米现货 → 梅河大米 + 现货 (matches nothing)."""
    spans = [_spans_from(docs_of, word, i) for i in range(len(word))]
    beams: list[list[_Cut]] = [[] for _ in range(len(word) + 1)]
    beams[0] = [_Cut(0, None, ())]
    for i in range(len(word)):
        for cut in sorted(beams[i], key=_Cut.rank, reverse=True)[:CUT_BEAM]:
            beams[i + 1].append(cut)  # word[i] in no piece
            for end, docs in spans[i]:
                held = docs if cut.docs is None else ds.intersect(cut.docs, docs)
                piece = (i, end, docs)
                beams[end].append(_Cut(cut.covered + end - i, held, (*cut.pieces, piece)))
    return _to_units(word, max(beams[-1], key=_Cut.rank).pieces, token)


def _spans_from(docs_of, word: str, start: int) -> list[tuple[int, ds.DocSet]]:
    """(end, records) of each span of two or more characters from ``start`` that some record
    matches. Single characters only match names (梅 is in many), so alone they say nothing.
    A longer span matches a subset of what a shorter one matches: stop at the first miss."""
    out = []
    for end in range(start + 2, len(word) + 1):
        docs = docs_of(word[start:end])
        if not ds.size(docs):
            break
        out.append((end, docs))
    return out


def _to_units(word: str, pieces: tuple[tuple[int, int, ds.DocSet], ...], token: int) -> list[Unit]:
    out: list[Unit] = []
    at = 0
    for start, end, docs in [*pieces, (len(word), len(word), None)]:
        gap = word[at:start]
        if gap and out and gap[0] in PLACE_SUFFIXES:
            out[-1].shown += gap[0]  # 延边州: 州 is 延边's suffix, not a word that matched nothing
            gap = gap[1:]
        if gap:
            out.append(Unit(gap, gap, token, None))
        if docs is not None:
            out.append(Unit(word[start:end], word[start:end], token, docs))
        at = end
    return out


def covering(segments: int, cut: list[Unit]) -> tuple[ds.DocSet, ds.DocSet]:
    """Records covering more than half as much of the query as the record that covers most (a
    word matched alone, 城镇 of 梅河口市山城镇 or rice of Meihe rice wholesale, is not enough), and
    those covering all of it."""
    coverage: list[Counter[int]] = [Counter() for _ in range(segments)]
    for unit in (u for u in cut if u.docs is not None):
        for counts, local in zip(coverage, unit.docs, strict=True):
            for docnum in local:
                counts[docnum] += unit.weight
    best = max((n for counts in coverage for n in counts.values()), default=0)
    full = sum(u.weight for u in cut)
    kept = [{d for d, n in counts.items() if 2 * n > best} for counts in coverage]
    return kept, [{d for d, n in counts.items() if n == full} for counts in coverage]


def unmatched(cut: list[Unit], shown: ds.DocSet) -> tuple[str, ...]:
    """Runs of adjacent words (within one query word) that no shown record matches: 梅河口市山城镇
    → 山城镇, though 城镇 alone is in some record's text."""
    runs: list[list[Unit]] = []
    for i, unit in enumerate(cut):
        if unit.docs is not None and ds.count_in(shown, unit.docs):
            continue
        if runs and runs[-1][-1] is cut[i - 1] and cut[i - 1].token == unit.token:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    words = ("".join(u.shown for u in run) for run in runs)
    # A lone character is searched in names only (肉牛 holds 牛, but not as a name): its absence
    # says nothing about the records' text, so it is not reported as a word that matched nothing.
    return tuple(dict.fromkeys(w for w in words if len(w) > 1 or not text.is_han(w)))
