"""Uploads waiting for confirmation: the staff's bulk import in two steps, preview then confirm.

The preview stores the uploaded bytes on the server, in a folder of their own under the instance
(``IMPORT_UPLOAD_ROOT``, mode 0700), named by a random token and described by ``upload.json``: who
uploaded them, when, and the sha256 of every file. Confirming sends back only the token and the
digest the preview showed; the bytes are read from that folder again, checked against the digest and
validated again by the real import, so nothing the browser re-posts is trusted. A token works once
(the folder is renamed away atomically before the import starts), only for the user who uploaded,
and for ``IMPORT_UPLOAD_TTL`` seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from gi_registry.interchange import DocumentError, ImportReport, import_document, read_document
from gi_registry.interchange.schema import CSV_KINDS
from gi_registry.models import User

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
DIGEST = re.compile(r"[0-9a-f]{64}")
META = "upload.json"
FILES = "files"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
DEFAULT_TTL = 3600  # seconds an upload may wait for its confirmation
CLAIM_TTL = 24 * 3600  # seconds after which a confirmation's folder is surely abandoned

NO_FILES = "请选择要导入的文件"
MIXED = "请上传一个 JSON 文件，或一个或多个 CSV 文件，不要混在一起"
ONE_JSON = "一次只能导入一个 JSON 文件"
WRONG_TYPE = "%(file)s: 只能导入 .json 或 .csv 文件"
CSV_NAMES = "%(file)s: 无法从文件名判断数据种类，文件名应为 %(list)s"
CSV_TWICE = "%(file)s: 同一种数据上传了两次"
EMPTY_FILE = "%(file)s: 文件是空的"
GONE = "找不到这次上传：它已导入、已过期或不属于您。请重新上传文件。"
CHANGED = "上传的文件与预览时不一致，未导入任何数据。请重新上传。"


class UploadError(ValueError):
    """The upload cannot be previewed or confirmed; the message is Chinese, for ``staff.common.say``."""


@dataclass(frozen=True)
class Upload:
    token: str
    digest: str  # sha256 over every file's name and bytes, in order
    folder: Path
    names: tuple[str, ...]


def upload_root() -> Path:
    configured = current_app.config.get("IMPORT_UPLOAD_ROOT")
    return Path(configured or Path(current_app.instance_path) / "imports")


def ttl() -> float:
    return float(current_app.config.get("IMPORT_UPLOAD_TTL") or DEFAULT_TTL)


def stored_names(files: list[tuple[str, bytes]]) -> list[str]:
    """The name each file is kept under: ``products.csv`` and the like, or the JSON file's own name
    (its base name only, without anything that could leave the folder)."""
    if not files:
        raise UploadError(NO_FILES)
    suffixes = {Path(name).suffix.lower() for name, _ in files}
    for name, content in files:
        shown = _shown(name)
        if Path(name).suffix.lower() not in (".json", ".csv"):
            raise UploadError(WRONG_TYPE % {"file": shown})
        if not content:
            raise UploadError(EMPTY_FILE % {"file": shown})
    if suffixes == {".json"}:
        if len(files) > 1:
            raise UploadError(ONE_JSON)
        return [_shown(files[0][0])]
    if suffixes != {".csv"}:
        raise UploadError(MIXED)
    names = []
    for name, _ in files:
        kind = Path(_shown(name)).stem.lower()
        if kind not in CSV_KINDS:
            listed = "、".join(f"{k}.csv" for k in CSV_KINDS)
            raise UploadError(CSV_NAMES % {"file": _shown(name), "list": listed})
        if f"{kind}.csv" in names:
            raise UploadError(CSV_TWICE % {"file": _shown(name)})
        names.append(f"{kind}.csv")
    return names


def _shown(name: str) -> str:
    """A browser's file name, reduced to a base name that is safe as a file name here."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*').strip(" .")
    return base[:100] or "upload"


def stage(owner: User, files: list[tuple[str, bytes]]) -> Upload:
    """Keep the files for ``owner`` under a new token (the caller previews them next)."""
    names = stored_names(files)
    prune()
    token = secrets.token_urlsafe(24)
    folder = upload_root() / token
    (folder / FILES).mkdir(parents=True)
    for made in (upload_root(), folder, folder / FILES):  # mkdir's mode is cut by the umask
        os.chmod(made, FOLDER_MODE)
    for name, (_, content) in zip(names, files, strict=True):
        _write(folder / FILES / name, content)
    digest = _digest(folder, names)
    meta = {"owner": owner.id, "created": time.time(), "names": names, "digest": digest}
    _write(folder / META, json.dumps(meta).encode())
    return Upload(token, digest, folder, tuple(names))


def _write(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def _digest(folder: Path, names: list[str]) -> str:
    hashed = hashlib.sha256()
    for name in names:
        content = (folder / FILES / name).read_bytes()
        hashed.update(f"{name}\0{len(content)}\0".encode())
        hashed.update(content)
    return hashed.hexdigest()


def read(upload: Upload):
    """(document, labels, partial) for ``import_document``; ``DocumentError`` names file and line."""
    files = upload.folder / FILES
    path = files if upload.names[0].endswith(".csv") else files / upload.names[0]
    document, labels = read_document(path)
    return document, labels, labels is not None


def preview(upload: Upload, owner: User) -> ImportReport:
    """The real import, rolled back: exactly what confirming would create, change or refuse."""
    document, labels, partial = read(upload)
    return import_document(document, labels=labels, partial=partial, dry_run=True, user=owner)


def confirm(
    token: str, digest: str, user: User, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import the files staged under ``token`` for real, as ``user``, all or nothing, once."""
    upload = claim(token, digest, user)
    try:
        document, labels, partial = read(upload)
        return import_document(
            document, labels=labels, partial=partial, user=user, progress=progress
        )
    finally:
        shutil.rmtree(upload.folder, ignore_errors=True)


def claim(token: str, digest: str, user: User) -> Upload:
    """Take the upload out of the waiting folder for this one confirmation, or raise ``UploadError``."""
    if not TOKEN.fullmatch(token or "") or not DIGEST.fullmatch(digest or ""):
        raise UploadError(GONE)
    folder = upload_root() / token
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UploadError(GONE) from None
    if meta.get("owner") != user.id:
        raise UploadError(GONE)  # someone else's: the same answer as none at all
    claimed = folder.with_name(f"{token}.claimed-{secrets.token_hex(4)}")
    try:
        os.rename(folder, claimed)  # atomic: of two confirmations at once, one gets it
    except OSError:
        raise UploadError(GONE) from None
    upload = Upload(token, meta["digest"], claimed, tuple(meta["names"]))
    expired = time.time() - float(meta["created"]) > ttl()
    if expired or not secrets.compare_digest(digest, meta["digest"]):
        shutil.rmtree(claimed, ignore_errors=True)
        raise UploadError(GONE if expired else CHANGED)
    if _digest(claimed, list(upload.names)) != upload.digest:
        shutil.rmtree(claimed, ignore_errors=True)
        raise UploadError(CHANGED)
    return upload


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def prune() -> None:
    """Remove uploads older than their time to live (and claims a crash left behind)."""
    root = upload_root()
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        # A claimed folder is being imported; only one a crash left behind is old.
        limit = now - (CLAIM_TTL if ".claimed-" in folder.name else ttl())
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


__all__ = ["DocumentError", "Upload", "UploadError", "confirm", "preview", "stage"]
