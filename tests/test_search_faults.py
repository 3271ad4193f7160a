"""Search survives its faults, tested with real processes on real folders.

- A lost or damaged index: pages say it is being rebuilt and offer browsing, the API answers 503
  with Retry-After, `flask search check` says what is wrong in one line, writes keep their outbox
  rows, and `flask search rebuild` (then `sync`) brings everything back. No request fails in between.
- A rebuild killed with SIGKILL while its helpers analyse documents: no helper survives, no lock
  is left held, the next write is searchable and the next rebuild succeeds.
- An outbox that is not being drained makes `flask search check` fail, saying how many rows wait.

The commands run as separate `flask` processes on the test's instance folder and database.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gi_registry import search
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import Category, GIProduct, SearchOutbox, now_utc, product_regions
from tests import factories as f

REPO = Path(__file__).resolve().parent.parent
BROWSE = ('href="/products"', 'href="/brands"', 'href="/producers"', 'href="/regions"')
REBUILDING = "搜索索引正在重建"

# ---- helpers ---------------------------------------------------------------------------------


def flask_env(app, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "GI_INSTANCE_PATH": app.instance_path,
        "GI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "GI_SECRET_KEY": "test-secret",
        **extra,
    }


def flask_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "gi_registry", *args]


def flask(app, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """Run a `flask` command in its own process, as an operator would."""
    return subprocess.run(
        flask_args(*args),
        env=flask_env(app, **extra),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def load(**kinds) -> None:
    report = import_document(f.document(**kinds))
    assert report.ok, report.issues


def pending() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))


def hits(query: str) -> list[str]:
    return [f"{h.kind}:{h.slug}" for h in search.search(query).items if not h.approximate]


def index_root(app) -> Path:
    return Path(app.config["SEARCH_INDEX_PATH"])


def live_generation(app) -> Path:
    root = index_root(app)
    return root / (root / "CURRENT").read_text().strip()


def halve(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


# What an operator may find: each leaves the database intact and the index unreadable.
DAMAGE = {
    "folder deleted": lambda app: shutil.rmtree(index_root(app)),
    "pointer to nothing": lambda app: (index_root(app) / "CURRENT").write_text("g1"),
    "truncated table of contents": lambda app: halve(next(live_generation(app).glob("*.toc"))),
    "truncated segment": lambda app: halve(
        max(live_generation(app).glob("*.seg"), key=lambda p: p.stat().st_size)
    ),
}


def assert_unavailable(client) -> None:
    page = client.get("/search?q=梅河大米")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert REBUILDING in html
    assert all(link in html for link in BROWSE), html
    assert 'value="梅河大米"' in html  # the query stays in the box
    for path in ("/api/v1/search?q=梅河", "/api/v1/suggest?q=mei"):
        response = client.get(path)
        assert response.status_code == 503, path
        body = response.get_json()
        assert body["error"]["status"] == 503
        assert REBUILDING in body["error"]["message"]
        assert int(response.headers["Retry-After"]) > 0


def assert_no_failure_while(process: subprocess.Popen, client) -> int:
    """Requests while ``process`` runs: pages always work, the API answers or asks to retry."""
    answered = 0
    while process.poll() is None:
        page = client.get("/search?q=梅河大米")
        assert page.status_code == 200
        api = client.get("/api/v1/search?q=梅河")
        assert api.status_code in (200, 503), api.get_data(as_text=True)
        if api.status_code == 503:
            assert api.headers["Retry-After"]
        answered += 1
    return answered


# ---- 1. a lost or damaged index --------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_lost_or_damaged_index_degrades_then_check_and_rebuild_restore_it(sample_app, damage):
    client = sample_app.test_client()
    damage(sample_app)
    assert_unavailable(client)

    with sample_app.test_request_context():
        load(products=[f.product("houlai-dami", name_zh="后来大米")])  # the write commits
        assert pending() > 0  # and its rows wait for the index to come back
        assert db.session.scalar(sa.select(GIProduct.id).where(GIProduct.slug == "houlai-dami"))

    check = flask(sample_app, "search", "check")
    assert check.returncode == 1
    assert check.stdout == ""
    lines = check.stderr.strip().splitlines()
    assert len(lines) == 1, check.stderr
    assert lines[0].startswith("搜索索引不可用：") and "flask search rebuild" in lines[0]

    rebuild = subprocess.Popen(
        flask_args("search", "rebuild"),
        env=flask_env(sample_app),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert_no_failure_while(rebuild, client)
    out, err = rebuild.communicate(timeout=300)
    assert rebuild.returncode == 0, err
    assert "已重建" in out

    sync = flask(sample_app, "search", "sync")
    assert sync.returncode == 0, sync.stderr
    with sample_app.test_request_context():
        assert pending() == 0
        assert hits("后来大米") == ["product:houlai-dami"]
        assert hits("梅河大米")[:1] == ["product:meihe-dami"]
    page = client.get("/search?q=后来大米").get_data(as_text=True)
    assert REBUILDING not in page and 'href="/products/houlai-dami"' in page
    assert client.get("/api/v1/suggest?q=mei").status_code == 200
    check = flask(sample_app, "search", "check")
    assert check.returncode == 0, check.stderr
    assert "索引与数据库一致" in check.stdout


def test_deleting_the_index_under_a_running_site_never_fails_a_request(sample_app):
    """The issue's scenario: the site has been serving searches when the folder goes."""
    client = sample_app.test_client()
    assert client.get("/api/v1/search?q=梅河").status_code == 200  # searchers are open
    shutil.rmtree(index_root(sample_app))
    assert_unavailable(client)
    rebuild = flask(sample_app, "search", "rebuild")
    assert rebuild.returncode == 0, rebuild.stderr
    item = client.get("/api/v1/search?q=梅河").get_json()["items"][0]
    assert (item["kind"], item["slug"]) == ("product", "meihe-dami")


# ---- 2. a rebuild killed outright ------------------------------------------------------------

BULK = 3000  # products: enough for the rebuild to fork its helpers and still be busy when killed


def add_products_behind_the_outbox(app, count: int) -> None:
    """A big registry, fast: Core inserts, which write no outbox rows (a rebuild indexes them)."""
    with app.app_context():
        grain = db.session.scalar(sa.select(Category.id).where(Category.code == "grain"))
        rows = [
            {
                "slug": f"bulk-{i:05d}",
                "name_zh": f"批量大米{i}号",
                "category_id": grain,
                "status": "published",
                "summary": "用于重建测试的批量产品。" * 3,
            }
            for i in range(count)
        ]
        db.session.execute(sa.insert(GIProduct), rows)
        ids = db.session.scalars(sa.select(GIProduct.id).where(GIProduct.slug.like("bulk-%")))
        links = [{"product_id": i, "region_code": "220581"} for i in ids]
        db.session.execute(sa.insert(product_regions), links)
        db.session.commit()
        db.session.remove()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def gone(pid: int) -> bool:
    """Exited, or a zombie waiting to be reaped (it holds no files any more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds helpers through /proc")
def test_a_rebuild_killed_while_its_helpers_work_leaves_nothing_behind(app):
    add_products_behind_the_outbox(app, BULK)
    live_before = (index_root(app) / "CURRENT").read_text()
    rebuild = subprocess.Popen(
        flask_args("search", "rebuild"),
        env=flask_env(app, GI_SEARCH_PARALLEL_FROM="500", GI_SEARCH_REBUILD_PROCS="2"),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while len(helpers := children_of(rebuild.pid)) < 2:
            assert rebuild.poll() is None, "the rebuild ended before its helpers were seen"
            assert time.monotonic() < deadline, "no helpers forked"
            time.sleep(0.02)
        with app.test_request_context():
            # A write while the rebuild runs: its rows wait for the rebuild.
            load(products=[f.product("zhongtu-dami", name_zh="中途大米")])
            assert search.health().rebuilding
            assert pending() > 0
    finally:
        rebuild.send_signal(signal.SIGKILL)
        rebuild.wait(timeout=30)

    deadline = time.monotonic() + 5
    while not all(map(gone, helpers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(gone, helpers)), "a helper outlived the killed rebuild"
    assert (index_root(app) / "CURRENT").read_text() == live_before  # killed before its swap
    assert lock_is_free(index_root(app) / "REBUILD.lock")

    with app.test_request_context():
        assert not search.health().rebuilding  # the marker is left, the lock is not
        load(products=[f.product("shahou-dami", name_zh="事后大米")])
        assert pending() == 0
        assert hits("事后大米") == ["product:shahou-dami"]
        assert hits("中途大米") == ["product:zhongtu-dami"]
    sync = flask(app, "search", "sync")
    assert sync.returncode == 0, sync.stderr

    again = flask(app, "search", "rebuild")
    assert again.returncode == 0, again.stderr
    assert f"product {BULK + 2}" in again.stdout
    check = flask(app, "search", "check", "--sample", "50")
    assert check.returncode == 0, check.stdout + check.stderr
    generations = sorted(p.name for p in index_root(app).glob("g*"))
    assert generations == [(index_root(app) / "CURRENT").read_text().strip()]


# ---- 3. an outbox nobody drains --------------------------------------------------------------


def test_check_fails_while_outbox_rows_wait_longer_than_the_grace_period(sample_app):
    with sample_app.app_context():
        ids = db.session.scalars(sa.select(GIProduct.id).limit(50)).all()
        minute_ago = now_utc() - timedelta(minutes=1)
        # A backlog left by processes that committed and died before draining, a minute ago.
        rows = [
            {"kind": "product", "entity_id": ids[i % len(ids)], "created_at": minute_ago}
            for i in range(5000)
        ]
        db.session.execute(sa.insert(SearchOutbox), rows)
        db.session.commit()

    check = flask(sample_app, "search", "check", "--sample", "0")
    assert check.returncode == 1
    assert "搜索待处理队列中有 5000 条超过 5 秒的变更，请运行 flask search sync" in check.stderr

    longer = flask(sample_app, "search", "check", "--sample", "0", GI_SEARCH_PENDING_GRACE="120")
    assert longer.returncode == 0, longer.stderr  # a minute is within a two-minute grace

    assert flask(sample_app, "search", "sync").returncode == 0
    check = flask(sample_app, "search", "check", "--sample", "0")
    assert check.returncode == 0, check.stderr


def test_rows_younger_than_the_grace_period_do_not_fail_check(sample_app):
    sample_app.config["SEARCH_DRAIN_ON_COMMIT"] = False  # a commit whose drain has not run yet
    with sample_app.app_context():
        load(products=[f.product("gang-gang", name_zh="刚刚大米")])
        assert pending() > 0
        report = search.check(sample=0)
        assert report.overdue == 0
        assert not any("待处理队列" in p for p in report.problems)
        sample_app.config["SEARCH_PENDING_GRACE"] = 0.0
        report = search.check(sample=0)
        assert report.overdue == report.pending > 0
        assert any("待处理队列" in p for p in report.problems)
