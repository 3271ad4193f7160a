"""Search quality over a labelled query set: recall@k and MRR, overall and per query type.

The labelled set lives in tests/search_queries.json; tests assert the thresholds, and
``bench/search_analyzers.py`` uses the same scoring to compare analyzers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Scores:
    recall: float = 0.0
    mrr: float = 0.0
    queries: int = 0


@dataclass
class Evaluation:
    overall: Scores
    by_type: dict[str, Scores]
    misses: list[dict] = field(default_factory=list)


def load_queries(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def evaluate(queries: list[dict], ranked: Callable[[str], list[str]], k: int = 10) -> Evaluation:
    """``ranked(q)`` returns result keys ("product:meihe-dami") best first."""
    per_type: dict[str, list[tuple[float, float]]] = defaultdict(list)
    misses = []
    for item in queries:
        top = ranked(item["q"])[:k]
        expected = item["expect"]
        recall = sum(1 for e in expected if e in top) / len(expected)
        first = next((i for i, key in enumerate(top) if key in expected), None)
        reciprocal = 0.0 if first is None else 1.0 / (first + 1)
        per_type[item["type"]].append((recall, reciprocal))
        if recall < 1 or reciprocal < 1:
            misses.append({**item, "got": top[:5], "recall": recall, "rr": reciprocal})
    by_type = {t: _mean(v) for t, v in sorted(per_type.items())}
    return Evaluation(_mean([x for v in per_type.values() for x in v]), by_type, misses)


def _mean(pairs: list[tuple[float, float]]) -> Scores:
    n = len(pairs) or 1
    return Scores(sum(p[0] for p in pairs) / n, sum(p[1] for p in pairs) / n, len(pairs))


def table(evaluation: Evaluation) -> str:
    """A Markdown table of the scores, for docs/search.md."""
    lines = ["| type | queries | recall@10 | MRR |", "|---|---|---|---|"]
    for name, s in evaluation.by_type.items():
        lines.append(f"| {name} | {s.queries} | {s.recall:.3f} | {s.mrr:.3f} |")
    o = evaluation.overall
    lines.append(f"| **all** | {o.queries} | **{o.recall:.3f}** | **{o.mrr:.3f}** |")
    return "\n".join(lines)
