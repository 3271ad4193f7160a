"""A rebuild built by helper processes: each builds its own documents and writes its own segment.

Building a document (loading rows, folding, pinyin, the digest) costs about as much as indexing
it. Whoosh's own ``MpWriter`` indexes in its helpers but takes every document from its parent,
pickled through a file, so the parent built all of them on one core while the helpers waited.
Here the parent only hands out pieces of the feed (an index into ``Feed.pieces()``, from a shared
counter, so a helper slowed by other work simply takes fewer) and collects the finished segments:
documents are built, analysed and written on every core, and never pickled.

Guarantees kept from the rebuild:
- the helpers die with their parent (``PR_SET_PDEATHSIG``, and a thread watching the parent id);
- they hold no rebuild lock: ``store`` closes a forked child's copy at once;
- each opens its own database connections (``Feed.in_child``), never the parent's;
- a helper that fails or dies fails the build: the parent raises, ends the other helper, and
  ``replace_all`` deletes the new generation, leaving the live index as it was.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback

from gi_registry.search import whoosh_compat as compat
from gi_registry.search.engine import Feed

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 0.5
POLL_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Make this (helper) process end when ``parent_pid`` does.

    A helper whose parent was killed outright would go on building a generation nobody will swap
    in, holding the files it inherited. On Linux the kernel sends SIGKILL at the parent's death;
    elsewhere, and as a fallback, a thread watches the parent id.
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


class HelperFailed(RuntimeError):
    """A helper raised or died: the new index would be incomplete."""


def build_in_helpers(ix, feed: Feed, procs: int, limitmb: int) -> int:
    """Fill the new (empty) index ``ix`` from ``feed`` with ``procs`` helper processes; return
    the number of documents written."""
    context = multiprocessing.get_context("fork")  # helpers inherit the feed: nothing pickled
    pieces = feed.pieces()
    taken = context.Value("l", 0)  # the next piece to build
    results = context.Queue()
    parent = os.getpid()
    helpers = [
        context.Process(
            target=_helper,
            args=(number, ix, feed, pieces, taken, results, parent, limitmb),
            name=f"search-rebuild-{number}",
            daemon=True,
        )
        for number in range(procs)
    ]
    try:
        for helper in helpers:
            helper.start()
        added, segments = _collect(helpers, results, feed, pieces)
        for helper in helpers:
            helper.join()
        compat.commit_segments(ix, segments)
    finally:
        for helper in helpers:
            if helper.is_alive():
                helper.kill()
                helper.join(timeout=10)
        results.close()
    return added


def _collect(helpers, results, feed: Feed, pieces) -> tuple[int, list]:
    """Report built pieces to the feed until every helper has sent its segment."""
    added, segments, finished, silent = 0, [], set(), set()
    while len(finished) < len(helpers):
        try:
            message = results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            # A helper gone without its last word has died. Anything it sent is in the pipe by
            # the time it has exited, so it is named only after one more quiet poll.
            gone = {n for n, h in enumerate(helpers) if n not in finished and not h.is_alive()}
            if gone & silent:
                number = min(gone & silent)
                code = helpers[number].exitcode
                raise HelperFailed(f"重建的辅助进程 {number} 意外退出（退出码 {code}）。") from None
            silent = gone
            continue
        what, number, value = message
        if what == "piece":
            piece_number, count = value
            feed.built(pieces[piece_number], count)
            added += count
        elif what == "segment":
            finished.add(number)
            if value is not None:
                segments.append(value)
        else:
            raise HelperFailed(f"重建的辅助进程 {number} 出错：\n{value}")
    return added, segments


def _helper(number: int, ix, feed: Feed, pieces, taken, results, parent: int, limitmb: int):
    die_with_parent(parent)
    try:
        feed.in_child()
        writer = compat.helper_writer(ix, limitmb)
        while (piece_number := _take(taken, len(pieces))) is not None:
            documents = feed.build(pieces[piece_number])
            for document in documents:
                writer.add_document(**document)
            results.put(("piece", number, (piece_number, len(documents))))
        results.put(("segment", number, compat.finish_helper_segment(writer)))
    except BaseException:
        results.put(("failed", number, traceback.format_exc(limit=8)))
        sys.exit(1)


def _take(taken, count: int) -> int | None:
    with taken.get_lock():
        number = taken.value
        if number >= count:
            return None
        taken.value = number + 1
    return number
