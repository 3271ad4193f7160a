"""Writing the index: draining the outbox, rebuilding beside the live index, and checking it.

Each drain batch takes the index writer lock first and only then reads the outbox and the rows it
names, so two processes can never write an older state over a newer one. Outbox rows are deleted only
after the index commit: a crash in between re-indexes them next time, which is harmless.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh.index import LockError

from gi_registry.models import SearchOutbox
from gi_registry.search.documents import KINDS, load_documents, visible_ids
from gi_registry.search.schema import SCHEMA_VERSION
from gi_registry.search.store import IndexStore

Progress = Callable[[int, int], None]
PARALLEL_FROM = 5000  # documents


@dataclass
class DrainReport:
    indexed: int = 0
    removed: int = 0
    rows: int = 0
    busy: bool = False  # another writer held the lock past the timeout: rows left for later
    rebuilding: bool = False  # a rebuild is running: rows left for it to drain after the swap


def drain(
    store: IndexStore, engine: sa.Engine, *, batch_size: int = 500, lock_timeout: float = 1.0
) -> DrainReport:
    """Index what the outbox names until it is empty, one writer per batch."""
    report = DrainReport()
    # Threads of one process queue here first; processes then meet at Whoosh's file lock.
    if not store.drain_lock.acquire(timeout=lock_timeout):
        report.busy = True
        return report
    try:

        def until_empty() -> None:
            while _next_batch(store, engine, batch_size, lock_timeout, report):
                pass

        until_empty()
        if report.rows and not report.busy:
            _merge_if_fragmented(store)
            until_empty()  # a commit that gave up waiting during the merge left its rows
    finally:
        store.drain_lock.release()
    return report


def _next_batch(store, engine, batch_size: int, lock_timeout: float, report: DrainReport) -> bool:
    if store.rebuilding():
        report.rebuilding = True
        return False
    try:
        writer = store.open_live().writer(timeout=lock_timeout)
    except LockError:
        report.busy = True
        return False
    return _drain_batch(store, engine, writer, batch_size, report)


def _drain_batch(store, engine, writer, batch_size: int, report: DrainReport) -> bool:
    """One batch under one writer; False once the outbox is empty (or a rebuild began)."""
    committed = False
    try:
        if store.rebuilding():  # began while we waited for the lock
            report.rebuilding = True
            return False
        with Session(engine) as session:
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.entity_id)
                .order_by(SearchOutbox.id)
                .limit(batch_size)
            ).all()
            if not rows:
                return False
            with store.lease() as lease:
                _write(session, writer, _deletion_searcher(lease, writer), rows, report)
            # Visible now; merging the small segments that drains leave can wait (see below).
            writer.commit(merge=False)
            committed = True
            ids = [row.id for row in rows]
            session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(ids)))
            session.commit()
            report.rows += len(rows)
        return True
    finally:
        if not committed:
            writer.cancel()


def _deletion_searcher(lease, writer):
    """The leased searcher when it sees exactly the writer's segments (the usual case: the lease is
    refreshed as it is taken, and the writer lock keeps the index still); else the writer's own."""
    leaves = lease.searcher.reader().leaf_readers() if lease.searcher.doc_count_all() else []
    seen = [(r.segment().segment_id(), r.segment().deleted_count()) for r, _offset in leaves]
    wanted = [(seg.segment_id(), seg.deleted_count()) for seg in writer.segments]
    return lease.searcher if seen == wanted else writer.searcher()


def _write(session: Session, writer, searcher, rows, report: DrainReport) -> None:
    by_kind: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.kind in KINDS:  # rows of a kind this version does not index are simply consumed
            by_kind[row.kind].add(row.entity_id)
    for kind, ids in by_kind.items():
        docs, gone = load_documents(session, kind, ids)
        # update_document() would open a reader on every segment for each batch (50 ms at 100,000
        # documents); the leased searcher already has them open.
        for doc in docs:
            writer.delete_by_term("key", doc["key"], searcher=searcher)
            writer.add_document(**doc)
        for entity_id in gone:
            writer.delete_by_term("key", f"{kind}:{entity_id}", searcher=searcher)
        report.indexed += len(docs)
        report.removed += len(gone)


MAX_SEGMENTS = 4


def _merge_if_fragmented(store: IndexStore) -> None:
    """Each drain adds a segment. Past MAX_SEGMENTS, merge the small ones, after the new documents
    are already searchable, so the merge never delays commit-to-searchable."""
    ix = store.open_live()
    if len(ix._segments()) <= MAX_SEGMENTS:
        return
    try:
        writer = ix.writer(timeout=0.0)
    except LockError:
        return  # someone else is writing; they or the next drain will merge
    writer.commit()  # Whoosh's default policy: merge the small segments


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
    store: IndexStore,
    engine: sa.Engine,
    *,
    procs: int = 2,
    chunk: int = 1000,
    progress: Progress | None = None,
) -> RebuildReport:
    """Build a fresh generation from the database, swap it in, then drain what arrived meanwhile."""
    started = time.perf_counter()
    report = RebuildReport()
    with store.rebuild_marker():
        _wait_for_drains(store)
        with Session(engine) as session:
            ids_by_kind = {kind: visible_ids(session, kind) for kind in KINDS}
        name, ix = store.create_generation()
        # Forking analysers pays off only for a large registry; each process writes its own segment.
        many = sum(map(len, ids_by_kind.values())) >= PARALLEL_FROM
        options = {"procs": procs, "multisegment": True} if procs > 1 and many else {}
        writer = ix.writer(limitmb=256, **options)
        try:
            _add_everything(engine, writer, ids_by_kind, chunk, report, progress)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        store.swap(name)
    report.drained = drain(store, engine, lock_timeout=30.0)
    store.remove_old_generations()
    report.seconds = time.perf_counter() - started
    return report


def _wait_for_drains(store: IndexStore) -> None:
    """Take and release the live writer lock: a drain that began before the marker has finished."""
    # A writer stuck for a minute is not ours to wait on; its rows stay in the outbox.
    with contextlib.suppress(LockError):
        store.open_live().writer(timeout=60.0).cancel()


def _add_everything(
    engine, writer, ids_by_kind, chunk: int, report: RebuildReport, progress
) -> None:
    total, done = sum(map(len, ids_by_kind.values())), 0
    for kind, ids in ids_by_kind.items():
        report.counts[kind] = 0
        for start in range(0, len(ids), chunk):
            # A session per chunk keeps memory flat at any registry size.
            with Session(engine) as session:
                docs, _gone = load_documents(session, kind, ids[start : start + chunk])
            for doc in docs:
                writer.add_document(**doc)
            report.counts[kind] += len(docs)
            done += len(ids[start : start + chunk])
            if progress:
                progress(done, total)


# ---- check -----------------------------------------------------------------------------------


@dataclass
class CheckReport:
    database: dict[str, int] = field(default_factory=dict)
    indexed: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pending: int = 0
    sampled: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check(store: IndexStore, engine: sa.Engine, *, sample: int = 200) -> CheckReport:
    """Compare the index with the database: ids per kind exactly, and a sample of documents by digest."""
    report = CheckReport()
    if store.schema_version() != SCHEMA_VERSION:
        report.problems.append(
            f"index schema {store.schema_version()} ≠ code schema {SCHEMA_VERSION}: run search rebuild"
        )
    stored = _stored_digests(store)
    with Session(engine) as session:
        report.pending = session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) or 0
        for kind in KINDS:
            _check_kind(session, kind, stored.get(kind, {}), sample, report)
    return report


def _stored_digests(store: IndexStore) -> dict[str, dict[int, str]]:
    digests: dict[str, dict[int, str]] = defaultdict(dict)
    with store.open_live().searcher() as searcher:
        for fields in searcher.documents():
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
