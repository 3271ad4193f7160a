"""Where the Whoosh index lives: generations on disk, the pointer to the live one, and pooled searchers.

Layout under ``SEARCH_INDEX_PATH`` (default ``instance/search``)::

    CURRENT          name of the live generation, replaced atomically by a rebuild
    g<stamp>/        one Whoosh index per generation
    REBUILDING       present while a rebuild runs (pid and start time)
    REBUILD.lock     held (flock) by the running rebuild's process, and by no other process

A rebuild writes a new generation beside the live one and swaps ``CURRENT``; searchers notice the new
name on their next lease and open it, while leases on the old one finish undisturbed. Only a rebuild
creates a generation: a search or a drain that finds no readable index raises SearchUnavailable
rather than create an empty one that would look complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import re
import shutil
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from gi_registry.search import whoosh_compat as compat
from gi_registry.search.engine import RebuildRunning, SearchUnavailable
from gi_registry.search.schema import SCHEMA_VERSION, build_schema

__all__ = ["IndexStore", "ReaderPool", "RebuildRunning"]

OPEN_ATTEMPTS = 5
GENERATION_NAME = re.compile(r"g\d{1,30}")

# Rebuild-lock descriptors this process holds. A forked child (the rebuild's analysing helpers)
# closes its copies at once, so the lock is held by this process alone and dies with it: flock
# belongs to the open file, which a fork shares, so a surviving helper would otherwise keep it.
_held_lock_fds: set[int] = set()


def _forget_parent_locks() -> None:
    for fd in _held_lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_lock_fds.clear()


os.register_at_fork(after_in_child=_forget_parent_locks)


def close_files_of(error: BaseException) -> None:
    """Close the files Whoosh was reading when they turned out damaged.

    They are left open as locals of Whoosh's frames (or of a reader half built), and would close
    whenever those are collected, each with a ResourceWarning. Drop the frames now, quietly: the
    damage is already being reported.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        traceback.clear_frames(error.__traceback__)
        gc.collect()


def one_line(error: BaseException) -> str:
    """An exception as a short single line, for operators."""
    text = " ".join(str(error).split())[:160]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class IndexStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._lease: _Lease | None = None
        self.drain_lock = threading.Lock()
        self._readers = ReaderPool()
        # Whoosh readers seek and read shared file objects: two threads reading stored fields at
        # once read each other's bytes (an UnpicklingError under load). Searches in one process
        # therefore take turns; processes, the way production scales, each have their own files.
        self._read_lock = threading.RLock()

    # ---- generations -------------------------------------------------------------------------

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_name(self) -> str | None:
        """The live generation's name; None when there is no pointer or it holds anything else."""
        try:
            name = self.pointer.read_text().strip()
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None
        return name if GENERATION_NAME.fullmatch(name) else None

    def open_live(self) -> index.FileIndex:
        return self.open_live_named()[1]

    def open_live_named(self) -> tuple[str, index.FileIndex]:
        """The live index and the generation name it was opened from, read once.

        A pointer read just before a rebuild swapped it may name a generation that is already gone:
        read it again. A name that stays unreadable means the index is lost or damaged.
        """
        failure: tuple[str, Exception] | None = None
        for _attempt in range(OPEN_ATTEMPTS):
            name = self.current_name()
            if name is None:
                raise SearchUnavailable(self.missing_reason())
            try:
                return name, index.open_dir(str(self.root / name))
            except Exception as error:  # opening only reads files: any failure is the files'
                close_files_of(error)
                failure = (name, error)
                if self.current_name() == name:
                    time.sleep(0.01)
        raise SearchUnavailable(self.unreadable_reason(*failure))  # type: ignore[misc]

    def missing_reason(self) -> str:
        if not self.root.is_dir():
            return f"索引目录 {self.root} 不存在"
        if self.pointer.exists():
            return f"{self.pointer} 的内容不是索引名称"
        return f"{self.root} 中没有 CURRENT 指针"

    def unreadable_reason(self, name: str, error: BaseException) -> str:
        if not (self.root / name).is_dir():
            return f"CURRENT 指向的索引 {name} 不存在"
        return f"索引 {name} 已损坏，无法读取（{one_line(error)}）"

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
        except (OSError, ValueError):
            return None
        return meta.get("schema_version") if isinstance(meta, dict) else None

    def remove_old_generations(self) -> None:
        """Delete every generation but the live one, and pointers left half-written by a crash.
        Open readers keep their files (POSIX unlink)."""
        live = self.current_name()
        for path in self.root.glob("g*"):
            if path.is_dir() and path.name != live:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob("CURRENT.*.tmp"):
            path.unlink(missing_ok=True)

    def remove_generation(self, name: str) -> None:
        if name != self.current_name():
            shutil.rmtree(self.root / name, ignore_errors=True)

    # ---- rebuild marker ----------------------------------------------------------------------

    @property
    def marker(self) -> Path:
        return self.root / "REBUILDING"

    @property
    def rebuild_lock_path(self) -> Path:
        return self.root / "REBUILD.lock"

    def rebuilding(self) -> bool:
        """A rebuild is running: the marker is there and a process holds the rebuild lock.

        The lock dies with the rebuild's process (its helpers never hold it), so a rebuild killed
        outright leaves a marker that blocks nothing.
        """
        if not self.marker.exists():
            return False
        try:
            fd = os.open(self.rebuild_lock_path, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            # Shared: it still conflicts with a running rebuild's exclusive lock, but a rebuild
            # starting at this instant is never refused because of this probe.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing releases a lock we may just have taken
        return False

    @contextmanager
    def rebuild_marker(self) -> Iterator[None]:
        """Hold the rebuild lock and show the marker; a second rebuild at the same time is refused."""
        self.root.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        fd = os.open(self.rebuild_lock_path, flags, 0o644)
        os.set_inheritable(fd, False)  # not passed on to anything this process executes
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RebuildRunning("另一个重建正在进行。") from None
        _held_lock_fds.add(fd)
        try:
            self.marker.write_text(json.dumps({"pid": os.getpid(), "started": time.time()}))
            yield
        finally:
            self.marker.unlink(missing_ok=True)
            _held_lock_fds.discard(fd)
            os.close(fd)

    # ---- searchers ---------------------------------------------------------------------------

    @contextmanager
    def lease(self) -> Iterator[_Lease]:
        """A searcher on the newest committed state, shared between requests and closed when retired.
        Raises SearchUnavailable when the live index cannot be opened."""
        with self._read_lock:
            lease = self._acquire_retrying()
            try:
                yield lease
            finally:
                self._release(lease)

    def _acquire_retrying(self) -> _Lease:
        """A rebuild may remove the generation between reading the pointer and opening its files."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return self._acquire()
            except SearchUnavailable:
                raise  # the pointer was already read again; nothing left to retry
            except Exception as error:  # opening segment files: any failure is the files'
                close_files_of(error)
                if attempt == OPEN_ATTEMPTS - 1:
                    raise SearchUnavailable(self._failure(error)) from error
                time.sleep(0.01)
        raise AssertionError("unreachable")

    def _failure(self, error: BaseException) -> str:
        name = self.current_name()
        return self.unreadable_reason(name, error) if name else self.missing_reason()

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
        name, ix = self.open_live_named()  # one read of the pointer: the name is the index's
        opened_at = ix.latest_generation()  # before reading: the searcher sees this or newer
        if old is not None and old.generation != name:
            self._readers.forget_generation()  # a rebuild swapped directories: nothing to share
        reader, segids = self._readers.open(ix)
        return _Lease(Searcher(reader, fromindex=ix), ix, name, opened_at, segids, self._readers)

    def _release(self, lease: _Lease) -> None:
        with self._lock:
            lease.users -= 1
            lease.close_if_idle()

    def close(self) -> None:
        """Retire the shared searcher: the next lease opens the index again."""
        with self._lock:
            if self._lease is not None:
                self._lease.retired = True
                self._lease.close_if_idle()
                self._lease = None


class _Lease:
    """A searcher and the number of requests using it; its readers are released once retired and idle."""

    def __init__(self, searcher: Searcher, index_, generation, opened_at, segids, pool):
        self.searcher = searcher
        self.index = index_
        self.generation = generation
        self.opened_at = opened_at
        self.segids = segids
        self.pool = pool
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
            self.pool.release(self.segids)


class ReaderPool:
    """Segment readers shared by successive searchers: a commit re-opens only new segments.

    Opening a searcher on the two big segments of a 100,000-document index takes ~60 ms, which would
    be most of the time from a commit to a searchable document. Whoosh's own ``Searcher.refresh()``
    cannot be used: its reader reuse appends the *old* segments to the new list, so after a merge
    a refreshed reader (or a writer) sees merged-away segments twice. Here a segment's files are
    opened once and each searcher gets a light copy bound to the segment's current deletions.
    Files are closed when the last searcher using the segment is released. Callers hold the
    store's lock.
    """

    def __init__(self):
        self._base: dict[str, SegmentReader] = {}
        self._users: dict[str, int] = {}

    def open(self, ix) -> tuple[IndexReader, list[str]]:
        toc = compat.read_toc(ix)
        leaves: list[SegmentReader] = []
        segids: list[str] = []
        try:
            for segment in toc.segments:
                segid = segment.segment_id()
                base = self._base.get(segid)
                if base is None:
                    base = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
                    self._base[segid] = base
                leaves.append(compat.bound_reader(base, segment, toc.generation))
                self._users[segid] = self._users.get(segid, 0) + 1
                segids.append(segid)
        except BaseException:
            self.release(segids)  # a damaged segment: give back what this searcher took
            raise
        if not leaves:
            return EmptyReader(toc.schema), segids
        if len(leaves) == 1:
            return leaves[0], segids
        return MultiReader(leaves, generation=toc.generation), segids

    def release(self, segids: list[str]) -> None:
        for segid in segids:
            self._users[segid] -= 1
            if not self._users[segid]:
                del self._users[segid]
                self._base.pop(segid).close()

    def forget_generation(self) -> None:
        """After a swap the old directory's readers stay with their leases; just stop sharing them."""
        self._base = {k: v for k, v in self._base.items() if self._users.get(k)}
