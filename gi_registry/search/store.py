"""Where the index lives: generations on disk, the pointer to the live one, and pooled searchers.

Layout under ``SEARCH_INDEX_PATH`` (default ``instance/search``)::

    CURRENT          name of the live generation, replaced atomically by a rebuild
    g<stamp>/        one Whoosh index per generation
    REBUILDING       present while a rebuild runs (pid and start time)

A rebuild writes a new generation beside the live one and swaps ``CURRENT``; searchers notice the new
name on their next lease and open it, while leases on the old one finish undisturbed.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.searching import Searcher

from gi_registry.search.schema import SCHEMA_VERSION, build_schema

# A rebuild marker older than this is from a process that died; drains stop waiting for it.
STALE_REBUILD_SECONDS = 3600


class IndexStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._lease: _Lease | None = None

    # ---- generations -------------------------------------------------------------------------

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_name(self) -> str | None:
        try:
            return self.pointer.read_text().strip() or None
        except FileNotFoundError:
            return None

    def open_live(self) -> index.FileIndex:
        """The live index, created empty on first use."""
        name = self.current_name()
        if name and index.exists_in(self.root / name):
            return index.open_dir(str(self.root / name))
        name, ix = self.create_generation()
        self.swap(name)
        return ix

    def create_generation(self, schema=None) -> tuple[str, index.FileIndex]:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"g{time.time_ns()}"
        path = self.root / name
        path.mkdir()
        (path / "gi_registry.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        return name, index.create_in(str(path), schema or build_schema())

    def swap(self, name: str) -> None:
        """Point CURRENT at ``name`` atomically (rename over the old pointer)."""
        temporary = self.root / f"CURRENT.{os.getpid()}.tmp"
        temporary.write_text(name)
        os.replace(temporary, self.pointer)

    def schema_version(self) -> int | None:
        name = self.current_name()
        try:
            meta = json.loads((self.root / str(name) / "gi_registry.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        return meta.get("schema_version")

    def remove_old_generations(self) -> None:
        """Delete every generation but the live one. Open readers keep their files (POSIX unlink)."""
        live = self.current_name()
        for path in self.root.glob("g*"):
            if path.is_dir() and path.name != live:
                shutil.rmtree(path, ignore_errors=True)

    # ---- rebuild marker ----------------------------------------------------------------------

    @property
    def marker(self) -> Path:
        return self.root / "REBUILDING"

    def rebuilding(self) -> bool:
        try:
            started = json.loads(self.marker.read_text())["started"]
        except (FileNotFoundError, ValueError, KeyError):
            return False
        return time.time() - started < STALE_REBUILD_SECONDS

    @contextmanager
    def rebuild_marker(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(json.dumps({"pid": os.getpid(), "started": time.time()}))
        try:
            yield
        finally:
            self.marker.unlink(missing_ok=True)

    # ---- searchers ---------------------------------------------------------------------------

    @contextmanager
    def lease(self) -> Iterator[_Lease]:
        """A searcher on the newest committed state, shared between requests and closed when retired."""
        lease = self._acquire()
        try:
            yield lease
        finally:
            self._release(lease)

    def _acquire(self) -> _Lease:
        with self._lock:
            lease = self._lease
            if lease is None or not lease.is_current(self.current_name()):
                fresh = self._open_lease(lease)
                if lease is not None:
                    lease.retired = True
                    lease.close_if_idle()
                self._lease = lease = fresh
            lease.users += 1
            return lease

    def _open_lease(self, old: _Lease | None) -> _Lease:
        ix = self.open_live()
        name = self.current_name()
        opened_at = ix.latest_generation()
        reusable = old is not None and old.users == 0 and not old.retired
        # refresh() on a searcher over an empty index fails inside Whoosh; open afresh then.
        if reusable and old.generation == name and old.searcher.doc_count_all():
            # Nobody else holds it, so refresh() may recycle its unchanged segment readers.
            # The old searcher must then not be closed: its reused readers now belong to the new one.
            searcher = old.searcher.refresh()
            old.closed = True
        else:
            searcher = ix.searcher()
        return _Lease(searcher, ix, name, opened_at)

    def _release(self, lease: _Lease) -> None:
        with self._lock:
            lease.users -= 1
            lease.close_if_idle()

    def close(self) -> None:
        with self._lock:
            if self._lease is not None:
                self._lease.retired = True
                self._lease.close_if_idle()
                self._lease = None


class _Lease:
    """A searcher and the number of requests using it; closed once retired and idle."""

    def __init__(self, searcher: Searcher, index_, generation: str | None, opened_at: int):
        self.searcher = searcher
        self.index = index_
        self.generation = generation
        self.opened_at = opened_at  # read before the searcher opened: it sees this or newer
        self.users = 0
        self.retired = False
        self.closed = False
        self.cache: dict = {}  # per-searcher facet sets; dies with the searcher

    def is_current(self, generation: str | None) -> bool:
        # Not Searcher.up_to_date(): an index without segments has no generation and would never be
        # up to date, so every request would reopen it.
        return generation == self.generation and self.index.latest_generation() == self.opened_at

    def close_if_idle(self) -> None:
        if self.retired and self.users == 0 and not self.closed:
            self.closed = True
            self.searcher.close()
