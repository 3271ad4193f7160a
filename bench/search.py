"""Search at national scale: rebuild, query, suggest and commit-to-searchable, against SQLite FTS5.

    python bench/search.py                       # 15,000 products, 10,000 producers, 100,000 listings
    python bench/search.py --products 1500 --producers 1000 --listings 10000   # a quick run
    python bench/search.py --documents 25000     # the same mix scaled to ≈25,000 public documents
    python bench/search.py --database-url postgresql+psycopg://postgres@127.0.0.1/gi_bench
    python bench/search.py --listings 148000 --instance /tmp/inst     # keep what it built, then
    python bench/search.py --instance /tmp/inst --reuse --slowest 20  # time queries only, again

Generates the synthetic corpus (bench/corpus.py) into a fresh database, rebuilds the index with
``flask search rebuild``'s code path, then times warm queries through ``search.search`` (engine,
database visibility check and highlights) and ``search.suggest``. The baseline is SQLite FTS5 with
the trigram tokenizer over the same documents and queries, built and queried in the same run; our
figures are printed as ratios to it. Medians and p95 over every query after one warm-up pass.
The rebuild is also compared with its floor: a bare Whoosh index of the same document texts
(bench/whoosh_floor.py), built in the same run.

``--reuse`` times the same queries (same seed, same corpus) on the corpus, index and FTS5 file that an
earlier run left in ``--instance``: no generation, rebuild, floor or commit rounds, so code versions can
be timed back to back on one index (the commit rounds of the first run edited 30 listing titles).
"""

from __future__ import annotations

import argparse
import cProfile
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The checkout this script is in, not whichever one the virtualenv installed (a worktree's run
# would otherwise time main's code).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from corpus import generate
from fts5_baseline import Fts5Baseline
from timing import percentile, timed
from whoosh_floor import build_floor

from gi_registry import create_app, search
from gi_registry.cli import init_database
from gi_registry.extensions import db
from gi_registry.models import Category, GIProduct, Listing, Region
from gi_registry.placenames import short_region_name
from gi_registry.search import text
from gi_registry.search.documents import KINDS, load_documents, visible_ids


def query_set(rng: random.Random, size: int) -> list[tuple[str, str, dict]]:
    """(type, text, filters): names, partials, pinyin, initials, regions, two words, facet filters."""
    names = list(
        db.session.scalars(sa.select(GIProduct.name_zh).where(GIProduct.status == "published"))
    )
    counties = list(db.session.scalars(sa.select(Region.name).where(Region.level == "county")))
    prefectures = list(
        db.session.scalars(sa.select(Region.name).where(Region.level == "prefecture"))
    )
    categories = list(db.session.execute(sa.select(Category.code, Category.name_zh)))
    nouns = ["大米", "人参", "木耳", "苹果", "绿茶", "黄牛", "蜂蜜", "葡萄", "小米", "枸杞"]
    out: list[tuple[str, str, dict]] = []
    for i in range(size):
        kind = i % 8
        name = rng.choice(names)
        syllables = text.syllables_of(text.fold(name))
        if kind == 0:
            out.append(("name", name, {}))
        elif kind == 1:
            start = rng.randrange(max(1, len(name) - 1))
            out.append(("partial", name[start : start + 2], {}))
        elif kind == 2:
            out.append(("pinyin", "".join(syllables), {}))
        elif kind == 3:
            out.append(("initials", "".join(s[0] for s in syllables), {}))
        elif kind == 4:
            region = rng.choice(prefectures if rng.random() < 0.5 else counties)
            out.append(("region", short_region_name(region), {}))
        elif kind == 5:
            region = short_region_name(rng.choice(prefectures))
            out.append(("two words", f"{region} {rng.choice(nouns)}", {}))
        elif kind == 6:
            code, _label = rng.choice(categories)
            out.append(("facet filter", rng.choice(nouns), {"category": code}))
        else:
            out.append(("name", name[:-1] + "的" if rng.random() < 0.3 else name, {}))
    return out


def suggest_set(rng: random.Random, size: int) -> list[str]:
    names = list(db.session.scalars(sa.select(GIProduct.name_zh)))
    out = []
    for i in range(size):
        name = rng.choice(names)
        syllables = text.syllables_of(text.fold(name))
        if i % 3 == 0:
            out.append(name[: rng.randint(1, 3)])
        elif i % 3 == 1:
            out.append("".join(syllables)[: rng.randint(2, 6)])
        else:
            out.append("".join(s[0] for s in syllables)[: rng.randint(2, 3)])
    return out


def built_documents() -> list[dict]:
    """The documents the rebuild indexes, from the project's own builder (outside any timing)."""
    out = []
    for kind in KINDS:
        ids = visible_ids(db.session, kind)
        for start in range(0, len(ids), 1000):
            docs, _ = load_documents(db.session, kind, ids[start : start + 1000])
            db.session.expunge_all()
            out.extend(docs)
    return out


def fts5_documents(documents: list[dict]):
    for doc in documents:
        body = "\n".join(doc.get(f, "") for f in ("name", "en", "regions", "category_text", "body"))
        yield {
            "key": doc["key"], "kind": doc["kind"], "title": doc["title"], "text": body,
            "category": doc.get("category", ""), "regions": doc.get("region", ""),
        }  # fmt: skip


def commit_to_searchable(rng: random.Random, rounds: int) -> list[float]:
    """Edit one published listing's title, commit (the drain runs inside), poll until searchable."""
    ids = visible_ids(db.session, "listing")[:5000]  # indexed ones: public producer and product
    out = []
    for i in range(rounds):
        listing = db.session.get(Listing, rng.choice(ids))
        marker = f"基准{i:03d}号"
        listing.title = f"{listing.title[:100]} {marker}"
        started = time.perf_counter()
        db.session.commit()
        while not any(hit.kind == "listing" for hit in search.search(marker, kind="listing").items):
            if time.perf_counter() - started > 10:
                raise RuntimeError(f"{marker} not searchable after 10 s")
            time.sleep(0.002)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=15000)
    parser.add_argument("--producers", type=int, default=10000)
    parser.add_argument("--listings", type=int, default=100000)
    parser.add_argument(
        "--documents",
        type=int,
        help="scale products, producers and listings to about this many public documents",
    )
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument(
        "--database-url", default=None, help="default: SQLite in a temporary folder"
    )
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--instance", help="keep the instance here (default: a temporary folder)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time queries and suggestions only, on the corpus, index and FTS5 file an earlier run"
        " left in --instance (no generation, rebuild, floor or commit rounds)",
    )
    parser.add_argument("--profile", help="also write a cProfile of one pass of the queries here")
    parser.add_argument("--slowest", type=int, default=0, help="list this many slowest queries")
    args = parser.parse_args()
    if args.reuse and not args.instance:
        parser.error("--reuse needs --instance")
    if args.documents:
        # The default mix gives 84,915 public documents from 125,000 rows.
        scale = args.documents / 84915
        args.products, args.producers = round(15000 * scale), round(10000 * scale)
        args.listings = round(100000 * scale)
    rng = random.Random(20261125)
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(args.instance or tmp)
        config = {"INSTANCE_PATH": str(instance), "SEARCH_DRAIN_ON_COMMIT": False}
        config["SERVER_NAME"] = "bench.local"
        if args.database_url:
            config["DATABASE_URL"] = args.database_url
        app = create_app(config)
        with app.app_context(), app.test_request_context():
            run(app, args, rng, instance)


def run(app, args, rng: random.Random, tmp: Path) -> None:
    print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    if args.reuse:
        # The same seed draws the same queries from the same corpus as the run that built it.
        time_queries(args, rng, Fts5Baseline(tmp / "fts5.sqlite"))
        return
    fts = build(args, tmp)
    time_queries(args, rng, fts)
    app.config["SEARCH_DRAIN_ON_COMMIT"] = True
    c2s = commit_to_searchable(rng, 30)
    print("\n## Commit to searchable (one edited listing, 30 rounds)")
    print(
        f"p50 {statistics.median(c2s):.0f} ms, p95 {percentile(c2s, 0.95):.0f} ms (goal: no worse than before)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {rss:.0f} MiB")


def build(args, tmp: Path) -> Fts5Baseline:
    """Generate the corpus, rebuild the index and time it against the floor and FTS5."""
    init_database()
    started = time.perf_counter()
    counts = generate(
        db.session, products=args.products, producers=args.producers, listings=args.listings
    )
    db.session.commit()
    print(f"corpus generated in {time.perf_counter() - started:.1f} s: {counts}")

    report = search.rebuild(procs=args.procs)
    index_bytes = sum(f.stat().st_size for f in (tmp / "search").rglob("*") if f.is_file())
    docs = report.total
    print("\n## Rebuild")
    print(f"{docs:,} documents ({report.counts}) in {report.seconds:.1f} s = {docs / report.seconds:,.0f} docs/s,"
          f" index {index_bytes / 2**20:.0f} MiB, procs={args.procs}")  # fmt: skip

    documents = built_documents()  # outside the timing: the baselines are timed on their own work
    floor_seconds = build_floor(documents, tmp / "floor", procs=args.procs)
    floor_bytes = sum(f.stat().st_size for f in (tmp / "floor").rglob("*") if f.is_file())
    shutil.rmtree(tmp / "floor")
    print(f"bare Whoosh floor (same texts, bigrams, procs={args.procs}, multisegment): "
          f"{floor_seconds:.1f} s, {floor_bytes / 2**20:.0f} MiB"
          f" → rebuild / floor **{report.seconds / floor_seconds:.2f}** (goal ≤ 1.8)")  # fmt: skip
    fts = Fts5Baseline(tmp / "fts5.sqlite")
    fts_seconds = fts.build(list(fts5_documents(documents)))
    del documents
    print(f"FTS5 trigram baseline: built in {fts_seconds:.1f} s, {fts.size_bytes() / 2**20:.0f} MiB"
          f" → rebuild ratio {report.seconds / fts_seconds:.2f}×")  # fmt: skip

    return fts


def time_queries(args, rng: random.Random, fts: Fts5Baseline) -> None:
    queries = query_set(rng, args.queries)

    def ours(item):
        _type, q, filters = item
        search.search(q, filters=search.Filters(**filters))

    def theirs(item):
        _type, q, filters = item
        fts.search(text.fold(q), category=filters.get("category"))

    timed(ours, queries), timed(theirs, queries)  # warm-up: caches, page cache, searcher
    if args.profile:  # a separate pass, so the profiler's overhead stays out of the figures
        profiler = cProfile.Profile()
        profiler.runcall(timed, ours, queries)
        profiler.dump_stats(args.profile)
    our_ms, fts_ms = timed(ours, queries), timed(theirs, queries)
    print(
        f"\n## Queries ({len(queries)} mixed, warm, through search.search with facets and highlights)"
    )
    print("| query type | n | ours p50 | ours p95 | FTS5 p50 | FTS5 p95 |")
    print("|---|---|---|---|---|---|")
    for kind in dict.fromkeys(t for t, _q, _f in queries):
        idx = [i for i, (t, _q, _f) in enumerate(queries) if t == kind]
        o, f = [our_ms[i] for i in idx], [fts_ms[i] for i in idx]
        print(f"| {kind} | {len(idx)} | {statistics.median(o):.1f} | {percentile(o, .95):.1f} "
              f"| {statistics.median(f):.1f} | {percentile(f, .95):.1f} |")  # fmt: skip
    o50, o95 = statistics.median(our_ms), percentile(our_ms, 0.95)
    f50, f95 = statistics.median(fts_ms), percentile(fts_ms, 0.95)
    print(f"| **all** | {len(queries)} | **{o50:.1f}** | **{o95:.1f}** | {f50:.1f} | {f95:.1f} |")
    print(f"ratio to FTS5: p50 {o50 / f50:.2f}×, p95 {o95 / f95:.2f}×  (goal: p95 ≤ 30 ms)")
    for ms, (kind, q, filters) in sorted(zip(our_ms, queries, strict=True), reverse=True)[
        : args.slowest
    ]:
        print(f"  {ms:7.1f} ms  {kind:<12} {q} {filters or ''}")

    prefixes = suggest_set(rng, args.queries)
    timed(search.suggest, prefixes)
    sug_ms = timed(search.suggest, prefixes)
    print(f"\n## Suggest ({len(prefixes)} prefixes: Han, pinyin, initials)")
    print(
        f"p50 {statistics.median(sug_ms):.2f} ms, p95 {percentile(sug_ms, 0.95):.2f} ms (goal: p95 ≤ 3 ms)"
    )


if __name__ == "__main__":
    main()
