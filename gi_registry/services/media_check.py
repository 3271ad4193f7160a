"""Are the stored pictures all on disk? What ``flask media check`` reports.

Pictures live twice: a ``MediaAsset`` row per picture in the database, and its JPEG sizes under
MEDIA_ROOT. A lost or half-restored folder leaves pages that show broken images while the database
looks fine, so this compares the two: sizes a row names that are missing, empty or (``deep``) do not
decode as the JPEG of the recorded size; files no row names; and ``.part`` files left by a write
that was killed. It reads only. The records showing each missing picture are named, so staff know
what to upload again (the shipped sample's pictures come back with ``flask load-sample``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import MediaAsset
from gi_registry.services.media import LINKS
from gi_registry.services.records import MODELS

KIND_OF = {model: kind for kind, model in MODELS.items()}


@dataclass(frozen=True)
class FileProblem:
    file: str  # relative to MEDIA_ROOT
    problem: str  # "missing", "empty" or what failed to decode
    asset_id: int
    shown_on: tuple[str, ...]  # "products/meihe-dami", …


@dataclass
class MediaReport:
    assets: int = 0
    files: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    unknown_files: list[str] = field(default_factory=list)
    partial_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_media(*, deep: bool = False) -> MediaReport:
    root = Path(current_app.config["MEDIA_ROOT"])
    report = MediaReport()
    named: set[str] = set()
    damaged: dict[int, list[tuple[str, str]]] = {}
    for asset in db.session.scalars(select(MediaAsset).order_by(MediaAsset.id)):
        report.assets += 1
        for variant in asset.variants.values():
            report.files += 1
            named.add(variant["file"])
            problem = _file_problem(root / variant["file"], variant, deep)
            if problem:
                damaged.setdefault(asset.id, []).append((variant["file"], problem))
    shown_on = _records_showing(set(damaged))
    for asset_id, files in damaged.items():
        for file, problem in files:
            report.problems.append(FileProblem(file, problem, asset_id, shown_on.get(asset_id, ())))
    _stray_files(root, named, report)
    return report


def _file_problem(path: Path, variant: dict, deep: bool) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    if size == 0:
        return "empty"
    if not deep:
        return ""
    try:
        with Image.open(path) as image:
            image.load()
            if image.format != "JPEG" or image.size != (variant["width"], variant["height"]):
                return f"is {image.format} {image.size[0]}×{image.size[1]}"
    except (OSError, UnidentifiedImageError, SyntaxError) as error:
        return f"does not decode ({error.__class__.__name__})"
    return ""


def _records_showing(asset_ids: set[int]) -> dict[int, tuple[str, ...]]:
    if not asset_ids:
        return {}
    found: dict[int, list[str]] = {}
    for model, link in LINKS.items():
        owner_id = next(c for c in link.__table__.primary_key.columns if c.name != "media_id")
        rows = db.session.execute(
            select(link.media_id, model.slug)
            .join(model, model.id == owner_id)
            .where(link.media_id.in_(asset_ids))
            .order_by(model.slug)
        )
        for media_id, slug in rows:
            found.setdefault(media_id, []).append(f"{KIND_OF[model]}/{slug}")
    return {key: tuple(value) for key, value in found.items()}


def _stray_files(root: Path, named: set[str], report: MediaReport) -> None:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if relative.endswith(".part"):
            report.partial_files.append(relative)
        elif relative not in named:
            report.unknown_files.append(relative)
