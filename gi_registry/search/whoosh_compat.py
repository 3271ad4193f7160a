"""Every use of Whoosh's private API, in one place.

whoosh-reloaded is capped below 2.8 (pyproject.toml) because of what is here. Each piece says why
the public API does not do, and ``tests/test_search_engine.py`` checks that each attribute and
signature relied on still exists and behaves, so an upgrade fails there, loudly, rather than in a
search. Nothing outside this module touches a Whoosh name with a leading underscore.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

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


# ---- segments written by helper processes (whoosh_parallel) ----------------------------------
# Whoosh's MpWriter sends every document through its parent, pickled to a file per batch; the
# rebuild's helpers build their documents themselves instead, so they need its segment steps.


def helper_writer(ix: FileIndex, limitmb: int) -> SegmentWriter:
    """A writer for one helper's own segment of a new index; the parent commits the index."""
    return SegmentWriter(ix, _lk=False, limitmb=limitmb)  # _lk: the parent commits, under the lock


def finish_helper_segment(writer: SegmentWriter):
    """Write out a helper's segment and return it (picklable) for the parent; None when empty.

    Not ``commit()``: that would write a table of contents of its own, and its ``_finish`` would
    delete the temporary folder the other helpers are still sorting postings in.
    """
    if not writer.doc_count():
        writer._close_segment()
        return None
    return writer._finalize_segment()


def commit_segments(ix: FileIndex, segments: list) -> None:
    """Make ``segments`` (written by helpers, now finished) the content of the new index ``ix``:
    what MpWriter does at a ``multisegment`` commit."""
    writer = SegmentWriter(ix)  # takes the index lock
    try:
        writer._close_segment()  # its own segment stays empty; commit_toc deletes its files
        writer._commit_toc(list(segments))
    except BaseException:
        writer.cancel()
        raise
    writer._finish()  # also removes the helpers' shared temporary folder
