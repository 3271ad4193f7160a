"""The rebuild's floor: a bare Whoosh index of the same document texts, and nothing else.

Run: python bench/whoosh_floor.py   (a self-test over a handful of documents)

``bench/search.py`` hands this the documents the project's builder made (outside the timing), so the
floor is Whoosh's own work on the same texts: a minimal schema (a stored key and the text fields),
a plain CJK bigram tokenizer without positions, ``procs=2, multisegment=True`` (the setup measured
in /work/shared/notes/search-limits.md). ``rebuild / floor`` is what the project adds on top.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

from whoosh import fields, index
from whoosh.analysis import Token, Tokenizer

TEXT_FIELDS = ("name", "en", "regions", "category_text", "body")
_WORDS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


class BigramTokenizer(Tokenizer):
    """Han runs → overlapping character bigrams (a lone character stays itself); Latin runs → words."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for word in _WORDS.findall(value.lower()):
            if word.isascii() or len(word) < 2:
                pieces = [word]
            else:
                pieces = [word[i : i + 2] for i in range(len(word) - 1)]
            for piece in pieces:
                token.text = piece
                token.boost = 1.0
                token.stopped = False
                yield token


def floor_schema() -> fields.Schema:
    text = {f: fields.TEXT(analyzer=BigramTokenizer(), phrase=False) for f in TEXT_FIELDS}
    return fields.Schema(key=fields.ID(unique=True, stored=True), **text)


def build_floor(documents: list[dict], path: Path, procs: int = 2) -> float:
    """Seconds to index ``documents`` (dicts with ``key`` and any of TEXT_FIELDS) into ``path``."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = index.create_in(str(path), floor_schema())
    slim = [{f: d[f] for f in ("key", *TEXT_FIELDS) if d.get(f)} for d in documents]
    started = time.perf_counter()
    writer = ix.writer(procs=procs, multisegment=True, limitmb=256) if procs > 1 else ix.writer()
    for doc in slim:
        writer.add_document(**doc)
    writer.commit()
    seconds = time.perf_counter() - started
    with ix.reader() as reader:
        if reader.doc_count() != len(slim):
            raise RuntimeError(f"floor index holds {reader.doc_count()} of {len(slim)} documents")
    return seconds


if __name__ == "__main__":
    docs = [
        {"key": f"t:{i}", "name": "长白山人参", "body": f"吉林 延边 第{i}号"} for i in range(50)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        seconds = build_floor(docs, Path(tmp) / "floor")
        ix = index.open_dir(str(Path(tmp) / "floor"))
        with ix.searcher() as s:
            assert s.document_number(name="白山") is not None, "bigram 白山 not indexed"
        print(f"floor self-test: {len(docs)} documents in {seconds * 1000:.0f} ms")
