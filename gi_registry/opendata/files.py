"""The downloads, built once per registry change and kept on disk under ``instance/opendata``.

The version is a digest of the registry's change stamp (services/changes.py) and the deployment's
code digest: a new release may change the format, a new commit the data, nothing else does. A
request for a version not built yet builds it into a temporary folder and renames it into place, so
a reader never sees half a version; two workers that build at once both produce the same bytes and
the second rename simply loses. Older versions are removed once a newer one is in place.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app

from gi_registry.opendata.document import public_document
from gi_registry.opendata.package import package_files
from gi_registry.services.changes import registry_stamp

JSON_NAME = "gi-registry.json"
ZIP_NAME = "gi-registry-csv.zip"
META_NAME = "meta.json"
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class Downloads:
    folder: Path
    version: str
    updated: datetime | None
    counts: dict[str, int]

    def path(self, name: str) -> Path:
        return self.folder / name

    def size(self, name: str) -> int:
        return self.path(name).stat().st_size


def root() -> Path:
    return Path(current_app.instance_path) / "opendata"


def current_version() -> tuple[str, datetime | None]:
    stamp = registry_stamp()
    code = current_app.extensions["caching"].code_version
    raw = f"{code}|{stamp.isoformat() if stamp else '-'}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16], stamp


def downloads() -> Downloads:
    version, stamp = current_version()
    folder = root() / version
    if not (folder / META_NAME).exists():
        build(folder, version, stamp)
    meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    return Downloads(folder, version, stamp, meta["counts"])


def build(folder: Path, version: str, stamp: datetime | None) -> None:
    document = public_document()
    root().mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=root(), prefix=".build-"))
    try:
        _write(temp, document, version, stamp)
        try:
            temp.rename(folder)
        except OSError:  # another worker put the same version in place first
            shutil.rmtree(temp, ignore_errors=True)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    _prune(keep=folder)


def _write(temp: Path, document: dict[str, Any], version: str, stamp: datetime | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    (temp / JSON_NAME).write_bytes(text)
    (temp / (JSON_NAME + ".gz")).write_bytes(gzip.compress(text, 9, mtime=0))
    info = {"id": version, "updated": stamp.isoformat() if stamp else None}
    license = current_app.config.get("OPEN_DATA_LICENSE")
    with zipfile.ZipFile(temp / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in package_files(document, info, license).items():
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    counts = {kind: len(document[kind]) for kind in document if kind != "format"}
    counts["protections"] = sum(len(p["protections"]) for p in document["products"])
    # Written last: its presence says the version is complete.
    (temp / META_NAME).write_text(json.dumps({"counts": counts}), encoding="utf-8")


def _prune(keep: Path) -> None:
    versions = [p for p in root().iterdir() if p.is_dir() and not p.name.startswith(".")]
    versions.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in versions if p != keep][KEEP_VERSIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["JSON_NAME", "ZIP_NAME", "Downloads", "downloads"]
