"""Matching (产销对接) at national scale: top-20 latency at two table sizes, beside a listing page.

    python bench/matching.py                  # quick: 10,000 then 100,000 listings, 10,000 producers
    python bench/matching.py --full           # the goal's sizes: 100,000 then 1,000,000 listings,
                                              # 100,000 producers (a few minutes, ≈1.5 GB of SQLite)
    python bench/matching.py --database-url postgresql+psycopg://postgres@127.0.0.1/gi_bench_matching

Generates synthetic organisations, products and listings straight into a fresh database (Core
executemany in chunks, not the ORM one by one), to the first size; times matching for a fixed set of
listings; grows the table to the second size and times the same listings again. Each round also
times a listing-detail request (test client GET of the public listing page, with the answer store
off so that every request builds the page) and the matches API, in the same run, so a slow minute of
the machine hits every figure alike; on SQLite the two sizes are two database files (the larger a
copy of the smaller, grown), measured in turns. Figures are medians and p95 over every call after a
warm-up pass. The listing page is measured without its match section (the thing measured beside it).

The data is shaped like a real board: product popularity follows a Zipf law (the busiest product
holds ≈5 % of the listings, tens of thousands at 10^6), supply is mostly posted near the product's
home province and demand anywhere, 85 % of listings are published and some windows have ended.
Half of the timed listings are of the busiest product (the hard case), half are drawn at random.

Goals (issue 12): p95 ≤ 50 ms at the larger size; p95 at the larger size within 1.5× of p95 at the
smaller (candidates come from indexes, not scans); matching p95 within 5× of the detail request.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# The checkout this script is in, not whichever one the virtualenv installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from timing import percentile, timed

from gi_registry import create_app
from gi_registry.cli import init_database
from gi_registry.extensions import db
from gi_registry.listings.views import PAGE_EXTRAS
from gi_registry.localtime import local_today
from gi_registry.matching.hooks import page_matches
from gi_registry.matching.matches import find_matches
from gi_registry.models import Authorization, Category, GIProduct, Listing, Producer, Region

CHUNK = 10000
SEED = 20261129
GOAL_P95_MS = 50.0
GOAL_GROWTH = 1.5
GOAL_DETAIL_RATIO = 5.0
NOW = datetime.now(UTC)
UNITS = [("吨", "元/公斤"), ("公斤", "元/公斤"), ("箱", "元/箱")]
STATUSES = (["published"] * 85) + ["draft"] * 5 + ["pending"] * 3 + ["closed"] * 4 + ["expired"] * 3


def insert_chunks(table: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            db.session.execute(sa.insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        db.session.execute(sa.insert(table), batch)
        count += len(batch)
    return count


class World:
    """What the generator draws from: counties by province, products with a home province and a
    Zipf weight, producers by province."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.counties = list(
            db.session.scalars(sa.select(Region.code).where(Region.level == "county"))
        )
        self.by_province: dict[str, list[str]] = {}
        for code in self.counties:
            self.by_province.setdefault(code[:2], []).append(code)
        self.categories = list(db.session.scalars(sa.select(Category.id)))
        self.products: list[tuple[int, int, str]] = []  # (id, category id, home province)
        self.weights: list[float] = []
        self.producers: list[tuple[int, str]] = []  # (id, region)
        self.producers_by_province: dict[str, list[tuple[int, str]]] = {}
        self.serial = 0

    def add_products(self, n: int) -> None:
        rng, rows, homes = self.rng, [], []
        for i in range(n):
            home = rng.choice(self.counties)
            homes.append(home[:2])
            rows.append(
                {
                    "slug": f"bench-product-{i}",
                    "name_zh": f"测试产品{i}",
                    "name_pinyin": f"ceshichanpin{i}",
                    "name_initials": "cscp",
                    "aliases": [],
                    "programmes": [],
                    "sources": [],
                    "category_id": rng.choice(self.categories),
                    "status": "published",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
        insert_chunks(GIProduct.__table__, iter(rows))
        found = db.session.execute(
            sa.select(GIProduct.slug, GIProduct.id, GIProduct.category_id)
        ).all()
        ids = {slug: (pid, cat) for slug, pid, cat in found}
        for i, home in enumerate(homes):
            pid, cat = ids[f"bench-product-{i}"]
            self.products.append((pid, cat, home))
            self.weights.append(1 / (i + 1) ** 0.8)  # Zipf: product 0 is the busiest

    def add_producers(self, n: int) -> None:
        rng, start = self.rng, len(self.producers)
        regions = [rng.choice(self.counties) for _ in range(n)]
        rows = (
            {
                "slug": f"bench-org-{start + i}",
                "name_zh": f"测试合作社{start + i}",
                "name_pinyin": "",
                "name_initials": "",
                "credit_code": f"93{start + i:015d}X",
                "kind": "cooperative",
                "region_code": region,
                "address": "",
                "phone": "",
                "website": "",
                "description": "",
                "verified": rng.random() < 0.4,
                "contact_name": "",
                "contact_phone": "",
                "contact_email": "",
                "licence_file": "",
                "status_reason": "",
                "sample": True,
                "status": "active" if rng.random() < 0.95 else "suspended",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i, region in enumerate(regions)
        )
        insert_chunks(Producer.__table__, rows)
        found = dict(
            db.session.execute(
                sa.select(Producer.slug, Producer.id).where(Producer.slug.like("bench-org-%"))
            ).all()
        )
        for i, region in enumerate(regions):
            pid = found[f"bench-org-{start + i}"]
            self.producers.append((pid, region))
            self.producers_by_province.setdefault(region[:2], []).append((pid, region))

    def add_authorizations(self) -> None:
        """One in twenty organisations holds an authorisation for one of the first 200 products."""
        pairs = {
            (pid, self.products[self.rng.randrange(min(200, len(self.products)))][0])
            for pid, _ in self.producers[:: 20]
        }  # fmt: skip
        rows = (
            {"producer_id": producer, "product_id": product, "status": "active",
             "verify_token": f"bench{producer:010d}{product:08d}", "created_at": NOW,
             "updated_at": NOW}
            for producer, product in pairs
        )  # fmt: skip
        insert_chunks(Authorization.__table__, rows)

    def listing(self, product_index: int) -> dict[str, Any]:
        rng = self.rng
        self.serial += 1
        product_id, category_id, home = self.products[product_index]
        kind = "supply" if rng.random() < 0.6 else "demand"
        near = self.producers_by_province.get(home)
        if kind == "supply" and near and rng.random() < 0.7:
            producer_id, region = rng.choice(near)
        else:
            producer_id, region = rng.choice(self.producers)
        unit, price_unit = rng.choice(UNITS)
        low = Decimal(rng.randrange(200, 3000)) / 100
        start = local_today() + timedelta(days=rng.randrange(-200, 100))
        open_window = rng.random() < 0.1
        by_category = rng.random() < 0.1
        return {
            "slug": f"bench-{kind}-{self.serial}",
            "kind": kind,
            "producer_id": producer_id,
            "product_id": None if by_category else product_id,
            "category_id": category_id,
            "title": f"{'供应' if kind == 'supply' else '求购'}测试产品 {self.serial}",
            "description": "",
            "quantity": Decimal(rng.choice((1, 2, 5, 10, 20, 50, 100))),
            "unit": unit,
            "price_min": low if rng.random() < 0.8 else None,
            "price_max": (low * Decimal("1.2")).quantize(Decimal("0.01")),
            "price_unit": price_unit,
            "region_code": self.listing_region(region),
            "available_from": None if open_window else start,
            "available_to": None if open_window else start + timedelta(days=rng.randrange(30, 240)),
            "status": rng.choice(STATUSES),
            "status_reason": "",
            "published_at": NOW - timedelta(seconds=rng.randrange(365 * 86400)),
            "created_at": NOW,
            "updated_at": NOW,
            "version": 1,
        }

    def listing_region(self, region: str) -> str | None:
        """Most listings name their organisation's county; some name none, a few another county."""
        draw = self.rng.random()
        if draw < 0.05:
            return None
        return self.rng.choice(self.counties) if draw < 0.10 else region

    def add_listings(self, n: int) -> None:
        products = self.rng.choices(range(len(self.products)), weights=self.weights, k=n)
        insert_chunks(Listing.__table__, (self.listing(i) for i in products))


def analyze() -> None:
    """Planner statistics after a bulk load, as a deployment's VACUUM ANALYZE / ANALYZE would."""
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        # A bulk load leaves the WAL hundreds of MB long; a running site checkpoints it as it goes.
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()


def pick_sources(rng: random.Random, world: World, n: int) -> list[str]:
    """Half of the busiest product's public listings, half at random: slugs that stay public."""
    today = local_today()
    current = sa.and_(
        Listing.status == "published",
        sa.or_(Listing.available_to.is_(None), Listing.available_to >= today + timedelta(days=30)),
        Listing.producer.has(Producer.status == "active"),
    )
    busiest = world.products[0][0]
    hot = list(
        db.session.scalars(
            sa.select(Listing.slug).where(current, Listing.product_id == busiest).limit(2000)
        )
    )
    top = db.session.scalar(sa.select(sa.func.max(Listing.id)))
    anywhere: list[str] = []
    while len(anywhere) < n - n // 2:
        slug = db.session.scalar(
            sa.select(Listing.slug).where(current, Listing.id >= rng.randrange(1, top)).limit(1)
        )
        if slug:
            anywhere.append(slug)
    return rng.sample(hot, min(len(hot), n // 2)) + anywhere


class Stage:
    """One database at one size, and the figures measured on it."""

    def __init__(self, app, size: int):
        self.app, self.size = app, size
        self.client = app.test_client()
        self.results: dict[str, list[float]] = {
            "matching": [],
            "matches API": [],
            "listing page": [],
        }

    def match(self, slug: str) -> None:
        listing = db.session.scalar(sa.select(Listing).where(Listing.slug == slug))
        find_matches(listing)
        db.session.rollback()  # as a request's session ends: no identity map carried over

    def get(self, path: str) -> None:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    def warm_up(self, slugs: list[str]) -> None:
        """The caches a running worker would have: statements, pages of the database file."""
        with self.app.app_context():
            for slug in slugs:
                self.match(slug)
        for slug in slugs:
            self.get(f"/listings/{slug}")
            self.get(f"/api/v1/listings/{slug}/matches")

    def round(self, slugs: list[str]) -> None:
        with self.app.app_context():
            self.results["matching"] += timed(self.match, slugs)
        self.results["listing page"] += timed(self.get, [f"/listings/{s}" for s in slugs])
        api = [f"/api/v1/listings/{s}/matches" for s in slugs]
        self.results["matches API"] += timed(self.get, api)


def report_stage(size: int, results: dict[str, list[float]]) -> dict[str, float]:
    print(f"\n## {size:,} listings")
    print("| operation | calls | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    p95 = {}
    for name, values in results.items():
        p95[name] = percentile(values, 0.95)
        print(f"| {name} | {len(values)} | {statistics.median(values):.1f} | {p95[name]:.1f} |")
    return p95


def verdicts(small: int, large: int, first: dict[str, float], second: dict[str, float]) -> None:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    p95 = second["matching"]
    growth = p95 / first["matching"]
    ratio = p95 / second["listing page"]
    print(f"\nmatching p95 at {large:,}: {p95:.1f} ms (goal ≤ {GOAL_P95_MS:.0f} ms: "
          f"{met(p95 <= GOAL_P95_MS)})")  # fmt: skip
    print(f"p95 at {large:,} / p95 at {small:,} = {growth:.2f} (goal ≤ {GOAL_GROWTH}: "
          f"{met(growth <= GOAL_GROWTH)})")  # fmt: skip
    print(f"matching p95 / listing page p95 = {ratio:.2f} (goal ≤ {GOAL_DETAIL_RATIO:.0f}: "
          f"{met(ratio <= GOAL_DETAIL_RATIO)})")  # fmt: skip
    api = second["matches API"] / second["listing page"]
    print(f"matches API p95 / listing page p95 = {api:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full", action="store_true", help="10^5 then 10^6 listings, 10^5 producers"
    )
    parser.add_argument(
        "--listings", type=int, help="the larger size (default 100,000; --full 10^6)"
    )
    parser.add_argument("--producers", type=int, help="default: a tenth of --listings")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--sources", type=int, default=40, help="listings timed per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    # The baseline is the listing page as it would be without matching: its match section is the
    # very thing measured beside it.
    PAGE_EXTRAS.remove(page_matches)
    large = args.listings or (1_000_000 if args.full else 100_000)
    small = large // 10
    producers = args.producers or large // 10

    with tempfile.TemporaryDirectory(prefix="gi-bench-matching-") as tmp:
        config = {
            "INSTANCE_PATH": tmp,
            "SECRET_KEY": "bench",
            "ANSWER_CACHE_BYTES": 0,  # every page built, as on a first visit after a change
        }
        url = args.database_url or f"sqlite:///{tmp}/small.db"
        first = create_app({**config, "DATABASE_URL": url})
        rng = random.Random(SEED)
        with first.app_context():
            init_database()
            started = time.perf_counter()
            world = World(rng)
            world.add_products(args.products)
            world.add_producers(producers)
            world.add_authorizations()
            world.add_listings(small)
            db.session.commit()
            analyze()
            print(f"generated {args.products:,} products, {producers:,} producers, "
                  f"{small:,} listings in {time.perf_counter() - started:.1f} s")  # fmt: skip
            slugs = pick_sources(rng, world, args.sources)
        small_stage = Stage(first, small)
        if args.database_url:
            # One database, grown in place: the small size is measured before it grows.
            second = first
            measure([small_stage], slugs, args.rounds)
        else:
            second = create_app({**config, "DATABASE_URL": copy_sqlite(first, tmp)})
        with second.app_context():
            started = time.perf_counter()
            world.add_listings(large - small)
            db.session.commit()
            analyze()
            print(f"added {large - small:,} listings in {time.perf_counter() - started:.1f} s")
        large_stage = Stage(second, large)
        measure(
            [large_stage] if args.database_url else [small_stage, large_stage], slugs, args.rounds
        )
        figures = [report_stage(stage.size, stage.results) for stage in (small_stage, large_stage)]
        verdicts(small, large, *figures)
        for app in {first, second}:
            with app.app_context():
                db.engine.dispose()
    return 0


def copy_sqlite(app, folder: str) -> str:
    """A copy of the small database to grow, so both sizes are measured side by side, in turns."""
    target = Path(folder) / "large.db"
    with app.app_context():
        source = db.engine.raw_connection()
        try:
            with sqlite3.connect(target) as copy:
                source.driver_connection.backup(copy)
        finally:
            source.close()
    return f"sqlite:///{target}"


def measure(stages: list[Stage], slugs: list[str], rounds: int) -> None:
    """Rounds in turns over the stages, so that a slow minute of the machine hits both sizes."""
    for stage in stages:
        stage.warm_up(slugs)
    for _ in range(rounds):
        for stage in stages:
            stage.round(slugs)


if __name__ == "__main__":
    sys.exit(main())
