"""Compare Chinese analyzers for search: character bigrams against jieba (search mode + user dictionary).

    python bench/search_analyzers.py [--queries tests/search_queries.json]

Loads the shipped sample into a temporary instance, builds one index per analyzer from the same
documents, runs the labelled query set through the same query layer and prints recall@10 and MRR per
query type, with build time and index size. Needs the bench extra (``pip install -e '.[bench]'``).
Figures go to docs/search.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import jieba
import sqlalchemy as sa

from gi_registry import create_app
from gi_registry.cli import init_database
from gi_registry.extensions import db
from gi_registry.interchange.sample import load_sample
from gi_registry.models import Brand, GIProduct, Producer, Region
from gi_registry.search import query, text
from gi_registry.search.documents import KINDS, load_documents, visible_ids
from gi_registry.search.evaluation import evaluate, load_queries, table
from gi_registry.search.schema import build_schema
from gi_registry.search.store import IndexStore

ROOT = Path(__file__).resolve().parent.parent


class Lease:
    """What query.run needs: a searcher and a per-searcher cache."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.cache: dict = {}


def user_dictionary() -> list[str]:
    """The registry's own names, so jieba keeps 梅河大米 or 查干湖 whole."""
    names: set[str] = set()
    for model in (GIProduct, Brand, Producer):
        names.update(db.session.scalars(sa.select(model.name_zh)))
    for aliases in db.session.scalars(sa.select(GIProduct.aliases)):
        names.update(aliases)
    names.update(db.session.scalars(sa.select(Region.name)))
    return sorted(text.fold(n) for n in names if n)


def jieba_terms(word: str) -> list[str]:
    return list(dict.fromkeys(jieba.cut_for_search(word, HMM=True))) or [word]


def build(root: Path, segmenter: str) -> tuple[IndexStore, float, int]:
    store = IndexStore(root)
    name, ix = store.create_generation(build_schema(segmenter))
    started = time.perf_counter()
    writer = ix.writer()
    for kind in KINDS:
        docs, _gone = load_documents(db.session, kind, visible_ids(db.session, kind))
        for doc in docs:
            writer.add_document(**doc)
    writer.commit()
    store.swap(name)
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
    return store, seconds, size


def substring_queries(store: IndexStore) -> list[dict]:
    """Every inner 2-4 character piece of every indexed name, expecting that record: how a user
    types part of a name (额尔 for 额尔古纳), whether or not the segmenter knows the name."""
    queries = []
    with store.open_live().searcher() as searcher:
        for fields in searcher.documents():
            if fields["kind"] == "listing":
                continue
            name = text.fold(fields["title"]).split("（")[0]
            for size in (2, 3, 4):
                for start in range(1, len(name) - size + 1):
                    piece = name[start : start + size]
                    queries.append(
                        {"q": piece, "type": f"substring{size}", "expect": [fields["key"]]}
                    )
    return queries


def run_queries(store: IndexStore, queries: list[dict], by_id_keys: bool = False):
    latencies: list[float] = []
    with store.open_live().searcher() as searcher:
        lease = Lease(searcher)

        def ranked(q: str) -> list[str]:
            started = time.perf_counter()
            raw = query.run(lease, query.parse(q), query.Filters(), limit=10)
            latencies.append(time.perf_counter() - started)
            by_id = [h.fields["key"] for h in raw.hits]  # what the probes expect
            by_slug = [f"{h.fields['kind']}:{h.fields['slug']}" for h in raw.hits]
            return by_id if by_id_keys else by_slug

        result = evaluate(queries, ranked)
    return result, statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", default=str(ROOT / "tests" / "search_queries.json"))
    args = parser.parse_args()
    queries = load_queries(args.queries)
    jieba.setLogLevel(60)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "SEARCH_DRAIN_ON_COMMIT": False})
        with app.app_context():
            init_database()
            load_sample()
            # jieba runs twice: first with its own dictionary only (how it meets GI names it has never
            # seen, as in data from elsewhere), then with the registry's names added.
            runs = [("bigram", "bigram"), ("jieba", "jieba, no user dictionary")]
            runs.append(("jieba", "jieba + registry names"))
            for segmenter, label in runs:
                if label.startswith("jieba +"):
                    for name in user_dictionary():
                        jieba.add_word(name)
                query.han_terms = text.bigrams if segmenter == "bigram" else jieba_terms
                store, seconds, size = build(Path(tmp) / f"ix-{len(label)}", segmenter)
                if segmenter == "bigram":
                    probes = substring_queries(store)  # the same probes for every analyzer
                result, median_ms = run_queries(store, queries)
                inner, _ms = run_queries(store, probes, by_id_keys=True)
                print(f"\n### {label}: inner pieces of names ({len(probes)} probes)")
                print(table(inner))
                print(f"\n## {label}: build {seconds:.2f} s, {size / 1024:.0f} KiB, "
                      f"median query {median_ms:.2f} ms")  # fmt: skip
                print(table(result))
                for miss in result.misses:
                    if miss["recall"] < 1 or miss["rr"] < 0.5:
                        print(f"  miss [{miss['type']}] {miss['q']} → {miss['got'][:3]}")
            query.han_terms = text.bigrams


if __name__ == "__main__":
    main()
