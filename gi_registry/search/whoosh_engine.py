"""The Whoosh engine: one index per host, under the instance folder (see ``store``).

Whoosh reads and writes local files, so it suits one host (any number of processes on it). Several
hosts need an engine with its own server, fed by the same outbox: see docs/search.md.
"""

from __future__ import annotations

import contextlib
import pickle
import struct
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from gi_registry.search import whoosh_compat as compat
from gi_registry.search.engine import (
    Feed,
    Health,
    IndexBusy,
    RebuildInProgress,
    SearchEngine,
    SearchUnavailable,
)
from gi_registry.search.query import Filters, Parsed, RawResults, run
from gi_registry.search.schema import SCHEMA_VERSION
from gi_registry.search.store import IndexStore, close_files_of
from gi_registry.search.suggest import suggest_raw
from gi_registry.search.whoosh_parallel import build_in_helpers

# What reading damaged index files raises (truncated or overwritten segments and tables of
# contents); anything else from a query is a bug and stays a 500.
DAMAGE = (
    OSError,
    EOFError,
    struct.error,
    pickle.UnpicklingError,
    zlib.error,
    whoosh_index.IndexError,
)
MAX_SEGMENTS = 4
WRITER_MEMORY_MB = 256
# Forking helpers pays off only for a large registry; each builds and writes its own segment.
PARALLEL_FROM = 5000  # documents


class WhooshEngine(SearchEngine):
    name = "whoosh"

    def __init__(self, root: str | Path, *, procs: int = 2, parallel_from: int = PARALLEL_FROM):
        self.store = IndexStore(root)
        self.procs = procs
        self.parallel_from = parallel_from

    @classmethod
    def from_config(cls, config) -> WhooshEngine:
        return cls(
            config["SEARCH_INDEX_PATH"],
            procs=config["SEARCH_REBUILD_PROCS"],
            parallel_from=config["SEARCH_PARALLEL_FROM"],
        )

    # ---- reading -----------------------------------------------------------------------------

    @contextmanager
    def reading(self):
        """The shared searcher; damaged files found while reading mean the index is unavailable."""
        with self.store.lease() as lease:
            try:
                yield lease
            except DAMAGE as error:
                close_files_of(error)
                self.store.close()  # the next request opens the files again (after a rebuild)
                reason = self.store.unreadable_reason(lease.generation, error)
                raise SearchUnavailable(reason) from error

    def search(self, parsed: Parsed, filters: Filters, limit: int) -> RawResults:
        with self.reading() as lease:
            return run(lease, parsed, filters, limit=limit)

    def suggest(self, prefix: str, limit: int) -> list[dict]:
        with self.reading() as lease:
            return suggest_raw(lease, prefix, limit=limit)

    def documents(self) -> Iterator[dict]:
        name, ix = self.store.open_live_named()
        try:
            with ix.searcher() as searcher:
                yield from searcher.documents()
        except Exception as error:  # only stored fields are read here: a failure is the files'
            close_files_of(error)
            raise SearchUnavailable(self.store.unreadable_reason(name, error)) from error

    def health(self) -> Health:
        rebuilding = self.store.rebuilding()
        try:
            name, ix = self.store.open_live_named()
        except SearchUnavailable as error:
            return Health(False, problem=str(error), rebuilding=rebuilding)
        try:
            with ix.reader() as reader:  # opens every segment's files
                documents = reader.doc_count()
        except Exception as error:
            close_files_of(error)
            problem = self.store.unreadable_reason(name, error)
            return Health(False, problem=problem, rebuilding=rebuilding)
        version = self.store.schema_version()
        if version == SCHEMA_VERSION:
            return Health(True, documents, rebuilding=rebuilding)
        problem = f"index schema {version} ≠ code schema {SCHEMA_VERSION}: run search rebuild"
        return Health(True, documents, problem=problem, stale=True, rebuilding=rebuilding)

    # ---- writing -----------------------------------------------------------------------------

    @contextmanager
    def batch(self, lock_timeout: float) -> Iterator[_Batch]:
        # Threads of one process queue here first; processes then meet at Whoosh's file lock.
        if not self.store.drain_lock.acquire(timeout=lock_timeout):
            raise IndexBusy()
        try:
            writer = self._live_writer(lock_timeout)
            committed = False
            try:
                if self.store.rebuilding():  # began while we waited for the lock
                    raise RebuildInProgress()
                with ExitStack() as stack:
                    batch = _Batch(self.store, writer, stack)
                    yield batch
                if batch.changed:
                    # Visible now; merging the small segments drains leave waits for tidy().
                    writer.commit(merge=False)
                    committed = True
            finally:
                if not committed:
                    writer.cancel()
        finally:
            self.store.drain_lock.release()

    def _live_writer(self, lock_timeout: float):
        if self.store.rebuilding():
            raise RebuildInProgress()
        name, ix = self.store.open_live_named()
        try:
            return ix.writer(timeout=lock_timeout)
        except LockError:
            raise IndexBusy() from None
        except Exception as error:
            close_files_of(error)
            raise SearchUnavailable(self.store.unreadable_reason(name, error)) from error

    @contextmanager
    def rebuild_lock(self) -> Iterator[None]:
        with self.store.rebuild_marker():
            self._wait_for_writers()
            yield

    def _wait_for_writers(self) -> None:
        """Take and release the live writer lock: a drain that began before the marker has finished."""
        try:
            ix = self.store.open_live()
        except SearchUnavailable:
            return  # nothing live to write to, so nobody is writing
        # A writer stuck for a minute is not ours to wait on; its rows stay in the outbox.
        with contextlib.suppress(LockError):
            ix.writer(timeout=60.0).cancel()

    def replace_all(self, feed: Feed, procs: int | None = None) -> int:
        name, ix = self.store.create_generation()
        try:
            added = self._fill(ix, feed, procs or self.procs)
            self._verify(name, added)
        except BaseException:
            self.store.remove_generation(name)  # the live index stays as it was
            raise
        self.store.swap(name)
        # Old generations go at once: open readers keep their files (POSIX unlink), and a reader
        # that read the old pointer reads it again.
        self.store.remove_old_generations()
        return added

    def _fill(self, ix, feed: Feed, procs: int) -> int:
        if procs > 1 and feed.total >= self.parallel_from:
            return build_in_helpers(ix, feed, procs, limitmb=WRITER_MEMORY_MB)
        writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        added = 0
        try:
            for document in feed:
                writer.add_document(**document)
                added += 1
            writer.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        return added

    def _verify(self, name: str, added: int) -> None:
        """A helper that died mid-build loses its segment without an error from Whoosh."""
        with whoosh_index.open_dir(str(self.store.root / name)).reader() as reader:
            found = reader.doc_count()
        if found != added:
            raise RuntimeError(f"新索引只有 {found} 篇文档，应有 {added} 篇；原索引保持不变。")

    def tidy(self) -> None:
        """Each drain adds a segment. Past MAX_SEGMENTS, merge the small ones, after the new
        documents are already searchable, so the merge never delays commit-to-searchable."""
        try:
            ix = self.store.open_live()
        except SearchUnavailable:
            return
        if compat.segment_count(ix) <= MAX_SEGMENTS:
            return
        try:
            writer = ix.writer(timeout=0.0)
        except LockError:
            return  # someone else is writing; they or the next drain will merge
        writer.commit()  # Whoosh's default policy: merge the small segments

    def close(self) -> None:
        self.store.close()


class _Batch:
    """Index and delete under one live writer."""

    def __init__(self, store: IndexStore, writer, stack: ExitStack):
        self.store = store
        self.writer = writer
        self.stack = stack
        self.changed = False
        self._searcher = None

    def index(self, document: dict) -> None:
        self.delete(document["key"])
        self.writer.add_document(**document)

    def delete(self, key: str) -> None:
        # update_document() would open a reader on every segment for each batch (50 ms at 100,000
        # documents); the leased searcher already has them open.
        self.writer.delete_by_term("key", key, searcher=self._deletion_searcher())
        self.changed = True

    def _deletion_searcher(self):
        """The leased searcher when it sees exactly the writer's segments (the usual case: the
        lease is refreshed as it is taken, and the writer lock keeps the index still); else the
        writer's own."""
        if self._searcher is None:
            lease = self.stack.enter_context(self.store.lease())
            searcher = lease.searcher
            leaves = searcher.reader().leaf_readers() if searcher.doc_count_all() else []
            seen = [(r.segment().segment_id(), r.segment().deleted_count()) for r, _ in leaves]
            wanted = [(s.segment_id(), s.deleted_count()) for s in self.writer.segments]
            self._searcher = searcher if seen == wanted else self.writer.searcher()
        return self._searcher
