"""Highlighted snippets as (text, is_match) segments: templates escape them, the API joins them."""

from __future__ import annotations

from gi_registry.search import text

WINDOW = 90


def needles(words: tuple[str, ...]) -> list[str]:
    """What to mark: the query's words, and for Chinese words their bigrams as a fallback."""
    found = [w for w in words if len(w) >= 2 or text.is_han(w)]
    for word in words:
        if text.is_han(word) and len(word) > 2:
            found.extend(text.bigrams(word))
    return found


def segments(original: str, words: tuple[str, ...], window: int = WINDOW) -> list[tuple[str, bool]]:
    if not original:
        return []
    folded = text.fold_long(original)
    if len(folded) != len(original):  # folding changed lengths (rare phrase conversions): no marks
        return [(original[: window * 2], False)]
    spans = _spans(folded, needles(words))
    if not spans:
        return [(original[: window * 2] + ("…" if len(original) > window * 2 else ""), False)]
    start = max(0, spans[0][0] - window // 3)
    end = min(len(original), start + window * 2)
    out: list[tuple[str, bool]] = [("…", False)] if start else []
    cursor = start
    for left, right in spans:
        if left < cursor or right > end:
            continue
        out.append((original[cursor:left], False))
        out.append((original[left:right], True))
        cursor = right
    out.append((original[cursor:end], False))
    if end < len(original):
        out.append(("…", False))
    return [(s, m) for s, m in out if s]


def _spans(haystack: str, candidates: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping match spans, longest needles first, then in the query's order (not a set's:
    its order changes from one process to the next, and so would the marks of 湘乡甲)."""
    taken: list[tuple[int, int]] = []
    for needle in sorted(dict.fromkeys(candidates), key=len, reverse=True):
        start = haystack.find(needle)
        while start != -1:
            span = (start, start + len(needle))
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
            start = haystack.find(needle, start + 1)
    merged: list[tuple[int, int]] = []
    for left, right in sorted(taken):  # 长白 + 山人 touching: one mark, not two
        if merged and merged[-1][1] == left:
            merged[-1] = (merged[-1][0], right)
        else:
            merged.append((left, right))
    return merged
