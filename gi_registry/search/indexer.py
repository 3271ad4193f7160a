"""Keeping any engine in step with the database: the outbox drain, the rebuild's feed, the check.

Only the ``SearchEngine`` interface is used here. Each drain batch takes the engine's writer first
and only then reads the outbox and the rows it names, so two processes can never write an older
state over a newer one. Outbox rows are deleted only after the index commit: a crash in between
re-indexes them next time, which is harmless. An index that is lost or damaged leaves the rows in
the outbox for the rebuild that brings it back.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gi_registry.models import SearchOutbox, now_utc
from gi_registry.search.documents import KINDS, load_documents, visible_ids
from gi_registry.search.engine import (
    Feed,
    IndexBatch,
    IndexBusy,
    RebuildInProgress,
    SearchEngine,
    SearchUnavailable,
)

Progress = Callable[[int, int], None]


@dataclass
class DrainReport:
    indexed: int = 0
    removed: int = 0
    rows: int = 0
    busy: bool = False  # another writer held the lock past the timeout: rows left for later
    rebuilding: bool = False  # a rebuild is running: rows left for it to drain after the swap
    unavailable: str | None = None  # the index is lost or damaged: rows left for a rebuild


def drain(
    engine: SearchEngine, db: sa.Engine, *, batch_size: int = 500, lock_timeout: float = 1.0
) -> DrainReport:
    """Index what the outbox names until it is empty, one writer per batch."""
    report = DrainReport()
    _until_empty(engine, db, batch_size, lock_timeout, report)
    if report.rows and not (report.busy or report.rebuilding or report.unavailable):
        engine.tidy()
        _until_empty(engine, db, batch_size, lock_timeout, report)  # commits that waited meanwhile
    return report


def _until_empty(engine, db, batch_size: int, lock_timeout: float, report: DrainReport) -> None:
    try:
        while _drain_batch(engine, db, batch_size, lock_timeout, report):
            pass
    except IndexBusy:
        report.busy = True
    except RebuildInProgress:
        report.rebuilding = True
    except SearchUnavailable as error:
        report.unavailable = str(error)


def _drain_batch(engine, db, batch_size: int, lock_timeout: float, report: DrainReport) -> bool:
    """One batch under one writer; False once the outbox is empty."""
    with Session(db) as session:
        with engine.batch(lock_timeout) as batch:
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.entity_id)
                .order_by(SearchOutbox.id)
                .limit(batch_size)
            ).all()
            if not rows:
                return False
            _write(session, batch, rows, report)
        ids = [row.id for row in rows]
        session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(ids)))
        session.commit()
        report.rows += len(rows)
    return True


def _write(session: Session, batch: IndexBatch, rows, report: DrainReport) -> None:
    by_kind: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.kind in KINDS:  # rows of a kind this version does not index are simply consumed
            by_kind[row.kind].add(row.entity_id)
    for kind, ids in by_kind.items():
        docs, gone = load_documents(session, kind, ids)
        for doc in docs:
            batch.index(doc)
        for entity_id in gone:
            batch.delete(f"{kind}:{entity_id}")
        report.indexed += len(docs)
        report.removed += len(gone)


# ---- rebuild ---------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    drained: DrainReport | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def rebuild(
    engine: SearchEngine,
    db: sa.Engine,
    *,
    procs: int | None = None,
    chunk: int = 500,
    progress: Progress | None = None,
) -> RebuildReport:
    """Build a complete index from the database beside the live one (whatever state that is in),
    swap it in, then drain what arrived meanwhile."""
    started = time.perf_counter()
    report = RebuildReport()
    with engine.rebuild_lock():
        # Read after the lock: changes committed from here on wait in the outbox for the drain below.
        with Session(db) as session:
            ids_by_kind = {kind: visible_ids(session, kind) for kind in KINDS}
        engine.replace_all(DatabaseFeed(db, ids_by_kind, chunk, report, progress), procs=procs)
    report.drained = drain(engine, db, lock_timeout=30.0)
    report.seconds = time.perf_counter() - started
    return report


class DatabaseFeed(Feed):
    """Every public record, as pieces of ``chunk`` ids of one kind, each built in its own session
    (memory stays flat at any registry size). A forked helper builds pieces through its own
    connections: the parent's must never be used from two processes."""

    def __init__(self, db: sa.Engine, ids_by_kind, chunk: int, report: RebuildReport, progress):
        self.db = db
        self._pieces = [
            (kind, ids[start : start + chunk])
            for kind, ids in ids_by_kind.items()
            for start in range(0, len(ids), chunk)
        ]
        self.total = sum(map(len, ids_by_kind.values()))
        self.done = 0
        self.report = report
        self.progress = progress
        report.counts = dict.fromkeys(ids_by_kind, 0)

    def pieces(self) -> list[tuple[str, list[int]]]:
        return self._pieces

    def build(self, piece: tuple[str, list[int]]) -> list[dict]:
        kind, ids = piece
        with Session(self.db) as session:
            docs, _gone = load_documents(session, kind, ids)
        return docs

    def built(self, piece: tuple[str, list[int]], count: int) -> None:
        kind, ids = piece
        self.report.counts[kind] += count
        self.done += len(ids)
        if self.progress:
            self.progress(self.done, self.total)

    def in_child(self) -> None:
        # Forget the pooled connections without closing them: they are the parent's.
        self.db.dispose(close=False)


# ---- check -----------------------------------------------------------------------------------


@dataclass
class CheckReport:
    database: dict[str, int] = field(default_factory=dict)
    indexed: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pending: int = 0
    overdue: int = 0  # outbox rows older than the grace period
    sampled: int = 0
    unavailable: str | None = None  # the index cannot be read: nothing else was compared

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unavailable


def check(
    engine: SearchEngine, db: sa.Engine, *, sample: int = 200, grace: float = 5.0
) -> CheckReport:
    """Compare the index with the database: ids per kind exactly, a sample of documents by digest,
    and outbox rows that should have been drained by now."""
    report = CheckReport()
    health = engine.health()
    if not health.available:
        report.unavailable = health.problem
        return report
    if health.problem:
        report.problems.append(health.problem)
    try:
        stored = _stored_digests(engine)
    except SearchUnavailable as error:
        report.unavailable = str(error)
        return report
    with Session(db) as session:
        _check_outbox(session, grace, report)
        for kind in KINDS:
            _check_kind(session, kind, stored.get(kind, {}), sample, report)
    return report


def _check_outbox(session: Session, grace: float, report: CheckReport) -> None:
    count = sa.select(sa.func.count()).select_from(SearchOutbox)
    report.pending = session.scalar(count) or 0
    cutoff = now_utc() - timedelta(seconds=grace)
    report.overdue = session.scalar(count.where(SearchOutbox.created_at < cutoff)) or 0
    if report.overdue:
        report.problems.append(
            f"搜索待处理队列中有 {report.overdue} 条超过 {grace:g} 秒的变更，"
            "请运行 flask search sync"
        )


def _stored_digests(engine: SearchEngine) -> dict[str, dict[int, str]]:
    digests: dict[str, dict[int, str]] = defaultdict(dict)
    for fields in engine.documents():
        kind, _, entity_id = fields["key"].partition(":")
        digests[kind][int(entity_id)] = fields.get("digest", "")
    return digests


def _check_kind(
    session, kind: str, stored: dict[int, str], sample: int, report: CheckReport
) -> None:
    wanted = set(visible_ids(session, kind))
    report.database[kind], report.indexed[kind] = len(wanted), len(stored)
    missing, extra = wanted - stored.keys(), stored.keys() - wanted
    if missing:
        report.problems.append(
            f"{kind}: {len(missing)} missing from the index, e.g. {sorted(missing)[:5]}"
        )
    if extra:
        report.problems.append(
            f"{kind}: {len(extra)} in the index but not public, e.g. {sorted(extra)[:5]}"
        )
    both = sorted(wanted & stored.keys())
    picked = random.sample(both, min(sample, len(both)))
    docs, _gone = load_documents(session, kind, picked)
    stale = [d["key"] for d in docs if stored[int(d["key"].split(":")[1])] != d["digest"]]
    report.sampled += len(docs)
    if stale:
        report.problems.append(
            f"{kind}: {len(stale)} of {len(docs)} sampled documents out of date, e.g. {stale[:5]}"
        )
