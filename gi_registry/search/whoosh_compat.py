"""Every use of Whoosh's private API, in one place.

whoosh-reloaded is capped below 2.8 (pyproject.toml) because of what is here. Each piece says why
the public API does not do, and ``tests/test_search_engine.py`` checks that each attribute and
signature relied on still exists and behaves, so an upgrade fails there, loudly, rather than in a
search. Nothing outside this module touches a Whoosh name with a leading underscore.
"""

from __future__ import annotations

import copy
import ctypes
import os
import signal
import sys
import threading
from dataclasses import dataclass

from whoosh import query as Q
from whoosh.index import FileIndex
from whoosh.matching import NullMatcherClass, WrappingMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import SegmentReader

# ---- the table of contents -------------------------------------------------------------------


@dataclass(frozen=True)
class Toc:
    schema: object
    segments: list
    generation: int


def read_toc(ix: FileIndex) -> Toc:
    """The index's committed state: schema, segment objects and generation number.

    The reader pool needs the segment objects themselves; ``ix.reader()`` would open a reader on
    every segment, which is what the pool exists to avoid.
    """
    toc = ix._read_toc()
    return Toc(toc.schema, list(toc.segments), toc.generation)


def segment_count(ix: FileIndex) -> int:
    return len(ix._segments())


# ---- segment readers bound to newer deletions ------------------------------------------------


def bound_reader(base: SegmentReader, segment, generation: int) -> SegmentReader:
    """``base`` seeing ``segment``'s deletions: same open files, new deletion state.

    A drain that deletes documents in an old segment commits a new segment object (same id, more
    deletions). Reopening the segment's files for that would cost most of commit-to-searchable on a
    big index, and ``Searcher.refresh()`` keeps merged-away segments (see store.ReaderPool).
    """
    if base.segment() is segment:
        return base
    reader = copy.copy(base)
    # A cached_property of the base, computed from the old deletions: the copy must recompute it.
    reader.__dict__.pop("deleted_docs_set", None)
    reader._segment = segment
    reader._gen = generation
    reader._perdoc = copy.copy(base._perdoc)
    reader._perdoc._segment = segment
    return reader


# ---- a lazily scored constant bonus (query.tier_bonus) -----------------------------------------
# Whoosh rebuilds wrapping queries and matchers through the hooks ``_rewrap`` and ``_replacement``
# (on normalize, boost, matcher replacement); a subclass that did not override them would turn
# back into a plain wrapper and lose its constant score.


class Constant(Q.WrappingQuery):
    """Matches what its child matches, scoring a constant.

    Whoosh's ``ConstantScoreQuery`` reads every matching id into an array first: for a bonus such as
    "is a product" that is 15,000 ids per query. This one scores lazily, document by document.
    """

    def __init__(self, child: Q.Query, score: float):
        super().__init__(child)
        self.score = score

    def __eq__(self, other):
        return type(other) is type(self) and other.child == self.child and other.score == self.score

    def __hash__(self):
        return hash(self.child) ^ hash(self.score)

    def _rewrap(self, child):
        return type(self)(child, self.score)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        return m if isinstance(m, NullMatcherClass) else ConstantMatcher(m, self.score)


class ConstantMatcher(WrappingMatcher):
    def __init__(self, child, score: float):
        super().__init__(child)
        self._score = score

    def _replacement(self, newchild):
        return ConstantMatcher(newchild, self._score)

    def copy(self):
        return ConstantMatcher(self.child.copy(), self._score)

    def score(self):
        return self._score

    def supports_block_quality(self):
        return False

    def max_quality(self):
        return self._score


# ---- rebuild helpers that die with their parent ----------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Make this (helper) process end when ``parent_pid`` does.

    Whoosh's helpers wait on a queue for the parent's next batch; a parent killed outright would
    leave them waiting forever, holding the files they inherited. On Linux the kernel sends
    SIGKILL at the parent's death; elsewhere, and as a fallback, a thread watches the parent id.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the watcher below still notices
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    stop = threading.Event()
    while not stop.wait(WATCH_SECONDS):
        if os.getppid() != parent_pid:
            os._exit(1)


class _Helper(SubWriterTask):
    """Whoosh's analysing helper, tied to the life of the process that started it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()  # runs in the parent

    def run(self) -> None:
        die_with_parent(self.parent_pid)
        super().run()


class HelperWriter(MpWriter):
    """``ix.writer(procs=n)``, with helpers that die with the parent and are ended on cancel.

    Whoosh's own ``cancel()`` only sets a flag on the parent's copy of each helper, so a cancelled
    rebuild left helpers waiting on the job queue, and the parent waiting for them at exit.
    """

    def _new_task(self):
        task = _Helper(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def helper_pids(self) -> list[int]:
        return [task.pid for task in self.tasks if task.pid is not None]

    def cancel(self) -> None:
        for task in self.tasks:
            if task.is_alive():
                task.kill()
            task.join(timeout=10)
        super().cancel()
