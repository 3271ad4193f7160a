"""The engine seam, and the Whoosh internals it relies on.

1. Another engine plugs in: a small in-memory engine behind the same interface is fed by the same
   outbox, rebuilt, checked, and served by the same page and API, which use nothing else.
2. ``whoosh_compat`` holds every use of Whoosh's private API. Each test here checks that an
   attribute or signature relied on still exists and still behaves, so a Whoosh upgrade that
   changes one fails here, by name, rather than somewhere in a search.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import inspect
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from whoosh import fields as wf
from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from gi_registry import search
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import SearchOutbox
from gi_registry.search import whoosh_compat as compat
from gi_registry.search.engine import (
    DocumentList,
    Feed,
    Health,
    IndexBusy,
    RebuildInProgress,
    RebuildRunning,
    SearchEngine,
    SearchUnavailable,
)
from gi_registry.search.query import Filters, Parsed, RawHit, RawResults
from gi_registry.search.store import IndexStore
from gi_registry.search.whoosh_engine import WhooshEngine
from gi_registry.search.whoosh_parallel import HelperFailed, build_in_helpers, die_with_parent
from tests import factories as f
from tests.conftest import _app_from, make_app

SEARCH_PACKAGE = Path(__file__).resolve().parent.parent / "gi_registry" / "search"

# ---- 1. a second engine behind the same interface --------------------------------------------


class MemoryEngine(SearchEngine):
    """Documents in a dict; a word matches when it occurs in the title or the snippet."""

    name = "memory"

    def __init__(self, _config=None):
        self.docs: dict[str, dict] = {}
        self.lost = False
        self.lock = threading.Lock()
        self.rebuilding = False

    def _require(self) -> None:
        if self.lost:
            raise SearchUnavailable("the memory engine lost its documents")

    def search(self, parsed: Parsed, filters: Filters, limit: int) -> RawResults:
        self._require()
        found = [
            d
            for d in self.docs.values()
            if all(w in (d["title"] + d.get("snippet", "")).lower() for w in parsed.words)
            and (filters.kind is None or d["kind"] == filters.kind)
        ]
        found.sort(key=lambda d: (d["kind"] != "product", d["title"]))
        counts: dict[str, int] = {}
        for d in found:
            counts[d["kind"]] = counts.get(d["kind"], 0) + 1
        hits = [RawHit(i, self._stored(d), 1.0) for i, d in enumerate(found[:limit])]
        return RawResults(hits=hits, total=len(found), kind_counts=counts, facets={})

    def suggest(self, prefix: str, limit: int) -> list[dict]:
        self._require()
        names = [d for d in self.docs.values() if d["title"].startswith(prefix)]
        return [self._stored(d) for d in names[:limit]]

    def documents(self) -> Iterator[dict]:
        self._require()
        return iter([self._stored(d) for d in self.docs.values()])

    def health(self) -> Health:
        if self.lost:
            return Health(False, problem="the memory engine lost its documents")
        return Health(True, len(self.docs), rebuilding=self.rebuilding)

    @contextlib.contextmanager
    def batch(self, lock_timeout: float):
        if not self.lock.acquire(timeout=lock_timeout):
            raise IndexBusy()
        try:
            if self.rebuilding:
                raise RebuildInProgress()
            self._require()
            staged = _Staged(dict(self.docs))
            yield staged
            self.docs = staged.docs  # visible together, only on a clean exit
        finally:
            self.lock.release()

    @contextlib.contextmanager
    def rebuild_lock(self):
        if self.rebuilding:
            raise RebuildRunning("另一个重建正在进行。")
        self.rebuilding = True
        try:
            with self.lock:  # writers that began before have finished
                pass
            yield
        finally:
            self.rebuilding = False

    def replace_all(self, feed: Feed, procs: int | None = None) -> int:
        fresh = {d["key"]: d for d in feed}
        self.docs, self.lost = fresh, False
        return len(fresh)

    @staticmethod
    def _stored(d: dict) -> dict:
        keys = ("key", "kind", "slug", "title", "subtitle", "places", "snippet", "digest")
        return {k: d[k] for k in keys if k in d}


class _Staged:
    def __init__(self, docs: dict[str, dict]):
        self.docs = docs

    def index(self, document: dict) -> None:
        self.docs[document["key"]] = document

    def delete(self, key: str) -> None:
        self.docs.pop(key, None)


@pytest.fixture
def memory_app(empty_template, databases, tmp_path, monkeypatch):
    monkeypatch.setitem(search.ENGINES, "memory", MemoryEngine)
    monkeypatch.setenv("GI_SEARCH_ENGINE", '"memory"')
    yield from _app_from(empty_template, databases, tmp_path)


def test_another_engine_is_fed_by_the_outbox_and_serves_the_page_and_the_api(memory_app):
    client = memory_app.test_client()
    whoosh_files = Path(memory_app.instance_path) / "search"  # the template's, left untouched
    before = sorted(p.name for p in whoosh_files.iterdir())
    with memory_app.test_request_context():
        engine = search.engine()
        assert isinstance(engine, MemoryEngine)
        assert not search.rebuild().drained.unavailable
        assert import_document(
            f.document(products=[f.product("qs", name_zh="青山贡米", summary="产自青山脚下")])
        ).ok
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == 0
        assert [(h.kind, h.slug) for h in search.search("青山").items] == [("product", "qs")]
        assert [s.slug for s in search.suggest("青山")] == ["qs"]
        assert search.check(sample=100).ok
        assert sorted(p.name for p in whoosh_files.iterdir()) == before

    page = client.get("/search?q=青山").get_data(as_text=True)
    assert 'href="/products/qs"' in page
    item = client.get("/api/v1/search?q=青山").get_json()["items"][0]
    assert (item["url"], item["highlight"]) == ("/products/qs", "产自<mark>青山</mark>脚下")

    engine.lost = True
    page = client.get("/search?q=青山")
    assert page.status_code == 200
    assert "搜索索引正在重建" in page.get_data(as_text=True)
    assert client.get("/api/v1/search?q=青山").status_code == 503
    with memory_app.app_context():
        assert search.check().unavailable == "the memory engine lost its documents"
        search.rebuild()
        assert search.check().ok
    assert client.get("/api/v1/search?q=青山").status_code == 200


def test_an_unknown_engine_is_refused_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="SEARCH_ENGINE 'opensearch' 未知；可选：whoosh"):
        make_app(tmp_path, "sqlite://", SEARCH_ENGINE="opensearch")


def test_the_whoosh_engine_implements_the_whole_interface():
    abstract = {
        name
        for name, member in vars(SearchEngine).items()
        if getattr(member, "__isabstractmethod__", False)
    }
    assert abstract >= {"search", "suggest", "documents", "health", "batch", "rebuild_lock"}
    assert not WhooshEngine.__abstractmethods__
    assert not MemoryEngine.__abstractmethods__


def test_the_engine_independent_modules_import_no_whoosh():
    for name in ("engine.py", "indexer.py", "__init__.py"):
        tree = ast.parse((SEARCH_PACKAGE / name).read_text(encoding="utf-8"))
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m.split(".")[0] == "whoosh"], name


# ---- 2. Whoosh internals, all in whoosh_compat -----------------------------------------------

# Private Whoosh names the code relies on. Only whoosh_compat may use them.
WHOOSH_PRIVATE = {
    "_read_toc", "_segments", "_segment", "_gen", "_perdoc", "_new_task", "_finalize_segment",
    "_latest_generation",
}  # fmt: skip


def test_no_module_but_whoosh_compat_uses_whoosh_private_names():
    offenders = []
    for path in sorted(SEARCH_PACKAGE.glob("*.py")):
        if path.name == "whoosh_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "attr", None) or getattr(node, "name", None)
            if name in WHOOSH_PRIVATE:
                offenders.append(f"{path.name}:{node.lineno}: {name}")
    assert offenders == []


SCHEMA = wf.Schema(key=wf.ID(stored=True, unique=True), body=wf.TEXT(stored=True))


def small_index(root: Path, commits: int = 3, per_commit: int = 5) -> FileIndex:
    root.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(root), SCHEMA)
    for c in range(commits):
        writer = ix.writer()
        for i in range(per_commit):
            writer.add_document(key=f"{c}-{i}", body=f"rice number {c} {i}")
        writer.commit(merge=False)
    return ix


def test_read_toc_gives_the_committed_segments_and_generation(tmp_path):
    ix = small_index(tmp_path / "ix")
    assert "_read_toc" in vars(FileIndex) and "_segments" in vars(FileIndex)
    toc = compat.read_toc(ix)
    assert toc.generation == ix.latest_generation()
    assert [s.segment_id() for s in toc.segments] == [
        r.segment().segment_id() for r, _ in ix.reader().leaf_readers()
    ]
    assert sum(s.doc_count() for s in toc.segments) == ix.doc_count() == 15
    assert set(toc.schema.names()) == {"key", "body"}
    assert compat.segment_count(ix) == 3


def test_a_bound_reader_sees_newer_deletions_on_the_same_open_files(tmp_path):
    ix = small_index(tmp_path / "ix", commits=1)
    toc = compat.read_toc(ix)
    base = SegmentReader(ix.storage, toc.schema, toc.segments[0], generation=toc.generation)
    for attribute in ("_segment", "_gen", "_perdoc"):
        assert attribute in vars(base), f"SegmentReader no longer has {attribute}"
    assert "_segment" in vars(base._perdoc), "the per-document reader no longer has _segment"
    assert not base.deleted_docs_set and "deleted_docs_set" in vars(base)  # cached per reader

    writer = ix.writer()
    writer.delete_by_term("key", "0-2")
    writer.commit(merge=False)
    newer = compat.read_toc(ix)
    bound = compat.bound_reader(base, newer.segments[0], newer.generation)

    assert bound is not base and bound.generation() == newer.generation
    assert bound.is_deleted(2) and bound.doc_count() == 4
    assert not base.is_deleted(2) and base.doc_count() == 5  # the base keeps its own view
    assert 2 in bound.deleted_docs_set and not base.deleted_docs_set
    assert 2 not in set(bound.postings("key", "0-2").all_ids())
    assert compat.bound_reader(base, toc.segments[0], toc.generation) is base
    base.close()


def test_the_segment_writer_steps_the_helpers_use_are_still_there(tmp_path):
    assert "_lk" in inspect.signature(SegmentWriter.__init__).parameters
    for step in ("_finalize_segment", "_close_segment", "_commit_toc", "_finish"):
        assert step in vars(SegmentWriter), f"SegmentWriter no longer has {step}"
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    segments = []
    for part in range(2):  # two helpers' writers, side by side, without the lock
        writer = compat.helper_writer(ix, limitmb=16)
        for i in range(5):
            writer.add_document(key=f"{part}-{i}", body="ginseng")
        segments.append(compat.finish_helper_segment(writer))
    assert compat.finish_helper_segment(compat.helper_writer(ix, limitmb=16)) is None  # empty
    compat.commit_segments(ix, segments)
    assert compat.segment_count(ix) == 2 and ix.doc_count() == 10
    with ix.searcher() as searcher:
        assert searcher.document(key="1-4") == {"key": "1-4", "body": "ginseng"}
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
    ix.writer(timeout=0.0).cancel()  # the lock was released


class ProcessFeed(Feed):
    """Documents that say which process built them, and whether it had run ``in_child``."""

    def __init__(self, count: int, fail_at: int | None = None):
        self.total = count
        self.fail_at = fail_at
        self.child_ready = False
        self.reported: list[tuple[int, int]] = []

    def pieces(self):
        return [range(start, min(start + 10, self.total)) for start in range(0, self.total, 10)]

    def build(self, piece):
        if self.fail_at in piece:
            raise ValueError("a row that cannot be built")
        time.sleep(0.01)  # long enough for both helpers to take pieces
        body = f"pid{os.getpid()} {'ready' if self.child_ready else 'unready'}"
        return [{"key": str(i), "body": body} for i in piece]

    def built(self, piece, count):
        self.reported.append((piece.start, count))

    def in_child(self):
        self.child_ready = True


def test_helpers_build_their_own_documents_and_report_each_piece(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    feed = ProcessFeed(200)
    assert build_in_helpers(ix, feed, procs=2, limitmb=16) == 200
    with ix.searcher() as searcher:
        bodies = {d["body"] for d in searcher.documents()}
        assert sorted(d["key"] for d in searcher.documents()) == sorted(map(str, range(200)))
    builders = {body.split()[0] for body in bodies}
    assert len(builders) == 2 and f"pid{os.getpid()}" not in builders  # built in two helpers
    assert all(body.endswith(" ready") for body in bodies)  # each after in_child
    assert sorted(feed.reported) == [(start, 10) for start in range(0, 200, 10)]  # in the parent
    assert compat.segment_count(ix) == 2
    assert multiprocessing.active_children() == []


def test_a_helper_that_fails_fails_the_rebuild_and_leaves_the_live_index(tmp_path):
    engine = WhooshEngine(tmp_path / "search", procs=2, parallel_from=1)
    engine.replace_all(DocumentList([{"key": "product:1", "kind": "product", "slug": "kept"}]))
    live = engine.store.current_name()
    with pytest.raises(HelperFailed, match="a row that cannot be built"):
        engine.replace_all(ProcessFeed(200, fail_at=150))
    assert multiprocessing.active_children() == []  # the other helper was ended
    assert engine.store.current_name() == live
    assert [p.name for p in (tmp_path / "search").glob("g*")] == [live]
    assert [d["slug"] for d in engine.documents()] == ["kept"]


def _dies_in_a_helper(self, piece):
    os._exit(3)  # as if killed: no word to the parent


def test_a_helper_that_dies_fails_the_build(tmp_path, monkeypatch):
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    monkeypatch.setattr(ProcessFeed, "build", _dies_in_a_helper)
    with pytest.raises(HelperFailed, match="意外退出（退出码 3）"):
        build_in_helpers(ix, ProcessFeed(50), procs=2, limitmb=16)
    assert multiprocessing.active_children() == []


def _parent_that_dies(ready) -> None:
    """A rebuild's parent: starts a helper that waits on its parent, then is killed."""
    helper = multiprocessing.get_context("fork").Process(target=_helper_waiting)
    helper.start()
    ready.put(helper.pid)
    time.sleep(60)


def _helper_waiting() -> None:
    die_with_parent(os.getppid())
    time.sleep(60)


def gone(pid: int) -> bool:
    """Exited, or a zombie waiting to be reaped (it holds nothing any more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_helper_dies_with_its_parent():
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    parent = context.Process(target=_parent_that_dies, args=(ready,))
    parent.start()
    helper_pid = ready.get(timeout=30)
    assert not gone(helper_pid)
    parent.kill()
    parent.join(timeout=10)
    deadline = time.monotonic() + 5
    while not gone(helper_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(helper_pid), "the helper outlived its parent"


def _started_then_asleep(started) -> None:
    started.set()
    time.sleep(30)


def test_a_child_forked_during_a_rebuild_does_not_hold_the_rebuild_lock(tmp_path):
    store = IndexStore(tmp_path / "search")
    context = multiprocessing.get_context("fork")
    started = context.Event()
    with store.rebuild_marker():
        child = context.Process(target=_started_then_asleep, args=(started,))
        child.start()
        assert started.wait(timeout=30)  # after fork: the child's fork hooks have run
    try:
        fd = os.open(store.rebuild_lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the child kept no copy of the lock
        finally:
            os.close(fd)
        assert child.is_alive()
    finally:
        child.kill()
        child.join(timeout=10)
