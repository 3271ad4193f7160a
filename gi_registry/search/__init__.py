"""Search: the only interface the rest of the application uses.

    search(query, kind=None, filters=Filters(...), page=1, per_page=10) -> Results
    suggest(prefix, limit=10) -> list[Suggestion]
    drain() / rebuild() / check()          (after-commit hook, CLI, tests)

Behind it sit a Whoosh index (``store``), the document builders (``documents``), the outbox hooks
(``outbox``) and the query layer (``query``). Another engine (OpenSearch, say) could sit behind the
same functions: results are plain dataclasses carrying kind and slug, never Whoosh objects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, url_for

from gi_registry.extensions import db
from gi_registry.search import highlight, indexer, outbox, text
from gi_registry.search.documents import KINDS
from gi_registry.search.indexer import CheckReport, DrainReport, RebuildReport
from gi_registry.search.query import KIND_ORDER, Filters, parse, run
from gi_registry.search.schema import SCHEMA_VERSION
from gi_registry.search.store import IndexStore, RebuildRunning
from gi_registry.search.suggest import suggest_raw

__all__ = [
    "KIND_ORDER",
    "CheckReport",
    "DrainReport",
    "Filters",
    "Hit",
    "RebuildReport",
    "RebuildRunning",
    "Results",
    "Suggestion",
    "check",
    "drain",
    "ensure_index",
    "init_app",
    "rebuild",
    "search",
    "suggest",
]

log = logging.getLogger(__name__)
ENDPOINTS = {
    "product": "catalog.product",
    "brand": "catalog.brand",
    "producer": "catalog.producer",
    "listing": "catalog.listing",
}


@dataclass
class Hit:
    kind: str
    slug: str
    title: str
    subtitle: str
    url: str
    title_marks: list[tuple[str, bool]]
    snippet: list[tuple[str, bool]]
    approximate: bool  # found by the relaxed (typo-tolerant) query

    @property
    def highlight_html(self) -> str:
        from markupsafe import Markup, escape

        return Markup("").join(
            Markup("<mark>%s</mark>") % s if m else escape(s) for s, m in self.snippet
        )


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
    filters: Filters = field(default_factory=Filters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Suggestion:
    kind: str
    slug: str
    title: str
    url: str


def init_app(app: Flask) -> None:
    app.config.setdefault("SEARCH_INDEX_PATH", str(Path(app.instance_path) / "search"))
    app.extensions["gi_search"] = IndexStore(app.config["SEARCH_INDEX_PATH"])
    outbox.install(_drain_after_commit)
    from gi_registry.search.cli import search_cli

    app.cli.add_command(search_cli)


def store() -> IndexStore:
    return current_app.extensions["gi_search"]


def _drain_after_commit(_session) -> None:
    """Runs inside ``Session.commit()``: must never raise, or a committed write would look failed."""
    if not has_app_context() or not current_app.config["SEARCH_DRAIN_ON_COMMIT"]:
        return
    try:
        drain(lock_timeout=current_app.config["SEARCH_LOCK_TIMEOUT"])
    except Exception:  # the rows stay in the outbox; `search sync` or the next commit retries
        log.exception("search outbox drain failed; rows left for the next drain")


def drain(lock_timeout: float = 5.0) -> DrainReport:
    return indexer.drain(store(), db.engine, lock_timeout=lock_timeout)


def rebuild(progress=None, procs: int | None = None) -> RebuildReport:
    procs = procs or current_app.config["SEARCH_REBUILD_PROCS"]
    return indexer.rebuild(store(), db.engine, procs=procs, progress=progress)


def ensure_index(progress=None) -> RebuildReport | None:
    """Build the index if it is missing or has an older schema (first start, after an upgrade)."""
    current = store().current_name() and store().schema_version() == SCHEMA_VERSION
    if current and (_index_has_documents() or not _registry_has_public_rows()):
        return None
    # Missing, outdated, or an empty index that a request created before init-db ran.
    return rebuild(progress=progress)


def _index_has_documents() -> bool:
    with store().lease() as lease:
        return lease.searcher.doc_count() > 0


def _registry_has_public_rows() -> bool:
    for spec in KINDS.values():
        if db.session.scalar(sa.select(spec.model.id).where(spec.visible()).limit(1)) is not None:
            return True
    return False


def check(sample: int = 200) -> CheckReport:
    return indexer.check(store(), db.engine, sample=sample)


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
    with store().lease() as lease:
        raw = run(lease, parsed, filters, limit=start + per_page)
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


def _url(kind: str, slug: str) -> str:
    return url_for(ENDPOINTS[kind], slug=slug)


def _hit(fields: dict, words: tuple[str, ...], approximate: bool) -> Hit:
    return Hit(
        kind=fields["kind"],
        slug=fields["slug"],
        title=fields["title"],
        subtitle=_subtitle(fields, words),
        url=_url(fields["kind"], fields["slug"]),
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
    with store().lease() as lease:
        found = suggest_raw(lease, prefix, limit=limit * 2)
    shown = _still_public([f["key"] for f in found])
    return [
        Suggestion(f["kind"], f["slug"], f["title"], _url(f["kind"], f["slug"]))
        for f in found
        if f["key"] in shown
    ][:limit]


assert set(ENDPOINTS) >= set(KINDS), "every indexed kind needs a page to link to"
