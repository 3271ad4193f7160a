"""The search index stays in step with the database: outbox, drains, rebuilds, concurrent writers.

Assertions look at the index itself (``indexed()``) as well as at ``search()``: search filters its
hits through the database, so a document left behind in the index would not show up there.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import multiprocessing
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gi_registry import search
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import (
    Brand,
    Category,
    GIProduct,
    Producer,
    Protection,
    Region,
    SearchOutbox,
    now_utc,
)
from gi_registry.search import indexer
from gi_registry.search import whoosh_compat as compat
from gi_registry.search.documents import KINDS, load_documents, visible_ids
from gi_registry.search.engine import DocumentList
from gi_registry.search.query import Filters
from gi_registry.search.store import IndexStore
from gi_registry.search.whoosh_engine import WhooshEngine
from tests import factories as f
from tests.conftest import make_app

# ``gi_registry.search.store`` the attribute is the function store(); the module is needed here.
store_module = importlib.import_module("gi_registry.search.store")

# ---- helpers ---------------------------------------------------------------------------------


def load(**kinds) -> None:
    report = import_document(f.document(**kinds))
    assert report.ok, report.issues


def get(model, slug: str):
    return db.session.scalar(sa.select(model).where(model.slug == slug))


def hits(query: str, kind: str | None = None, **filters: str) -> list[str]:
    """kind:slug of the strict hits (typo-tolerant ones left out), in rank order."""
    results = search.search(query, kind=kind, filters=Filters(**filters))
    return [f"{h.kind}:{h.slug}" for h in results.items if not h.approximate]


def indexed() -> dict[str, dict]:
    """Stored fields of every document in the live index, keyed kind:slug (each key once)."""
    documents = list(search.engine().documents())
    keys = [d["key"] for d in documents]
    assert len(keys) == len(set(keys)), "a record is indexed twice"
    return {f"{d['kind']}:{d['slug']}": d for d in documents}


def whoosh_store() -> IndexStore:
    """The Whoosh engine's files, for the tests of its own locks, generations and reader sharing."""
    engine = search.engine()
    assert isinstance(engine, WhooshEngine)
    return engine.store


def pending() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))


def up_to_date(kind: str, slug: str) -> bool:
    """The indexed document is the one the database would build now."""
    with Session(db.engine) as session:
        record = session.scalar(sa.select(KINDS[kind].model).where(KINDS[kind].model.slug == slug))
        docs, _ = load_documents(session, kind, [record.id])
    return indexed()[f"{kind}:{slug}"]["digest"] == docs[0]["digest"]


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["search", *args])


def generations(app) -> list[str]:
    return sorted(p.name for p in Path(app.config["SEARCH_INDEX_PATH"]).glob("g*"))


@contextlib.contextmanager
def preempt_often():
    """Switch threads every few microseconds, as a loaded threaded server may at any point."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


@pytest.fixture
def reg(app):
    """The empty registry inside a request (search builds URLs)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def sample(sample_app):
    with sample_app.test_request_context():
        yield sample_app


# ---- 1. commits, rollbacks and visibility ----------------------------------------------------


def test_a_commit_indexes_the_new_product(reg):
    load(products=[f.product("qingshan-gongmi", name_zh="青山贡米")])
    assert pending() == 0
    assert "product:qingshan-gongmi" in indexed()
    for query in ("青山贡米", "qingshangongmi", "qsgm"):
        assert hits(query)[:1] == ["product:qingshan-gongmi"], query


def test_a_rollback_writes_no_outbox_rows_and_indexes_nothing(reg):
    db.session.add(
        GIProduct(
            slug="huigun-dami",
            name_zh="回滚大米",
            category=db.session.scalar(sa.select(Category).where(Category.code == "grain")),
            regions=[db.session.get(Region, "220581")],
            status="published",
        )
    )
    db.session.flush()
    assert pending() == 1  # the hook wrote its row inside the transaction
    db.session.rollback()
    assert pending() == 0
    load(products=[f.product("other-rice", name_zh="别的大米")])  # a later commit drains
    assert "product:huigun-dami" not in indexed()
    assert hits("回滚大米") == []


def test_a_search_on_an_empty_index_does_not_break_later_searches(reg):
    assert hits("灵山贡米") == []  # nothing indexed yet: the searcher holds an empty reader
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])
    assert hits("灵山贡米") == ["product:lingshan-gongmi"]


def test_only_published_unarchived_products_are_indexed(reg):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])  # the index is not empty
    load(products=[f.product("caogao-muer", name_zh="草稿木耳", category="fungi", status="draft")])
    assert pending() == 0
    assert "product:caogao-muer" not in indexed()
    assert hits("草稿木耳") == []

    product = get(GIProduct, "caogao-muer")
    steps = [
        ("publish", {"status": "published"}, True),
        ("unpublish", {"status": "draft"}, False),
        ("publish again", {"status": "published"}, True),
        ("archive", {"archived_at": now_utc()}, False),
        ("unarchive", {"archived_at": None}, True),
    ]
    for step, values, public in steps:
        for name, value in values.items():
            setattr(product, name, value)
        db.session.commit()
        assert pending() == 0, step
        assert ("product:caogao-muer" in indexed()) is public, step
        assert (hits("草稿木耳") == ["product:caogao-muer"]) is public, step

    db.session.delete(product)
    db.session.commit()
    assert pending() == 0
    assert "product:caogao-muer" not in indexed()


def test_a_listing_is_hidden_with_its_producer_and_its_product(reg):
    load(
        products=[f.product("xiangdao-mi", name_zh="香稻米")],
        producers=[f.producer("fengnian-coop", name_zh="丰年合作社（示例）")],
        listings=[
            f.listing(
                "gongying-xiangdao",
                producer="fengnian-coop",
                product="xiangdao-mi",
                title="供应香稻米新米",
            )
        ],
    )
    assert "listing:gongying-xiangdao" in indexed()
    producer, product = get(Producer, "fengnian-coop"), get(GIProduct, "xiangdao-mi")

    producer.archived_at = now_utc()
    db.session.commit()
    assert "listing:gongying-xiangdao" not in indexed()
    assert "producer:fengnian-coop" not in indexed()
    assert "listing:gongying-xiangdao" not in hits("香稻米新米")

    producer.archived_at = None
    db.session.commit()
    assert "listing:gongying-xiangdao" in indexed()

    producer.status = "suspended"
    db.session.commit()
    assert "listing:gongying-xiangdao" not in indexed()
    producer.status = "active"
    db.session.commit()
    assert "listing:gongying-xiangdao" in indexed()

    product.status = "draft"
    db.session.commit()
    assert "listing:gongying-xiangdao" not in indexed()
    product.status = "published"
    db.session.commit()
    assert "listing:gongying-xiangdao" in indexed()
    assert "listing:gongying-xiangdao" in hits("香稻米新米", kind="listing")
    assert search.check().ok


# ---- 2. relation changes fan out -------------------------------------------------------------


@pytest.fixture
def lingshan(reg):
    """A product in 梅河口市 (220581), sold by a producer there through a listing without a region."""
    load(
        products=[f.product("lingshan-gongmi", name_zh="灵山贡米", region_codes=["220581"])],
        producers=[f.producer("lingshan-coop", name_zh="灵山合作社（示例）", region_code="220581")],
        listings=[
            f.listing(
                "lingshan-supply", producer="lingshan-coop", category="grain", title="供应新米"
            )
        ],
        brands=[f.brand("lingshan-brand", name_zh="灵秀品牌", products=["lingshan-gongmi"])],
    )
    return reg


def test_renaming_a_county_reindexes_the_products_in_it(lingshan):
    assert "product:lingshan-gongmi" in hits("梅河口", kind="product")
    db.session.get(Region, "220581").name = "青松岭市"
    db.session.commit()
    assert pending() == 0
    assert "product:lingshan-gongmi" in hits("青松岭", kind="product")
    assert "product:lingshan-gongmi" not in hits("梅河口", kind="product")
    assert "producer:lingshan-coop" in hits("青松岭", kind="producer")
    assert "listing:lingshan-supply" in hits("青松岭", kind="listing")
    assert up_to_date("product", "lingshan-gongmi")


def test_renaming_a_prefecture_reindexes_everything_under_it(lingshan):
    db.session.get(Region, "220500").name = "白水市"  # 通化市, parent of 梅河口市
    db.session.commit()
    for key in ("product:lingshan-gongmi", "producer:lingshan-coop", "listing:lingshan-supply"):
        kind = key.partition(":")[0]
        assert key in hits("白水", kind=kind), key
        assert key not in hits("通化", kind=kind), key
        assert up_to_date(kind, key.partition(":")[2]), key


def test_renaming_a_region_reindexes_the_brands_of_products_there(lingshan):
    # A brand's document carries the regions of its products (documents.brand_document).
    assert "brand:lingshan-brand" in hits("梅河口", kind="brand")
    db.session.get(Region, "220581").name = "青松岭市"
    db.session.commit()
    assert "brand:lingshan-brand" in hits("青松岭", kind="brand")
    assert up_to_date("brand", "lingshan-brand")


def test_moving_a_product_to_another_region_reindexes_its_brands(lingshan):
    product = get(GIProduct, "lingshan-gongmi")
    product.regions = [db.session.get(Region, "222401")]  # 延吉市
    db.session.commit()
    assert "product:lingshan-gongmi" in hits("延吉", kind="product")
    assert "brand:lingshan-brand" in hits("延吉", kind="brand")
    assert up_to_date("brand", "lingshan-brand")


def test_renaming_a_category_reindexes_its_products_and_listings(reg):
    load(
        products=[f.product("lingshan-gongmi", name_zh="灵山贡米")],
        producers=[f.producer("lingshan-coop", name_zh="灵山合作社（示例）")],
        listings=[
            f.listing("of-category", producer="lingshan-coop", category="grain", title="供应新米"),
            f.listing(
                "of-product", producer="lingshan-coop", product="lingshan-gongmi", title="供应贡米"
            ),
        ],
    )
    grain = db.session.scalar(sa.select(Category).where(Category.code == "grain"))
    grain.name_zh = "五谷杂粮类"
    db.session.commit()
    assert pending() == 0
    assert "product:lingshan-gongmi" in hits("五谷杂粮", kind="product")
    assert set(hits("五谷杂粮", kind="listing")) == {"listing:of-category", "listing:of-product"}
    for kind, slug in [
        ("product", "lingshan-gongmi"),
        ("listing", "of-category"),
        ("listing", "of-product"),
    ]:
        assert up_to_date(kind, slug), slug


def test_a_brand_gaining_a_product_reindexes_the_product(reg):
    load(
        products=[f.product("lingshan-gongmi", name_zh="灵山贡米")],
        brands=[f.brand("yunxiu", name_zh="云岫臻品")],
    )
    assert hits("云岫臻品", kind="product") == []
    brand = get(Brand, "yunxiu")
    brand.products.append(get(GIProduct, "lingshan-gongmi"))
    db.session.commit()
    assert hits("云岫臻品", kind="product") == ["product:lingshan-gongmi"]
    assert up_to_date("brand", "yunxiu")

    brand.products.clear()
    db.session.commit()
    assert hits("云岫臻品", kind="product") == []


def test_a_new_brand_listing_a_product_reindexes_the_product(reg):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])
    load(brands=[f.brand("yunxiu", name_zh="云岫臻品", products=["lingshan-gongmi"])])
    assert "brand:yunxiu" in hits("云岫臻品", kind="brand")
    assert hits("云岫臻品", kind="product") == ["product:lingshan-gongmi"]
    assert up_to_date("product", "lingshan-gongmi")


def test_deleting_a_brand_reindexes_its_products(reg):
    # Records are archived rather than deleted, but nothing stops a delete (importer, shell, admin).
    load(
        products=[f.product("lingshan-gongmi", name_zh="灵山贡米")],
        brands=[f.brand("yunxiu", name_zh="云岫臻品", products=["lingshan-gongmi"])],
    )
    assert hits("云岫臻品", kind="product") == ["product:lingshan-gongmi"]
    db.session.delete(get(Brand, "yunxiu"))
    db.session.commit()
    assert hits("云岫臻品", kind="product") == []
    assert up_to_date("product", "lingshan-gongmi")


def suggested(prefix: str) -> list[str]:
    return [s.slug for s in search.suggest(prefix)]


def test_suggestions_follow_a_rename_and_a_rebuild(reg):
    load(products=[f.product("qingshan-gongmi", name_zh="青山贡米")])
    for prefix in ("青山", "qingsh", "qs"):
        assert suggested(prefix) == ["qingshan-gongmi"], prefix  # the segment's terms now cached
    get(GIProduct, "qingshan-gongmi").name_zh = "翠屏贡米"
    db.session.commit()
    # The old document still sits in the cached segment, deleted: it must not come back.
    for prefix in ("青山", "qingsh", "qs"):
        assert suggested(prefix) == [], prefix
    for prefix in ("翠屏", "cuip", "cp"):
        assert suggested(prefix) == ["qingshan-gongmi"], prefix
    search.rebuild()
    assert suggested("翠屏") == ["qingshan-gongmi"]
    assert suggested("青山") == []


def test_renaming_a_producer_reindexes_its_listings(lingshan):
    get(Producer, "lingshan-coop").name_zh = "翠屏合作社（示例）"
    db.session.commit()
    assert hits("翠屏合作社", kind="listing") == ["listing:lingshan-supply"]
    assert hits("灵山合作社", kind="listing") == []
    assert up_to_date("listing", "lingshan-supply")


def test_adding_a_protection_changes_the_protection_facet(reg):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])
    assert search.search("灵山贡米").facets["protection"] == {}
    assert hits("灵山贡米", protection="certification_mark") == []

    product = get(GIProduct, "lingshan-gongmi")
    product.protections.append(Protection(kind="certification_mark", status="approved"))
    db.session.commit()
    assert search.search("灵山贡米").facets["protection"] == {"certification_mark": 1}
    assert hits("灵山贡米", protection="certification_mark") == ["product:lingshan-gongmi"]

    db.session.delete(product.protections[0])
    db.session.commit()
    assert hits("灵山贡米", protection="certification_mark") == []


# ---- 3. two processes writing at once --------------------------------------------------------

ROUNDS = 10


def write_in_a_child(instance: str, url: str, slug: str, name: str, start, report) -> None:
    """Runs in a spawned process: its own app on the shared instance and database."""
    failures: list[str] = []

    class Failures(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            failures.append(self.format(record))

    logging.getLogger("gi_registry").addHandler(Failures(logging.ERROR))
    try:
        app = make_app(Path(instance), url)
        with app.app_context():
            start.wait(timeout=60)  # both children are up: write at the same time
            product = GIProduct(
                slug=slug,
                name_zh=name,
                category=db.session.scalar(sa.select(Category).where(Category.code == "grain")),
                regions=[db.session.get(Region, "220581")],
                status="published",
                summary="第0轮",
            )
            db.session.add(product)
            db.session.commit()
            for round_ in range(1, ROUNDS):
                product.summary = f"第{round_}轮"
                db.session.commit()
            db.session.remove()
            db.engine.dispose()
    except BaseException:
        failures.append(traceback.format_exc())
    report.put((slug, failures))


def test_two_processes_writing_at_once_both_end_up_searchable(reg):
    context = multiprocessing.get_context("spawn")
    start, report = context.Barrier(2), context.Queue()
    instance, url = reg.instance_path, reg.config["SQLALCHEMY_DATABASE_URI"]
    db.engine.dispose()  # nothing of ours is open while the children write
    children = [
        context.Process(target=write_in_a_child, args=(instance, url, slug, name, start, report))
        for slug, name in (("jiazi-dami", "甲子大米"), ("yichou-xiaomi", "乙丑小米"))
    ]
    for child in children:
        child.start()
    outcome = dict(report.get(timeout=90) for _ in children)
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    assert outcome == {"jiazi-dami": [], "yichou-xiaomi": []}

    assert hits("甲子大米") == ["product:jiazi-dami"]
    assert hits("乙丑小米") == ["product:yichou-xiaomi"]
    if pending() == 0:
        assert search.check().ok, search.check().problems
    assert cli(reg, "sync").exit_code == 0
    assert pending() == 0
    result = cli(reg, "check")
    assert result.exit_code == 0, result.output
    assert indexed()["product:jiazi-dami"]["snippet"] == f"第{ROUNDS - 1}轮"
    assert indexed()["product:yichou-xiaomi"]["snippet"] == f"第{ROUNDS - 1}轮"


# ---- 4. a crash between commit and drain -----------------------------------------------------


def test_without_a_drain_rows_wait_and_sync_converges(reg):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])
    assert cli(reg, "check").exit_code == 0

    reg.config["SEARCH_DRAIN_ON_COMMIT"] = False  # the process "died" right after its commit
    load(products=[f.product("houlai-dami", name_zh="后来大米")])
    assert pending() > 0
    assert "product:houlai-dami" not in indexed()
    result = cli(reg, "check")
    assert result.exit_code == 1, result.output
    assert "missing from the index" in result.output

    result = cli(reg, "sync")
    assert result.exit_code == 0, result.output
    assert pending() == 0
    assert hits("后来大米") == ["product:houlai-dami"]
    result = cli(reg, "check")
    assert result.exit_code == 0, result.output


def test_a_failing_drain_does_not_fail_the_commit(reg, monkeypatch, caplog):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(indexer, "_write", crash)
    get(GIProduct, "lingshan-gongmi").name_zh = "翠屏贡米"
    db.session.commit()  # no exception reaches the caller
    assert "search outbox drain failed" in caplog.text
    assert (
        db.session.scalar(sa.select(GIProduct.name_zh).where(GIProduct.slug == "lingshan-gongmi"))
        == "翠屏贡米"
    )
    assert pending() > 0
    assert indexed()["product:lingshan-gongmi"]["title"] == "灵山贡米"
    result = cli(reg, "check")
    assert result.exit_code == 1
    assert "out of date" in result.output

    monkeypatch.undo()
    assert cli(reg, "sync").exit_code == 0
    assert pending() == 0
    assert hits("翠屏贡米") == ["product:lingshan-gongmi"]
    assert cli(reg, "check").exit_code == 0


# ---- 5. the writer lock is busy --------------------------------------------------------------


def test_a_commit_does_not_wait_long_for_a_busy_index(reg):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])
    reg.config["SEARCH_LOCK_TIMEOUT"] = 0.2
    held = whoosh_store().open_live().writer()  # another process, busy writing
    try:
        get(GIProduct, "lingshan-gongmi").name_zh = "翠屏贡米"
        started = time.perf_counter()
        db.session.commit()
        assert time.perf_counter() - started < 2.0
        assert pending() > 0
        assert search.drain(lock_timeout=0.1).busy
        assert pending() > 0
    finally:
        held.cancel()
    report = search.drain()
    assert not report.busy
    assert report.indexed >= 1
    assert pending() == 0
    assert hits("翠屏贡米") == ["product:lingshan-gongmi"]
    assert search.check().ok


def test_rows_left_by_a_busy_drain_go_out_with_the_next_commit(reg):
    load(products=[f.product("lingshan-gongmi", name_zh="灵山贡米")])
    reg.config["SEARCH_LOCK_TIMEOUT"] = 0.1
    held = whoosh_store().open_live().writer()
    try:
        load(products=[f.product("houlai-dami", name_zh="后来大米")])
    finally:
        held.cancel()
    assert pending() > 0
    load(products=[f.product("zuihou-xiaomi", name_zh="最后小米")])
    assert pending() == 0
    assert {"product:houlai-dami", "product:zuihou-xiaomi"} <= indexed().keys()


# ---- 6. searches from many threads, rebuilds -------------------------------------------------


THREADS, SEARCHES_PER_THREAD = 6, 60


def test_concurrent_searches_in_threads_get_correct_results(sample):
    # A threaded server runs requests at once; a thread may be preempted anywhere (made frequent here).
    queries = ["梅河大米", "长白山人参", "延边黄牛肉", "mhdm", "吉致吉品"]
    expected = {q: hits(q) for q in queries}
    outcomes: list[str] = []

    together = threading.Barrier(THREADS)

    def search_a_while(offset: int) -> None:
        with sample.test_request_context():
            together.wait(timeout=30)
            for n in range(SEARCHES_PER_THREAD):
                query = queries[(n + offset) % len(queries)]  # threads ask different things
                try:
                    got = hits(query)
                except Exception as error:
                    outcomes.append(f"{query}: {type(error).__name__}: {error}")
                    continue
                outcomes.append("ok" if got == expected[query] else f"{query}: {got}")

    threads = [threading.Thread(target=search_a_while, args=(i,)) for i in range(THREADS)]
    with preempt_often():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    failures = [o for o in outcomes if o != "ok"]
    assert len(outcomes) == THREADS * SEARCHES_PER_THREAD
    assert not failures, f"{len(failures)} of {len(outcomes)} searches failed, e.g. {failures[:3]}"


def test_searches_keep_working_while_a_rebuild_swaps_generations(sample_app):
    with sample_app.app_context():
        sample_app.config["SEARCH_DRAIN_ON_COMMIT"] = False
        load(products=[f.product(f"filler-{i:03d}", name_zh=f"填充产品{i}号") for i in range(200)])
        sample_app.config["SEARCH_DRAIN_ON_COMMIT"] = True
        wanted = len(visible_ids(db.session, "product"))
        old = whoosh_store().current_name()
    stop, rebuilding = threading.Event(), threading.Event()
    during: list[str | None] = []
    errors: list[str] = []

    def keep_searching() -> None:
        with sample_app.test_request_context():
            while not stop.is_set():
                try:
                    items = search.search("梅河大米").items
                    found = f"{items[0].kind}:{items[0].slug}" if items else None
                except Exception:
                    errors.append(traceback.format_exc())
                    return
                if rebuilding.is_set():
                    during.append(found)

    threads = [threading.Thread(target=keep_searching) for _ in range(3)]
    with preempt_often():
        for thread in threads:
            thread.start()
        try:
            with sample_app.app_context():
                rebuilding.set()
                report = search.rebuild()
                rebuilding.clear()
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    assert report.counts["product"] == wanted
    with sample_app.app_context():
        live = whoosh_store().current_name()
        assert live != old
        assert generations(sample_app) == [live]
        assert not whoosh_store().marker.exists()
        assert search.check().ok
    assert not errors, errors[0]
    assert during, "no search ran during the rebuild"
    assert set(during) == {"product:meihe-dami"}


@pytest.fixture(params=["one process", "helpers"])
def rebuild_mode(request, sample):
    """Rebuild in this process, or in two helpers that build their own documents."""
    engine = search.engine()
    if request.param == "helpers":
        engine.parallel_from, engine.procs = 1, 2
    return request.param


def indexed_terms() -> dict[str, dict[str, dict[str, float]]]:
    """field → term → {key: weight} of the documents holding it, over the whole live index."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    with whoosh_store().open_live().searcher() as searcher:
        keys = {n: fields["key"] for n, fields in searcher.iter_docs()}
        for field in searcher.schema.names():
            if not searcher.schema[field].indexed:
                continue
            terms = out.setdefault(field, {})
            for term in searcher.lexicon(field):
                postings, holders = searcher.postings(field, term), {}
                while postings.is_active():
                    holders[keys[postings.id()]] = postings.weight()
                    postings.next()
                terms[term] = holders
    return out


def test_helpers_build_the_same_index_as_one_process(sample):
    engine = search.engine()
    one = search.rebuild(procs=1)
    one_documents, one_terms = indexed(), indexed_terms()
    engine.parallel_from = 1
    helpers = indexer.rebuild(engine, db.engine, procs=2, chunk=5)  # many pieces for two helpers
    assert compat.segment_count(whoosh_store().open_live()) == 2  # one per helper: both built
    assert helpers.counts == one.counts and helpers.total == len(one_documents) > 50
    assert indexed() == one_documents  # stored fields, digests included
    assert indexed_terms() == one_terms  # every term of every field, in the same documents
    assert search.check(sample=10_000).ok  # and the digests are the database's


def test_a_write_during_a_rebuild_is_searchable_after_it(rebuild_mode):
    wrote: list[bool] = []

    def progress(_done: int, _total: int) -> None:
        if wrote:
            return
        wrote.append(search.health().rebuilding)
        get(GIProduct, "meihe-dami").name_zh = "梅河香米"  # its chunk is already in the new index
        load(products=[f.product("xinlai-dami", name_zh="新来大米")])  # not in the rebuild's list
        assert pending() > 0  # the drain left the rows for the rebuild

    report = search.rebuild(progress=progress)
    assert wrote == [True]
    assert report.drained is not None
    assert report.drained.rows > 0
    assert pending() == 0
    assert hits("新来大米") == ["product:xinlai-dami"]
    assert indexed()["product:meihe-dami"]["title"] == "梅河香米"
    assert hits("梅河香米")[:1] == ["product:meihe-dami"]
    assert search.check().ok


def test_a_stale_pointer_read_before_a_rebuild_does_not_replace_the_live_index(sample):
    # Another process read CURRENT just before a rebuild swapped it and removed the old generation.
    stale = whoosh_store().current_name()
    search.rebuild()
    live = whoosh_store().current_name()
    other = IndexStore(whoosh_store().root)
    names = iter([stale])
    real_name = other.current_name
    other.current_name = lambda: next(names, None) or real_name()
    name, _ix = other.open_live_named()
    assert next(names, None) is None, "the stale name was never read"
    assert name == live
    assert whoosh_store().current_name() == live
    assert generations(sample) == [live]
    assert len(indexed()) > 50


def test_only_a_rebuild_creates_an_index(tmp_path):
    # A search or a drain that created an empty index would make a lost index look complete.
    engine = WhooshEngine(tmp_path / "search")
    with pytest.raises(search.SearchUnavailable):
        engine.store.open_live()
    with pytest.raises(search.SearchUnavailable), engine.batch(lock_timeout=0.1):
        pass
    assert not engine.health().available
    assert not (tmp_path / "search").exists()

    added = engine.replace_all(
        DocumentList([{"key": "product:1", "kind": "product", "slug": "built"}])
    )
    assert added == 1
    assert [d["slug"] for d in engine.documents()] == ["built"]
    assert engine.health().available and engine.health().documents == 1
    assert len(list((tmp_path / "search").glob("g*"))) == 1


def test_a_search_racing_a_rebuild_swap_does_not_fail(sample, monkeypatch):
    store = whoosh_store()
    store.close()  # the next search opens the index, through open_live_named
    real_open_live_named = store.open_live_named
    raced: list[str] = []
    rebuilt: list[search.RebuildReport] = []

    def open_live_then_a_rebuild_finishes():
        name, ix = real_open_live_named()  # read CURRENT: the generation about to be replaced
        monkeypatch.undo()
        rebuilt.append(search.rebuild())  # swaps CURRENT, removes that generation before it opens
        raced.append(name)
        return name, ix

    monkeypatch.setattr(store, "open_live_named", open_live_then_a_rebuild_finishes)
    started = time.perf_counter()
    assert hits("梅河大米")[:1] == ["product:meihe-dami"]
    assert raced, "the search did not open the index through the patched function"
    assert raced[0] != store.current_name()
    assert raced[0] not in generations(sample)  # the searcher's generation really was removed
    assert not rebuilt[0].drained.busy  # the rebuild did not wait on a lock its own caller held
    assert time.perf_counter() - started < 20
    load(products=[f.product("xinlai-dami", name_zh="新来大米")])
    assert hits("新来大米") == ["product:xinlai-dami"]
    assert hits("梅河大米")[:1] == ["product:meihe-dami"]


# ---- 7. the CLI ------------------------------------------------------------------------------


def test_rebuild_command_prints_the_counts_and_swaps(sample_app):
    with sample_app.app_context():
        wanted = {kind: len(visible_ids(db.session, kind)) for kind in KINDS}
        old = whoosh_store().current_name()
    result = cli(sample_app, "rebuild")
    assert result.exit_code == 0, result.output
    for kind, count in wanted.items():
        assert f"{kind} {count}" in result.stdout
    assert f"已重建：{sum(wanted.values())} 篇文档" in result.stdout
    with sample_app.app_context():
        assert whoosh_store().current_name() != old
        assert generations(sample_app) == [whoosh_store().current_name()]
    result = cli(sample_app, "check")
    assert result.exit_code == 0, result.output
    assert "索引与数据库一致" in result.stdout


def test_check_finds_a_document_changed_behind_the_outbox(sample):
    assert cli(sample, "check", "--sample", "1000").exit_code == 0
    db.session.execute(
        sa.text("UPDATE gi_products SET name_zh = :name WHERE slug = :slug"),
        {"name": "梅河香米", "slug": "meihe-dami"},
    )
    db.session.commit()
    assert pending() == 0  # raw SQL wrote no outbox row
    result = cli(sample, "check", "--sample", "1000")
    assert result.exit_code == 1, result.output
    assert "out of date" in result.output
    assert "product:" in result.output

    assert cli(sample, "rebuild").exit_code == 0
    assert cli(sample, "check", "--sample", "1000").exit_code == 0


def test_check_finds_documents_missing_or_no_longer_public(sample):
    hidden = db.session.scalar(
        sa.select(GIProduct.slug).where(GIProduct.status != "published").order_by(GIProduct.slug)
    )
    assert hidden is not None
    with Session(db.engine) as session:  # behind the outbox: Core statements
        for slug, status in (("meihe-dami", "draft"), (hidden, "published")):
            session.execute(
                sa.update(GIProduct)
                .where(GIProduct.slug == slug)
                .values(status=status, archived_at=None)
            )
        session.commit()
    assert pending() == 0
    report = search.check()
    assert not report.ok
    assert any("1 missing from the index" in p for p in report.problems), report.problems
    assert any("1 in the index but not public" in p for p in report.problems), report.problems
    search.rebuild()
    assert search.check().ok


# ---- 8. searchers are closed -----------------------------------------------------------------


def test_retired_searchers_are_closed(sample, monkeypatch):
    leases: list[store_module._Lease] = []

    class Recorded(store_module._Lease):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            leases.append(self)

    def top_title() -> str:
        return search.search("梅河大米").items[0].title

    monkeypatch.setattr(store_module, "_Lease", Recorded)
    store = whoosh_store()
    store.close()
    product = get(GIProduct, "meihe-dami")
    for numeral in "一二三四五六七八九十":
        product.name_zh = f"梅河大米{numeral}号"
        db.session.commit()
        assert top_title() == product.name_zh
        with store.lease() as held:  # a long request holds its searcher across a write
            product.name_zh = f"梅河大米{numeral}号新米"
            db.session.commit()
            assert top_title() == product.name_zh  # new requests see the write at once
            assert not held.closed
            assert held.searcher.doc_count() > 0  # and the holder's searcher still works
        assert held.closed  # out of date and idle: closed
    search.rebuild()
    assert top_title() == "梅河大米十号新米"

    assert len(leases) >= 20
    assert all(lease.users == 0 for lease in leases)
    open_leases = [lease for lease in leases if not lease.closed]
    assert len(open_leases) == 1
    assert open_leases[0].is_current(store.current_name())


def mapped_index_files(root: Path) -> list[str]:
    gc.collect()
    maps = Path("/proc/self/maps").read_text().splitlines()
    return sorted({line.split(None, 5)[5] for line in maps if str(root) in line})


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/self/maps")
def test_searches_and_writes_do_not_pile_up_open_index_files(sample):
    product = get(GIProduct, "meihe-dami")
    for round_ in range(12):
        product.summary = f"第{round_}次修改"
        db.session.commit()
        with whoosh_store().lease():
            hits("梅河大米")
            product.summary = f"第{round_}次再改"
            db.session.commit()
            hits("梅河大米")
    search.rebuild()
    assert hits("梅河大米")[:1] == ["product:meihe-dami"]
    store = whoosh_store()
    live = str(store.root / store.current_name())
    mapped = mapped_index_files(store.root)
    assert mapped, "the live searcher maps its segment"
    # Segments merged away, and whole generations replaced, are no longer held open.
    assert all(m.startswith(live) and "(deleted)" not in m for m in mapped), mapped


def test_a_second_rebuild_at_the_same_time_is_refused(reg):
    store = whoosh_store()
    with store.rebuild_marker():
        assert store.rebuilding()
        with pytest.raises(search.RebuildRunning):
            search.rebuild()
    assert not store.rebuilding()


def test_a_marker_left_by_a_killed_rebuild_does_not_block_drains(reg):
    store = whoosh_store()
    store.root.mkdir(parents=True, exist_ok=True)
    # What a rebuild killed with SIGKILL leaves: the marker, and a lock nobody holds any more.
    store.marker.write_text('{"pid": 999999, "started": 0}')
    store.rebuild_lock_path.touch()
    assert not store.rebuilding()
    load(products=[f.product("after-kill", name_zh="灵泉小米")])
    assert pending() == 0
    assert "product:after-kill" in hits("灵泉小米")


def test_moving_a_protection_reindexes_both_products(reg):
    load(
        products=[
            f.product("from-rice", name_zh="迁出大米", protections=[f.protection(kind="agri_gi")]),
            f.product("to-rice", name_zh="迁入大米"),
        ]
    )
    moved = db.session.scalar(sa.select(Protection))
    moved.product_id = get(GIProduct, "to-rice").id
    db.session.commit()
    assert pending() == 0
    assert search.check(sample=1000).ok
    assert hits("大米", protection="agri_gi") == ["product:to-rice"]


def test_init_db_fills_an_index_that_is_empty_while_the_registry_is_not(sample_app):
    """An index built before the data arrived (or by hand) is rebuilt by init-db."""
    from gi_registry.cli import init_database

    with sample_app.test_request_context():
        search.engine().replace_all(DocumentList([]))
        assert search.search("梅河大米").total == 0
        init_database()
        assert "product:meihe-dami" in hits("梅河大米")


def test_init_db_rebuilds_a_lost_index_and_searches_create_none(sample_app):
    import shutil

    from gi_registry.cli import init_database

    with sample_app.test_request_context():
        shutil.rmtree(whoosh_store().root)
        with pytest.raises(search.SearchUnavailable):
            search.search("梅河大米")
        with pytest.raises(search.SearchUnavailable):
            search.suggest("梅河")
        assert not whoosh_store().root.exists()
        init_database()
        assert "product:meihe-dami" in hits("梅河大米")
