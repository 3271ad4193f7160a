"""A second writer in a process of its own, for tests/test_write_concurrency.py.

``python -m tests.concurrency_worker MODE INSTANCE DATABASE_URL ARG [SIGNAL]`` opens its own app on
the shared instance and database, so it contends with the test process (or another worker) exactly
as a second web worker or a second ``flask import`` would. It prints one JSON line with the outcome.

Modes:
- ``import-holding FILE SIGNAL [SECONDS]``: import FILE, and at the first written record create
  SIGNAL and hold the transaction (and so the import lock) for SECONDS (HOLD_SECONDS) before going on.
- ``save-holding NAME SIGNAL``: save the product test-rice with ``name_zh`` = NAME at the version it
  read, flush, create SIGNAL, hold HOLD_SECONDS, commit.
- ``save NAME VERSION``: save test-rice with ``name_zh`` = NAME, expecting VERSION.
- ``guidance-holding STATION SIGNAL``: send a guidance request to STATION as client "same-client"
  with a limit of one an hour, flush, create SIGNAL, hold HOLD_SECONDS, commit.
- ``confirm-upload TOKEN DIGEST USER_ID [hold|after SIGNAL]``: confirm a staged browser import
  (``interchange.uploads``) as that staff user; ``hold``: at the first written record create SIGNAL
  and hold HOLD_SECONDS; ``after``: wait for SIGNAL to appear before confirming.
- ``store-picture-holding FILE SIGNAL``: store the picture in FILE and show it on test-rice, flush,
  create SIGNAL, hold HOLD_SECONDS, commit; prints the asset's id.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from gi_registry import create_app
from gi_registry.extensions import db
from gi_registry.interchange import import_document, uploads
from gi_registry.models import User
from gi_registry.services.errors import ServiceError
from gi_registry.services.images import add_image
from gi_registry.services.products import find_product, save_product
from gi_registry.services.snapshots import product_record
from gi_registry.services.stations import submit_request
from gi_registry.services.unit import unit_of_work

HOLD_SECONDS = 2.0


def import_holding(path: str, signal: str, hold: str = str(HOLD_SECONDS)) -> dict:
    held = False

    def progress(_count: int) -> None:
        nonlocal held
        if not held:
            held = True
            Path(signal).touch()
            time.sleep(float(hold))

    document = json.loads(Path(path).read_text(encoding="utf-8"))
    report = import_document(document, progress=progress, actor="worker")
    return {"ok": report.ok, "issues": [str(i) for i in report.issues]}


def save_holding(name: str, signal: str) -> dict:
    with unit_of_work(actor="worker") as work:
        product = find_product("test-rice")
        version = product.version
        save_product(work, product_record(product) | {"name_zh": name}, expected_version=version)
        db.session.flush()
        Path(signal).touch()
        time.sleep(HOLD_SECONDS)
    return {"ok": True, "version": version}


def save(name: str, version: str) -> dict:
    try:
        with unit_of_work(actor="worker") as work:
            product = find_product("test-rice")
            record = product_record(product) | {"name_zh": name}
            save_product(work, record, expected_version=int(version))
    except ServiceError as error:
        return {"ok": False, "error": type(error).__name__, "message": error.message}
    return {"ok": True}


def store_picture_holding(path: str, signal: str) -> dict:
    with unit_of_work(actor="worker") as work:
        asset = add_image(work, "products", "test-rice", Path(path).read_bytes(), alt="先存")
        db.session.flush()
        asset_id = asset.id
        Path(signal).touch()
        time.sleep(HOLD_SECONDS)
    return {"ok": True, "asset": asset_id}


def guidance_holding(station: str, signal: str) -> dict:
    with unit_of_work(actor="worker") as work:
        request = submit_request(work, station, GUIDANCE, client="same-client", limit=1)
        db.session.flush()
        Path(signal).touch()
        time.sleep(HOLD_SECONDS)
        code = request.tracking_code
    return {"ok": True, "code": code}


def confirm_upload(token: str, digest: str, user_id: str, role: str = "", signal: str = "") -> dict:
    held = False

    def progress(_count: int) -> None:
        nonlocal held
        if role == "hold" and not held:
            held = True
            Path(signal).touch()
            time.sleep(HOLD_SECONDS)

    while role == "after" and not Path(signal).exists():
        time.sleep(0.02)
    user = db.session.get(User, int(user_id))
    try:
        report = uploads.confirm(token, digest, user, progress=progress)
    except uploads.UploadError as error:
        return {"ok": False, "issues": [str(error)]}
    return {"ok": report.ok, "issues": [str(i) for i in report.issues]}


GUIDANCE = {
    "topic": "other",
    "question": "两个请求同时提交时，限额应当只放行一个。",
    "requester_name": "并发测试",
    "contact": "13912345678",
}


def main(mode: str, instance: str, url: str, *args: str) -> None:
    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": instance, "DATABASE_URL": url, "SECRET_KEY": "t"}
    )
    handler = {
        "import-holding": import_holding,
        "save-holding": save_holding,
        "save": save,
        "store-picture-holding": store_picture_holding,
        "guidance-holding": guidance_holding,
        "confirm-upload": confirm_upload,
    }[mode]
    with app.app_context():
        outcome = handler(*args)
        db.engine.dispose()
    print(json.dumps(outcome, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
