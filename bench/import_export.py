"""Import and export throughput of the interchange format, on SQLite and (when reachable) PostgreSQL.

Run: python bench/import_export.py [--products 500 5000] [--repeat 3] [--postgresql URL]

Each figure is the median of --repeat runs on a fresh database. The baseline, measured in the same run on the
same database, is the least the database can do with the same rows: one executemany INSERT of the product
rows through SQLAlchemy Core with no validation, relations or derived fields. Ratios are ours / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gi_registry import create_app
from gi_registry.cli import init_database
from gi_registry.extensions import db
from gi_registry.interchange import export_document, import_document
from gi_registry.models import GIProduct

COUNTIES = ["220581", "220582", "220112", "222401", "220621", "220802", "220221", "220283"]
CATEGORIES = ["grain", "beans", "medicinal", "fruit", "fungi", "beverage"]


def document(n: int) -> dict:
    products = []
    for i in range(n):
        products.append(
            {
                "slug": f"bench-{i:06d}",
                "name_zh": f"测试地标产品{i}",
                "name_en": None,
                "aliases": [f"别名{i}"],
                "category": CATEGORIES[i % len(CATEGORIES)],
                "region_codes": [COUNTIES[i % len(COUNTIES)], COUNTIES[(i + 3) % len(COUNTIES)]],
                "summary": "产于吉林省的测试产品。" * 3,
                "description": "## 介绍\n\n" + "测试文字。" * 40,
                "scope": "吉林省测试县现辖行政区域",
                "quality_requirements": "",
                "protections": [
                    {
                        "kind": "gi_product",
                        "authority": "测试机关",
                        "number": None,
                        "applied_on": None,
                        "approved_on": "2010",
                        "status": "approved",
                        "holder": None,
                        "source_url": "https://example.org/x",
                        "note": None,
                    }
                ],
                "programmes": [],
                "status": "published",
                "sources": [
                    {
                        "url": "https://example.org/x",
                        "title": "测试来源",
                        "confidence": "weak",
                        "note": None,
                    }
                ],
            }
        )
    return {"format": "gi-registry/1", "products": products}


class Backend:
    def __init__(self, name: str, admin_url: str | None):
        self.name, self.admin_url, self.count = name, admin_url, 0

    def fresh_app(self, folder: Path):
        self.count += 1
        instance = folder / f"{self.name}-{self.count}"
        instance.mkdir()
        if self.name == "sqlite":
            url = "sqlite:///" + str(instance / "bench.sqlite")
        else:
            dbname = f"gi_bench_{os.getpid()}_{self.count}"
            with sa.create_engine(
                self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
            ).connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
            url = (
                sa.engine.make_url(self.admin_url)
                .set(database=dbname)
                .render_as_string(hide_password=False)
            )
        app = create_app(
            {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "SECRET_KEY": "bench"}
        )
        with app.app_context():
            init_database()
        return app

    def drop(self, app) -> None:
        with app.app_context():
            db.engine.dispose()
        if self.name == "postgresql":
            dbname = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
            with sa.create_engine(
                self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
            ).connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{dbname}" WITH (FORCE)'))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def baseline_insert(doc: dict) -> None:
    table = GIProduct.__table__
    now = sa.func.now()
    rows = [
        {
            "slug": p["slug"],
            "name_zh": p["name_zh"],
            "name_pinyin": "",
            "name_initials": "",
            "aliases": p["aliases"],
            "category_id": 1,
            "summary": p["summary"],
            "description": p["description"],
            "scope": p["scope"],
            "quality_requirements": "",
            "programmes": [],
            "sources": p["sources"],
            "status": "published",
        }
        for p in doc["products"]
    ]
    with db.engine.begin() as conn:
        conn.execute(table.insert().values(created_at=now, updated_at=now), rows)


def measure(backend: Backend, n: int, repeat: int, folder: Path) -> dict[str, list[float]]:
    doc = document(n)
    figures: dict[str, list[float]] = {
        k: [] for k in ("baseline", "validate", "import", "reimport", "changed", "export")
    }
    for _ in range(repeat):
        app = backend.fresh_app(folder)
        with app.app_context():
            figures["baseline"].append(timed(lambda: baseline_insert(doc)))
        backend.drop(app)
        app = backend.fresh_app(folder)
        with app.app_context():
            bad = json.loads(json.dumps(doc))
            bad["products"][n // 2]["region_codes"] = ["229999"]
            figures["validate"].append(timed(lambda bad=bad: import_document(bad)))
            figures["import"].append(timed(lambda: import_document(doc)))
            figures["reimport"].append(timed(lambda: import_document(doc)))
            changed = json.loads(json.dumps(doc))
            for product in changed["products"]:
                product["summary"] += "（已修订）"
            figures["changed"].append(timed(lambda changed=changed: import_document(changed)))
            figures["export"].append(timed(export_document))
            assert len(export_document()["products"]) == n
        backend.drop(app)
    return figures


def report(backend: str, n: int, figures: dict[str, list[float]]) -> None:
    base = statistics.median(figures["baseline"])
    print(f"\n{backend}, {n} products (median of {len(figures['baseline'])} runs)")
    print(f"  {'step':<34}{'seconds':>9}{'products/s':>12}{'× baseline':>12}")
    labels = {
        "baseline": "baseline: bare executemany INSERT",
        "validate": "validate (one bad row, nothing written)",
        "import": "import into an empty registry",
        "reimport": "re-import, nothing changed",
        "changed": "re-import, every summary changed",
        "export": "export to a document",
    }
    for key, label in labels.items():
        value = statistics.median(figures[key])
        print(f"  {label:<34}{value:>9.3f}{n / value:>12,.0f}{value / base:>12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--postgresql", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    backends = [Backend("sqlite", None)]
    try:
        with sa.create_engine(
            args.postgresql, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3}
        ).connect():
            backends.append(Backend("postgresql", args.postgresql))
    except sa.exc.OperationalError:
        print("PostgreSQL not reachable: SQLite only")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, SQLAlchemy {sa.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            for n in args.products:
                report(backend.name, n, measure(backend, n, args.repeat, Path(folder)))


if __name__ == "__main__":
    main()
