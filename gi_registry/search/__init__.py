"""Search: the only interface the rest of the application uses.

    search(query, kind=None, filters=Filters(...), page=1, per_page=10) -> Results
    suggest(prefix, limit=10) -> list[Suggestion]
    drain() / rebuild() / check() / health()      (after-commit hook, CLI, tests)

These functions delegate to the configured engine (``engine.SearchEngine``; Whoosh by default, see
``ENGINES``) and to the engine-independent outbox drain and database comparison (``indexer``).
Results are plain dataclasses carrying kind, slug and plain (text, is_match) segments, never engine
objects and never web code: the web layer builds URLs (``gi_registry.links``) and HTML from them.
A lost or damaged index raises ``SearchUnavailable`` from ``search()`` and ``suggest()``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from gi_registry.extensions import db
from gi_registry.search import highlight, indexer, outbox, text
from gi_registry.search.documents import KINDS
from gi_registry.search.engine import (
    EngineFactory,
    Health,
    RebuildRunning,
    SearchEngine,
    SearchUnavailable,
)
from gi_registry.search.facets import KIND_ORDER
from gi_registry.search.indexer import CheckReport, DrainReport, RebuildReport
from gi_registry.search.query import Filters, parse
from gi_registry.search.whoosh_engine import WhooshEngine

__all__ = [
    "KIND_ORDER",
    "CheckReport",
    "DrainReport",
    "Filters",
    "Health",
    "Hit",
    "RebuildReport",
    "RebuildRunning",
    "Results",
    "SearchEngine",
    "SearchUnavailable",
    "Suggestion",
    "check",
    "drain",
    "engine",
    "ensure_index",
    "health",
    "init_app",
    "rebuild",
    "search",
    "suggest",
]

log = logging.getLogger(__name__)
# SEARCH_ENGINE names one of these; each builds its engine from the app's config.
ENGINES: dict[str, EngineFactory] = {"whoosh": WhooshEngine.from_config}


@dataclass
class Hit:
    kind: str
    slug: str
    title: str
    subtitle: str
    title_marks: list[tuple[str, bool]]  # (text, is_match) segments; the web layer marks them up
    snippet: list[tuple[str, bool]]
    approximate: bool  # found by the relaxed (typo-tolerant) query


@dataclass
class Results:
    query: str
    items: list[Hit]
    total: int
    page: int
    per_page: int
    kind_counts: dict[str, int]
    facets: dict[str, dict[str, int]]
    correction: str | None = None  # "did you mean"
    showing_correction: bool = False  # nothing matched as typed; items come from the relaxed query
    # Query words that no record matches, left out: the items match only the other words.
    unmatched: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Suggestion:
    kind: str
    slug: str
    title: str


def init_app(app: Flask) -> None:
    config = app.config
    config.setdefault("SEARCH_INDEX_PATH", str(Path(app.instance_path) / "search"))
    factory = ENGINES.get(config["SEARCH_ENGINE"])
    if factory is None:
        raise RuntimeError(
            f"SEARCH_ENGINE {config['SEARCH_ENGINE']!r} 未知；可选：{'、'.join(ENGINES)}"
        )
    app.extensions["gi_search"] = factory(config)
    outbox.install(_drain_after_commit)
    from gi_registry.search.cli import search_cli

    app.cli.add_command(search_cli)


def engine() -> SearchEngine:
    return current_app.extensions["gi_search"]


def _drain_after_commit(_session) -> None:
    """Runs inside ``Session.commit()``: must never raise, or a committed write would look failed."""
    if not has_app_context() or not current_app.config["SEARCH_DRAIN_ON_COMMIT"]:
        return
    try:
        report = drain(lock_timeout=current_app.config["SEARCH_LOCK_TIMEOUT"])
    except Exception:  # the rows stay in the outbox; `search sync` or the next commit retries
        log.exception("search outbox drain failed; rows left for the next drain")
        return
    if report.unavailable != _last_unavailable[0]:  # once per change of state, not per commit
        _last_unavailable[0] = report.unavailable
        if report.unavailable:
            log.warning(
                "search index unavailable (%s); rows left for a rebuild", report.unavailable
            )


_last_unavailable: list[str | None] = [None]


def drain(lock_timeout: float = 5.0) -> DrainReport:
    return indexer.drain(engine(), db.engine, lock_timeout=lock_timeout)


def rebuild(progress=None, procs: int | None = None) -> RebuildReport:
    procs = procs or current_app.config["SEARCH_REBUILD_PROCS"]
    return indexer.rebuild(engine(), db.engine, procs=procs, progress=progress)


def health() -> Health:
    return engine().health()


def ensure_index(progress=None) -> RebuildReport | None:
    """Build the index if it is missing, unreadable or has an older schema (first start, after an
    upgrade), or is empty while the registry is not."""
    state = health()
    usable = state.available and not state.stale
    if usable and (state.documents or not _registry_has_public_rows()):
        return None
    return rebuild(progress=progress)


def _registry_has_public_rows() -> bool:
    for spec in KINDS.values():
        if db.session.scalar(sa.select(spec.model.id).where(spec.visible()).limit(1)) is not None:
            return True
    return False


def check(sample: int = 200) -> CheckReport:
    grace = current_app.config["SEARCH_PENDING_GRACE"]
    return indexer.check(engine(), db.engine, sample=sample, grace=grace)


def search(
    query: str | None,
    kind: str | None = None,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = 10,
) -> Results:
    filters = filters or Filters()
    filters.kind = kind or filters.kind
    parsed = parse(query)
    if not parsed.words:
        return Results(parsed.raw, [], 0, page, per_page, {}, {}, filters=filters)
    start = (page - 1) * per_page
    raw = engine().search(parsed, filters, limit=start + per_page)
    page_hits = raw.hits[start : start + per_page]
    candidates = [h.fields["key"] for h in page_hits]
    if raw.correction_key:
        candidates.append(raw.correction_key)
    shown = _still_public(candidates)
    correction = raw.correction if raw.correction_key in shown else None
    items = [_hit(h.fields, parsed.words, h.relaxed) for h in page_hits if h.fields["key"] in shown]
    return Results(
        query=parsed.raw,
        items=items,
        total=raw.total - (len(page_hits) - len(items)),
        page=page,
        per_page=per_page,
        kind_counts=raw.kind_counts,
        facets=raw.facets,
        correction=correction,
        showing_correction=raw.relaxed_only,
        unmatched=raw.unmatched,
        filters=filters,
    )


def _still_public(keys: list[str]) -> set[str]:
    """The database decides visibility: of these "kind:id" keys, those whose row is public now."""
    by_kind: dict[str, list[int]] = {}
    for key in keys:
        kind, _, entity_id = key.partition(":")
        by_kind.setdefault(kind, []).append(int(entity_id))
    public: set[str] = set()
    for kind, ids in by_kind.items():
        spec = KINDS.get(kind)
        if spec is None:
            continue
        rows = db.session.scalars(
            sa.select(spec.model.id).where(spec.model.id.in_(ids), spec.visible())
        )
        public.update(f"{kind}:{i}" for i in rows)
    return public


def _hit(fields: dict, words: tuple[str, ...], approximate: bool) -> Hit:
    return Hit(
        kind=fields["kind"],
        slug=fields["slug"],
        title=fields["title"],
        subtitle=_subtitle(fields, words),
        title_marks=highlight.segments(fields["title"], words, window=200),
        snippet=highlight.segments(fields.get("snippet", ""), words),
        approximate=approximate,
    )


def _subtitle(fields: dict, words: tuple[str, ...]) -> str:
    """The stored subtitle, plus the place that matched when the subtitle does not show it: a GI
    found through its protected area (梅河 → 长白山五味子, grown in 梅河口) says so."""
    subtitle = fields.get("subtitle", "")
    for place in filter(None, fields.get("places", "").split("、")):
        if place not in subtitle and any(w in text.fold(place) for w in words if text.is_han(w)):
            return f"{subtitle} · 产地包括{place}"
    return subtitle


def suggest(prefix: str | None, limit: int = 10) -> list[Suggestion]:
    if not prefix or not prefix.strip():
        return []
    found = engine().suggest(prefix, limit=limit * 2)
    shown = _still_public([f["key"] for f in found])
    return [Suggestion(f["kind"], f["slug"], f["title"]) for f in found if f["key"] in shown][
        :limit
    ]
