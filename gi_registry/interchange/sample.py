"""The shipped sample: real Jilin GIs with their sources, and fictional producers marked as samples."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.interchange import ImportReport, import_document
from gi_registry.interchange.promotion import import_promotion
from gi_registry.interchange.sample_stations import load_sample_stations
from gi_registry.models import Brand, GIProduct
from gi_registry.services.errors import ValidationError
from gi_registry.services.images import add_image
from gi_registry.services.media import files_present, store_image
from gi_registry.services.unit import IMPORT_LOCK, Work, unit_of_work

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
SAMPLE_DOCUMENT = SAMPLE_DIR / "gi_sample.json"
IMAGE_MANIFEST = SAMPLE_DIR / "images" / "manifest.json"
# Stories, events and home-page slots: true content citing its sources (sample/README.md).
PROMOTION_DOCUMENT = SAMPLE_DIR / "promotion.json"


SAMPLE_ACTOR = "load-sample"
SAMPLE_CREDIT = "项目自绘示意图"


class SampleError(RuntimeError):
    pass


def load_sample(progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import the sample document and attach its images, in one unit of work; running it again
    changes nothing."""
    document = json.loads(SAMPLE_DOCUMENT.read_text(encoding="utf-8"))
    with unit_of_work(actor=SAMPLE_ACTOR, exclusive=IMPORT_LOCK) as work:
        report = import_document(document, work=work)
        if not report.ok:
            raise SampleError("样例数据无法导入：\n" + "\n".join(str(i) for i in report.issues))
        attach_sample_images(work, progress)
        load_sample_promotion(work, report)
        load_sample_stations(work)
    return report


def load_sample_promotion(work: Work, report: ImportReport) -> None:
    """The sample's stories, events and featured slots, counted into ``report``."""
    document = json.loads(PROMOTION_DOCUMENT.read_text(encoding="utf-8"))
    try:
        counted = import_promotion(work, document)
    except ValidationError as error:
        raise SampleError(f"样例推广内容无法导入：{error.message}") from None
    for kind, counts in counted.items():
        for outcome in ("created", "updated", "unchanged"):
            getattr(report, outcome)[kind] += counts[outcome]


def attach_sample_images(work: Work, progress: Callable[[str], None] | None = None) -> int:
    """The sample's drawings, attached to records that have no picture yet (so a rerun adds none).

    A record that has its pictures but lost their files (a lost media folder) gets the files
    written again from the shipped drawings; nothing is attached twice.
    """
    if not IMAGE_MANIFEST.exists():
        return 0
    manifest = json.loads(IMAGE_MANIFEST.read_text(encoding="utf-8"))
    licence = manifest.get("licence", "")
    attached = 0
    for kind, model in [("products", GIProduct), ("brands", Brand)]:
        for slug, files in manifest.get(kind, {}).items():
            record = db.session.scalar(select(model).where(model.slug == slug))
            if record is None:
                continue
            if record.images:
                if not all(files_present(link.media) for link in record.images):
                    _rewrite_files(files, licence, progress)
                continue
            for name in files:
                data = (IMAGE_MANIFEST.parent / name).read_bytes()
                alt = f"{record.name_zh}（示意图）"
                add_image(work, kind, slug, data, alt=alt, credit=SAMPLE_CREDIT, licence=licence)
                attached += 1
                if progress:
                    progress(name)
    return attached


def _rewrite_files(files: list[str], licence: str, progress: Callable[[str], None] | None) -> None:
    for name in files:
        # The same drawing gives the same asset, whose missing sizes store_image writes again.
        store_image(
            (IMAGE_MANIFEST.parent / name).read_bytes(), credit=SAMPLE_CREDIT, licence=licence
        )
        if progress:
            progress(name)
