"""The seam between the application and a search engine.

Everything the registry asks of an engine is here: write documents (``batch``), build a complete
new index beside the live one (``rebuild_lock`` + ``replace_all``), read (``search``, ``suggest``,
``documents``) and say whether it can serve at all (``health``). The outbox drain, the rebuild's
document feed and the database comparison are engine-independent (``indexer``) and use only these
methods, so another engine (PostgreSQL full-text, OpenSearch) is one class and one line in
``ENGINES`` (see docs/search.md).

Documents are plain dicts of the fields in ``schema.py`` (``key`` = "kind:id" identifies one);
reads return the stored fields (key, kind, slug, title, subtitle, places, snippet, digest).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from gi_registry.search.query import Filters, Parsed, RawResults


class SearchUnavailable(RuntimeError):
    """The index cannot be read or written: lost, damaged, or never built. A rebuild brings it back.

    ``str(error)`` is one plain line for operators; the web layer shows visitors its own words.
    """


class RebuildRunning(RuntimeError):
    """Another rebuild holds the rebuild lock."""


class IndexBusy(RuntimeError):
    """Another writer held the index past the lock timeout: the outbox keeps the rows for later."""


class RebuildInProgress(RuntimeError):
    """A rebuild is running: drains leave their rows for the rebuild to drain after its swap."""


@dataclass(frozen=True)
class Health:
    available: bool  # searches and drains can run
    documents: int = 0
    problem: str | None = None  # one plain line: why it is unavailable, or what is off (stale)
    stale: bool = False  # built by an older schema: usable, but due for a rebuild
    rebuilding: bool = False


class IndexBatch(Protocol):
    """Changes that become visible together when the batch's context exits cleanly."""

    def index(self, document: dict) -> None:
        """Add the document, replacing any with the same ``key``."""

    def delete(self, key: str) -> None:
        """Remove the document with this ``key``, if there is one."""


class Feed(ABC):
    """Every document of a rebuild, in pieces that separate processes can build at the same time.

    An engine that builds in one process just iterates the feed. One that builds in helper
    processes forks them, calls ``in_child()`` first thing in each, has each ``build`` the pieces
    it takes, and reports every built piece back to the feed's own process with ``built``.
    """

    total: int  # documents expected (the feed may build fewer: rows can turn private meanwhile)

    @abstractmethod
    def pieces(self) -> Sequence[Any]:
        """Disjoint pieces that together make every document; small values, cheap to pass."""

    @abstractmethod
    def build(self, piece: Any) -> list[dict]:
        """The documents of one piece (in whatever process calls it, after ``in_child``)."""

    def built(self, piece: Any, count: int) -> None:  # noqa: B027  (optional: progress)
        """Called in the feed's own process once ``piece`` is indexed, with its document count."""

    def in_child(self) -> None:  # noqa: B027  (optional: nothing shared to drop)
        """Drop what a forked process must not share with its parent (database connections)."""

    def __iter__(self) -> Iterator[dict]:
        for piece in self.pieces():
            documents = self.build(piece)
            yield from documents
            self.built(piece, len(documents))


class DocumentList(Feed):
    """A feed of documents already built: one piece."""

    def __init__(self, documents: Sequence[dict]):
        self.documents = list(documents)
        self.total = len(self.documents)

    def pieces(self) -> Sequence[Any]:
        return [0]

    def build(self, piece: Any) -> list[dict]:
        return self.documents


class SearchEngine(ABC):
    """One search engine behind the facade in ``gi_registry.search``."""

    name: str

    # ---- reading -----------------------------------------------------------------------------

    @abstractmethod
    def search(self, parsed: Parsed, filters: Filters, limit: int) -> RawResults:
        """Ranked hits (stored fields), tab counts and facets; raises SearchUnavailable."""

    @abstractmethod
    def suggest(self, prefix: str, limit: int) -> list[dict]:
        """Stored fields of records whose name, pinyin or initials start with ``prefix``."""

    @abstractmethod
    def documents(self) -> Iterator[dict]:
        """Stored fields of every indexed document (for ``check``); raises SearchUnavailable."""

    @abstractmethod
    def health(self) -> Health:
        """Whether the live index can be read, and how many documents it holds. Never raises."""

    # ---- writing -----------------------------------------------------------------------------

    @abstractmethod
    def batch(self, lock_timeout: float) -> AbstractContextManager[IndexBatch]:
        """One writer's turn. Raises IndexBusy, RebuildInProgress or SearchUnavailable on entry;
        the changes are visible once the block exits cleanly and discarded if it raises."""

    @abstractmethod
    def rebuild_lock(self) -> AbstractContextManager[None]:
        """One rebuild at a time (RebuildRunning otherwise). While held, batches raise
        RebuildInProgress, and writers that began before it have finished."""

    @abstractmethod
    def replace_all(self, feed: Feed, procs: int | None = None) -> int:
        """Build a complete index from ``feed`` beside the live one, then make it the live one;
        return how many documents it holds. The live index, whatever its state, is only replaced
        by a complete build. ``procs`` is how many processes may build at once."""

    def tidy(self) -> None:  # noqa: B027  (optional: most engines have nothing to tidy)
        """Housekeeping after a drain (merging small segments); nothing by default."""

    def close(self) -> None:  # noqa: B027  (optional: engines without pooled readers)
        """Release open readers; the next read opens them again."""


EngineFactory = Callable[[dict], SearchEngine]
