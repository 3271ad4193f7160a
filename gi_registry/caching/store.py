"""Finished answers kept in memory per worker, keyed by their ETag, within a byte budget.

The ETag already names everything an answer depends on (marker, language, URL), so an entry can
never be served for the wrong state; entries of an older marker are simply never asked for again
and age out. Least recently used entries go first when the budget is spent.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Response

GZIP_LEVEL = 6


@dataclass
class Entry:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    gzipped: bytes | None = field(default=None)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 200

    def gzip(self) -> bytes:
        """The compressed body, made once per entry (mtime=0: the same bytes in every worker)."""
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, GZIP_LEVEL, mtime=0)
        return self.gzipped

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=self.headers)


class AnswerStore:
    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if entry.size * 4 > self.budget:  # one huge answer must not push out everything else
            return
        with self.lock:
            old = self.entries.pop(key, None)
            self.used -= old.size if old else 0
            self.entries[key] = entry
            self.used += entry.size
            while self.used > self.budget and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.used -= dropped.size

    def clear(self) -> None:
        """Forget every answer: for a change the marker cannot see (code patched in a running test)."""
        with self.lock:
            self.entries.clear()
            self.used = 0

    def grew(self, entry: Entry, before: int) -> None:
        """Account for a gzip body added to a stored entry after it was put."""
        with self.lock:
            self.used += entry.size - before


__all__ = ["AnswerStore", "Entry"]
