"""The search benchmark's baseline: SQLite FTS5 with the trigram tokenizer over the same documents.

Run: python bench/fts5_baseline.py   (a self-test over a handful of documents)

Trigrams need no word segmenter, which is why they are the fair baseline for Chinese: any substring of
three or more characters of a title or text is found (五常大米 from 常大米). Shorter words have no
trigram, so they fall back to ``LIKE '%w%'``, a scan of every row: see ``Fts5Baseline.search``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

# trigram arrived in SQLite 3.34.0 (2020-12-01).
TRIGRAM_SINCE = (3, 34, 0)
# bm25 weight of the title against the body: a match in the name says more than one in a paragraph.
TITLE_WEIGHT = 5.0
# Stored but not indexed: filters and the result key. Order matters for bm25's weight list.
COLUMNS = ("key", "kind", "category", "regions", "title", "text")
INDEXED = ("title", "text")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def fts5_string(word: str) -> str:
    """An FTS5 string literal: double quotes, inner ones doubled. Nothing inside is syntax."""
    return '"' + word.replace('"', '""') + '"'


def like_pattern(word: str) -> str:
    """'%word%' with LIKE's own wildcards escaped (ESCAPE '\\')."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query_words(query: str) -> list[str]:
    """Words of a user query: any Unicode space separates them (the full-width one too).

    Lone surrogates cannot be encoded for SQLite and control characters mean nothing in a query;
    both are dropped here so that no input makes a query raise.
    """
    text = (query or "").encode("utf-8", "ignore").decode("utf-8")
    return _CONTROL.sub(" ", text).split()


class Fts5Baseline:
    """An FTS5 trigram index in one SQLite file: build once, then search."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        if sqlite3.sqlite_version_info < TRIGRAM_SINCE:
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer (3.34 or later)"
            )
        if path is None:
            path = Path(tempfile.mkdtemp(prefix="fts5-baseline-")) / "fts5.sqlite"
        self.path = Path(path)
        self.conn: sqlite3.Connection | None = None

    def build(self, docs: Iterable[dict]) -> float:
        """Index the documents into a fresh file; return the seconds taken (optimize included)."""
        self.close()
        self.path.unlink(missing_ok=True)
        started = time.perf_counter()
        conn = self.connect()
        # A throw-away index: no journal and no fsync, as any bulk build would do.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        columns = ", ".join(c if c in INDEXED else f"{c} UNINDEXED" for c in COLUMNS)
        conn.execute(f"CREATE VIRTUAL TABLE docs USING fts5({columns}, tokenize='trigram')")
        placeholders = ", ".join("?" for _ in COLUMNS)
        rows = (tuple(str(doc.get(c) or "") for c in COLUMNS) for doc in docs)
        conn.executemany(f"INSERT INTO docs ({', '.join(COLUMNS)}) VALUES ({placeholders})", rows)
        # Merge the segment b-trees a bulk load leaves behind: queries then read one per term.
        conn.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        conn.commit()
        return time.perf_counter() - started

    def connect(self) -> sqlite3.Connection:
        if self.conn is None:
            self.conn = sqlite3.connect(self.path)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def size_bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def search(
        self,
        query: str,
        kind: str | None = None,
        category: str | None = None,
        limit: int = 10,
        region: str | None = None,
    ) -> list[str]:
        """Keys of the documents containing every word of the query, best first.

        Words of three or more characters go through the trigram index (MATCH, ranked by bm25).
        Shorter words have no trigram to look up, so they become ``LIKE '%w%'`` on the title and text:
        a full scan, and with no MATCH in the query there is no bm25 either, so such results are
        ordered by how many of the words the title holds, then by shorter title.
        """
        words = query_words(query)
        if not words:
            return []
        long_words = [w for w in words if len(w) >= 3]
        where, params = self.filters(words, long_words, kind, category, region)
        order_params = [] if long_words else [like_pattern(w) for w in words]
        if long_words:
            weights = ", ".join(str(TITLE_WEIGHT if c == "title" else 1.0) for c in COLUMNS)
            order = f"bm25(docs, {weights})"
        else:
            in_title = " + ".join("(title LIKE ? ESCAPE '\\')" for _ in words)
            order = f"{in_title} DESC, length(title), rowid"
        sql = f"SELECT key FROM docs WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
        rows = self.connect().execute(sql, [*params, *order_params, max(0, limit)])
        return [key for (key,) in rows]

    @staticmethod
    def filters(
        words: list[str],
        long_words: list[str],
        kind: str | None,
        category: str | None,
        region: str | None,
    ) -> tuple[list[str], list[str]]:
        """WHERE terms and their parameters: all words ANDed, then the facet filters."""
        where: list[str] = []
        params: list[str] = []
        if long_words:
            where.append("docs MATCH ?")
            params.append(" AND ".join(fts5_string(w) for w in long_words))
        for word in words:
            if len(word) < 3:
                where.append("(title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')")
                params += [like_pattern(word)] * 2
        for column, value in (("kind", kind), ("category", category)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if region is not None:  # regions is a space-separated list of codes
            where.append("(' ' || regions || ' ') LIKE ? ESCAPE '\\'")
            params.append(like_pattern(f" {region} "))
        return where, params


SELF_TEST_DOCS = [
    {"key": "product:wuchang-dami", "kind": "product", "title": "五常大米", "category": "grain",
     "regions": "230000 230100 230184",
     "text": "五常大米 Wuchang Rice wu chang da mi 黑龙江省哈尔滨市五常市出产的大米，米粒饱满、米香浓郁。"},
    {"key": "product:meihe-dami", "kind": "product", "title": "梅河大米", "category": "grain",
     "regions": "220000 220500 220581",
     "text": "梅河大米 mei he da mi 吉林省梅河口市出产的大米，蒸煮后油润有光泽。"},
    {"key": "product:yanbian-huangniu", "kind": "product", "title": "延边黄牛", "category": "livestock",
     "regions": "220000 222400", "text": "延边黄牛 Yanbian Cattle 肉质细嫩、肌间脂肪分布均匀。"},
    {"key": "product:anxi-tieguanyin", "kind": "product", "title": "安溪铁观音", "category": "tea",
     "regions": "350000 350500 350524", "text": "安溪铁观音 Anxi Tieguanyin 汤色明亮、香气高长。"},
    {"key": "producer:meihekou-hefengyuan-coop", "kind": "producer", "title": "梅河口市禾丰源稻米专业合作社",
     "category": "grain", "regions": "220000 220500 220581",
     "text": "梅河口市禾丰源稻米专业合作社 主要从事大米的种植、加工与销售。100% 有机_认证"},
    {"key": "listing:supply-meihe-dami-1", "kind": "listing", "title": "供应2026年新梅河大米 50吨",
     "category": "grain", "regions": "220000 220500 220581",
     "text": "供应2026年新梅河大米 50吨 真空包装，每袋5公斤。"},
]  # fmt: skip


def self_test() -> None:
    index = Fts5Baseline()
    print(f"SQLite {sqlite3.sqlite_version}, index at {index.path}")
    print(f"built {len(SELF_TEST_DOCS)} documents in {index.build(SELF_TEST_DOCS) * 1000:.1f} ms, "
          f"{index.size_bytes():,} bytes")  # fmt: skip
    cases: list[tuple[str, dict]] = [
        ("五常大米", {}), ("大米", {}), ("梅河 大米", {}), ("梅河大米", {"kind": "listing"}),
        ("wuchang", {}), ("WUCHANG rice", {}), ("米", {"category": "grain"}), ("延边　黄牛", {}),
        ("大米", {"region": "220581"}), ("100%", {}), ("有机_", {}), ("_", {}),
        ('"; DROP TABLE docs; --', {}), ('a" OR "b', {}), ("NEAR(大米 梅河)", {}), ("*", {}),
        ("\x00\ud800", {}), ("", {}), ("铁观音 OR", {}),
    ]  # fmt: skip
    for query, facets in cases:
        hits = index.search(query, **facets)
        print(f"  {query!r:<28} {facets!s:<24} → {hits}")
    assert index.search("五常大米")[0] == "product:wuchang-dami"
    assert index.search("大米", kind="listing") == ["listing:supply-meihe-dami-1"]
    assert set(index.search("梅河 大米")) >= {"product:meihe-dami", "listing:supply-meihe-dami-1"}
    # Escaped wildcards: an unescaped "_" would match every document.
    assert index.search("_") == index.search("100%") == ["producer:meihekou-hefengyuan-coop"]
    index.close()
    print("self-test passed")


if __name__ == "__main__":
    self_test()
