"""Two writers at once, in real processes, on the test's own database (SQLite or PostgreSQL).

Whole-file imports are serialised by the import lock: a second import waits for the first and then
applies on top of its result, so the registry holds exactly one file's data, never a merge. Two
people saving the same record: the second gets a conflict, the first one's change stands.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.interchange import export_document, import_document
from gi_registry.models import AuditEntry, GIProduct, GuidanceRequest, MediaAsset, Protection
from gi_registry.services.errors import ConflictError
from gi_registry.services.images import add_image
from gi_registry.services.products import find_product, save_product
from gi_registry.services.snapshots import product_record
from gi_registry.services.unit import unit_of_work
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def conflicting_files(tmp_path: Path, count: int) -> tuple[dict, dict, Path, Path]:
    """Two documents that update the same products with different names and protections."""

    def document(tag: str, protections: int) -> dict:
        return f.document(
            products=[
                f.product(
                    f"rice-{i:04d}",
                    name_zh=f"{tag}文件大米{i}",
                    protections=[
                        f.protection(holder=f"{tag}持有人{n}") for n in range(protections)
                    ],
                )
                for i in range(count)
            ]
        )

    a, b = document("甲", 2), document("乙", 1)
    paths = []
    for name, doc in (("a.json", a), ("b.json", b)):
        path = tmp_path / name
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return a, b, paths[0], paths[1]


def worker(app, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.concurrency_worker", args[0], app.instance_path]
    command += [app.config["SQLALCHEMY_DATABASE_URI"], *args[1:]]
    return subprocess.Popen(command, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, text=True)


def flask_import(app, path: Path) -> subprocess.Popen:
    env = clean_env() | {
        "GI_INSTANCE_PATH": app.instance_path,
        "GI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    command = [sys.executable, "-m", "flask", "--app", "gi_registry", "import", str(path)]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GI_")}


def outcome(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return json.loads(out.strip().splitlines()[-1])


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def stored_products() -> list[dict]:
    db.session.remove()  # read what the other processes committed, not a cached identity map
    return export_document()["products"]


def protection_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Protection))


def test_an_import_waits_for_the_one_holding_the_lock_then_applies_on_its_result(ctx, tmp_path):
    _, b, path_a, path_b = conflicting_files(tmp_path, 50)
    signal = tmp_path / "a-holds-the-lock"
    first = worker(ctx, "import-holding", str(path_a), str(signal))
    wait_for(signal)
    second = flask_import(ctx, path_b)  # the CLI, as people run it
    assert outcome(first)["ok"]
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "products: 新增 0，更新 50，未变 0" in out  # it saw the first import's rows
    assert stored_products() == b["products"]
    assert protection_rows() == 50
    # The history's "before" is the first file's value, not the state both started from.
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_key == "rice-0007", AuditEntry.action == "update")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.changes["name_zh"] == ["甲文件大米7", "乙文件大米7"]


def test_two_imports_started_together_leave_exactly_one_files_data(ctx, tmp_path):
    a, b, path_a, path_b = conflicting_files(tmp_path, 1000)
    processes = [flask_import(ctx, path_a), flask_import(ctx, path_b)]
    results = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    products = stored_products()
    assert products in (a["products"], b["products"])
    expected_rows = 2000 if products == a["products"] else 1000
    assert protection_rows() == expected_rows
    # One import created the products and the other updated every one of them.
    summaries = sorted(out for out, _ in results)
    assert any("新增 1000" in s for s in summaries) and any("更新 1000" in s for s in summaries)


def test_an_import_that_cannot_get_the_lock_in_time_writes_nothing(ctx, tmp_path):
    a, b, path_a, _path_b = conflicting_files(tmp_path, 5)
    signal = tmp_path / "a-holds-the-lock"
    holder = worker(ctx, "import-holding", str(path_a), str(signal), "8")
    wait_for(signal)
    ctx.config["WRITE_LOCK_TIMEOUT"] = 1
    report = import_document(b)
    assert not report.ok
    assert report.issues[0].message.startswith("另一个导入正在写入登记数据")
    assert outcome(holder)["ok"]
    assert stored_products() == a["products"]


def test_a_second_save_of_the_same_record_gets_a_conflict(ctx, tmp_path):
    assert import_document(f.document(products=[f.product()])).ok
    signal = tmp_path / "first-flushed"
    first = worker(ctx, "save-holding", "第一人的名称", str(signal))
    wait_for(signal)
    # The second person read version 1 too; their save waits for the first and then finds the row
    # changed under it.
    second = outcome(worker(ctx, "save", "第二人的名称", "1"))
    assert outcome(first) == {"ok": True, "version": 1}
    assert second["ok"] is False and second["error"] == "ConflictError"
    db.session.remove()
    product = find_product("test-rice")
    assert (product.name_zh, product.version) == ("第一人的名称", 2)


def test_two_writers_storing_the_same_new_picture_share_one_asset(ctx, tmp_path):
    assert import_document(f.document(products=[f.product(), f.product("other-rice")])).ok
    picture = tmp_path / "stock-photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 140, 60)).save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())
    signal = tmp_path / "first-flushed"
    first = worker(ctx, "store-picture-holding", str(picture), str(signal))
    wait_for(signal)
    # The first writer's asset row is flushed but not committed: this writer cannot see it yet, and
    # must neither fail on the unique hash nor make a second asset.
    with unit_of_work(actor="test") as work:
        asset_id = add_image(work, "products", "other-rice", picture.read_bytes(), alt="后存").id
    assert outcome(first) == {"ok": True, "asset": asset_id}
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(MediaAsset)) == 1
    shown = {
        slug: [link.media_id for link in find_product(slug).images]
        for slug in ("test-rice", "other-rice")
    }
    assert shown == {"test-rice": [asset_id], "other-rice": [asset_id]}


def test_two_guidance_requests_at_once_cannot_both_pass_a_limit_of_one(sample_ctx, tmp_path):
    from gi_registry.services.stations import TooManyRequests, submit_request
    from tests.concurrency_worker import GUIDANCE

    station = "fusong-station-sample"
    signal = tmp_path / "first-flushed"
    first = worker(sample_ctx, "guidance-holding", station, str(signal))
    wait_for(signal)
    # The first request is written but not committed: this one waits for it, then counts it.
    with pytest.raises(TooManyRequests), unit_of_work(actor="test") as work:
        submit_request(work, station, GUIDANCE, client="same-client", limit=1)
    assert outcome(first)["ok"]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(GuidanceRequest)) == 1


def test_a_form_showing_an_old_version_cannot_overwrite(ctx):
    assert import_document(f.document(products=[f.product()])).ok
    with unit_of_work(actor="甲") as work:
        product = find_product("test-rice")
        save_product(work, product_record(product) | {"name_zh": "甲改"}, expected_version=1)
    with pytest.raises(ConflictError), unit_of_work(actor="乙") as work:
        product = find_product("test-rice")
        save_product(work, product_record(product) | {"name_zh": "乙改"}, expected_version=1)
    assert find_product("test-rice").name_zh == "甲改"


def test_collection_only_changes_bump_the_version(ctx):
    assert import_document(f.document(products=[f.product()])).ok
    with unit_of_work(actor="staff") as work:
        product = find_product("test-rice")
        record = product_record(product) | {"region_codes": ["220581", "220582"]}
        save_product(work, record, expected_version=1)
    assert find_product("test-rice").version == 2
    assert db.session.scalar(select(func.count()).select_from(GIProduct)) == 1
