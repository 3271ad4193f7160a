"""Public pages under a real server: throughput against a bare Flask hello, and Lighthouse scores.

Run: python bench/pages.py [--seconds 10] [--rounds 3] [--connections 8] [--no-lighthouse]

Both applications run under gunicorn with 2 sync workers (the deployment this project documents), on
the sample data (SQLite and a Whoosh index in a temporary instance folder). Load comes from `wrk`
(Debian package `wrk`), 8 connections on one thread, so the load generator takes as little of the two
cores as possible. Each figure is the median of ``--rounds`` runs; the hello app is measured in the same
run, and each page is printed as a ratio of it.

Lighthouse (npm package `lighthouse`, run through npx with Debian's Chromium, mobile preset) scores the
home page, the product list and a product page. It is installed on first use into ``bench/.npm``
(git-ignored); ``--no-lighthouse`` skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NPM_PREFIX = REPO / "bench" / ".npm"
LIGHTHOUSE_VERSION = "13.5.0"
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOAL_PRODUCT_RATIO = 0.35

HELLO_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], cwd: Path, workers: int = 2):
    port = free_port()
    # As a deployment would: the public address set, so canonical and Open Graph URLs are absolute.
    env = {**env, "GI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    command = [
        sys.executable, "-m", "gunicorn", app_spec,
        "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def prepare_instance(instance: Path) -> dict[str, str]:
    """A sample instance (SQLite, Whoosh index) and the environment that points an app at it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GI_")}
    env["GI_INSTANCE_PATH"] = str(instance)
    flask = [sys.executable, "-m", "flask", "--app", "gi_registry"]
    subprocess.run([*flask, "load-sample"], env=env, cwd=REPO, check=True, capture_output=True)
    return env


def sample_paths(env: dict[str, str]) -> dict[str, str]:
    """The pages to measure, picked from the sample data so that they exist."""
    code = (
        "from gi_registry import create_app\n"
        "from gi_registry.catalog import queries\n"
        "from gi_registry.extensions import db\n"
        "from gi_registry.models import Authorization, GIProduct\n"
        "import json, sqlalchemy as sa\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    slug = db.session.scalar(queries.public_products()"
        ".where(GIProduct.protections.any()).order_by(GIProduct.slug).limit(1)"
        ".with_only_columns(GIProduct.slug))\n"
        "    token = db.session.scalar(sa.select(Authorization.verify_token)"
        ".where(Authorization.status == 'active').order_by(Authorization.id).limit(1))\n"
        "    print(json.dumps({'slug': slug, 'token': token}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, check=True, capture_output=True, text=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    paths = {
        "home": "/",
        "product list": "/products",
        "product page": f"/products/{found['slug']}",
    }
    if found.get("token"):
        paths["verification"] = f"/verify/{found['token']}"
    return paths


def warm_up(base: str, paths: dict[str, str]) -> dict[str, str]:
    """Fill both workers' caches; a page this build does not serve yet is left out, and said so."""
    served = {}
    for name, path in paths.items():
        try:
            for _ in range(4):
                urllib.request.urlopen(base + path, timeout=10).read()
        except urllib.error.HTTPError as error:
            print(f"skipped {name} ({path}): HTTP {error.code}", file=sys.stderr)
            continue
        served[name] = path
    return served


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = WRK_ERRORS.search(out)
    if errors and int(errors.group(1)):
        raise RuntimeError(f"{url}: {errors.group(1)} responses were not 2xx/3xx")
    return float(WRK_RATE.search(out).group(1))


def throughput(args, base: str, hello: str, paths: dict[str, str]) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {"hello": []}
    rates.update({name: [] for name in paths})
    for _ in range(args.rounds):
        # Interleaved, so that a slow minute of the machine hits every figure alike.
        rates["hello"].append(wrk(hello + "/", args.seconds, args.connections))
        for name, path in paths.items():
            rates[name].append(wrk(base + path, args.seconds, args.connections))
    return rates


def lighthouse(url: str) -> dict[str, int]:
    binary = NPM_PREFIX / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund",
             f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True, capture_output=True,
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [
                str(binary), url, "--quiet", "--output=json", f"--output-path={report}",
                f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
                "--form-factor=mobile", "--screenEmulation.mobile",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
                "--disable-background-networking --disable-component-update --disable-sync --no-first-run",
            ],
            check=True, capture_output=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
        )  # fmt: skip
        data = json.loads(report.read_text())
    for name in LIGHTHOUSE_CATEGORIES:
        for ref in data["categories"][name]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                print(f"  {url}: {name}: {ref['id']} ({audit['score']:.2f})", file=sys.stderr)
    return {name: round(data["categories"][name]["score"] * 100) for name in LIGHTHOUSE_CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = prepare_instance(tmp_path / "instance")
        paths = sample_paths(env)
        (tmp_path / "hello_app.py").write_text(HELLO_APP)
        hello_env = {**env, "PYTHONPATH": str(tmp_path)}
        with (
            gunicorn("hello_app:app", hello_env, tmp_path) as hello,
            gunicorn("gi_registry:create_app()", env, REPO) as base,
        ):
            paths = warm_up(base, paths)
            rates = throughput(args, base, hello, paths)
            scores = {}
            if not args.no_lighthouse:
                for name in ("home", "product list", "product page"):
                    scores[name] = lighthouse(base + paths[name])
    report(args, rates, scores)
    return 0


def report(args, rates: dict[str, list[float]], scores: dict[str, dict[str, int]]) -> None:
    hello = statistics.median(rates["hello"])
    print(
        f"## Throughput (gunicorn, 2 sync workers; wrk 1 thread, {args.connections} connections,"
        f" {args.seconds} s x {args.rounds} rounds; medians)"
    )
    header = "| page | req/s | ratio to hello |"
    if scores:
        header += " " + " | ".join(f"Lighthouse {c}" for c in LIGHTHOUSE_CATEGORIES) + " |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    blanks = " |" * len(LIGHTHOUSE_CATEGORIES) if scores else ""
    print(f"| hello (bare Flask) | {hello:,.0f} | 1.00 |{blanks}")
    for name, values in rates.items():
        if name == "hello":
            continue
        rate = statistics.median(values)
        row = f"| {name} | {rate:,.0f} | {rate / hello:.2f} |"
        if scores:
            row += "".join(
                f" {scores[name][c]} |" if name in scores else " |" for c in LIGHTHOUSE_CATEGORIES
            )
        print(row)
    product = statistics.median(rates["product page"]) / hello
    verdict = "met" if product >= GOAL_PRODUCT_RATIO else "not met"
    print(f"\nproduct page / hello = {product:.2f} (goal ≥ {GOAL_PRODUCT_RATIO:.2f}: {verdict})")
    if scores:
        print(
            "Lighthouse goals (mobile): ≥ 95 performance, best practices, SEO; ≥ 98 accessibility"
        )


if __name__ == "__main__":
    sys.exit(main())
