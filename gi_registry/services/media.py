"""Pictures (图片): storing them once, and attaching them to products, brands and listings.

``gi_registry.media`` turns an upload into clean JPEG sizes; here they get a home: files under
MEDIA_ROOT named by content hash, one ``MediaAsset`` row per picture, and link rows carrying the
alternative text of each use. Nothing commits: the caller's unit of work does.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.media import MediaError, ProcessedImage, process_image
from gi_registry.models import (
    Brand,
    BrandImage,
    GIProduct,
    Listing,
    ListingImage,
    MediaAsset,
    ProductImage,
)
from gi_registry.services.errors import ValidationError
from gi_registry.services.upsert import insert_unless_present

__all__ = [
    "MediaError",
    "attach_image",
    "files_present",
    "move_image",
    "remove_image",
    "store_image",
    "store_private_image",
]

LINKS = {GIProduct: ProductImage, Brand: BrandImage, Listing: ListingImage}
ALT_MAX = 200  # the links' alt column
FILE_MODE = 0o644  # mkstemp makes 0600; a web server in front may serve these files itself
PRIVATE_FILE_MODE = 0o600  # private files are read by the application only

Illustrated = GIProduct | Brand | Listing
ImageLink = ProductImage | BrandImage | ListingImage


def store_image(
    data: bytes, *, field: str = "image", credit: str = "", licence: str = ""
) -> MediaAsset:
    """Verify and re-encode ``data``, write its sizes, and return its asset, new or existing.

    The same picture stored twice is one asset (by the SHA-256 of its pixels), also when two writers
    store it at the same moment. A file of a known picture that has gone missing from disk is written
    again. The asset row is written in the caller's transaction, not committed. Raises ``MediaError``
    naming ``field``.
    """
    config = current_app.config
    processed = process_image(
        data,
        field=field,
        max_bytes=config["MEDIA_MAX_BYTES"],
        max_pixels=config["MEDIA_MAX_PIXELS"],
    )
    variants = _write_variants(processed, Path(config["MEDIA_ROOT"]))
    existing = _asset_by_hash(processed.sha256)
    if existing is not None:
        return existing
    # Another writer may be storing the same new picture right now: its row is invisible to us until
    # it commits, and a plain INSERT would then fail on the unique hash.
    insert_unless_present(
        MediaAsset,
        "sha256",
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        variants=variants,
        credit=credit[:200],
        licence=licence[:64],
    )
    return _asset_by_hash(processed.sha256)


def _asset_by_hash(sha256: str) -> MediaAsset | None:
    return db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha256))


def files_present(asset: MediaAsset) -> bool:
    """Whether every size of ``asset`` is on disk (a lost or half-restored MEDIA_ROOT says no)."""
    root = Path(current_app.config["MEDIA_ROOT"])
    return all((root / variant["file"]).is_file() for variant in asset.variants.values())


def variant_path(sha: str, name: str) -> str:
    """Where a size of a picture lives under MEDIA_ROOT: ``ab/abcd…-thumb.jpg``."""
    return f"{sha[:2]}/{sha}-{name}.jpg"


def _write_variants(processed: ProcessedImage, root: Path) -> dict:
    folder = root / processed.sha256[:2]
    folder.mkdir(parents=True, exist_ok=True)
    variants = {}
    for variant in processed.variants:
        relative = variant_path(processed.sha256, variant.name)
        if not (root / relative).exists():  # the name is the content: one there is this one
            _atomic_write(variant.data, root / relative)
        variants[variant.name] = {
            "file": relative,
            "width": variant.width,
            "height": variant.height,
        }
    return variants


def _atomic_write(data: bytes, target: Path) -> None:
    # Write, sync, then rename: a reader never sees half a file and a crash leaves no torn image.
    fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def attach_image(
    record: Illustrated, asset: MediaAsset, *, alt: str, position: int | None = None
) -> ImageLink:
    """Show ``asset`` on a product, brand or listing, last or at ``position`` (0 is first).

    ``alt`` describes the picture in this use (替代文字). Attaching a picture the record already
    shows changes nothing and returns its link. Positions stay 0, 1, 2… in display order.
    """
    alt = alt.strip()
    if len(alt) > ALT_MAX:
        raise ValidationError({"alt": f"图片说明不能超过 {ALT_MAX} 个字（现有 {len(alt)} 个）"})
    current = _link_for(record, asset)
    if current is not None:
        return current
    link = LINKS[type(record)](media=asset, alt=alt)
    images = record.images
    index = len(images) if position is None else max(0, min(position, len(images)))
    images.insert(index, link)
    _renumber(images)
    return link


def remove_image(record: Illustrated, media_id: int) -> bool:
    """Stop showing picture ``media_id`` on ``record``; True if it was shown.

    The asset and its files stay: other records may show the same picture.
    """
    images = record.images
    for link in images:
        if link.media_id == media_id:
            images.remove(link)  # delete-orphan: the link row goes at flush
            _renumber(images)
            return True
    return False


def move_image(record: Illustrated, media_id: int, position: int) -> bool:
    """Show picture ``media_id`` at ``position`` (0 is first: the cover); True if it moved.

    Positions are rewritten 0, 1, 2…; the collection is reloaded at its next use, in the new order.
    """
    links = list(record.images)
    link = next((item for item in links if item.media_id == media_id), None)
    if link is None:
        return False
    index = max(0, min(position, len(links) - 1))
    if links.index(link) == index:
        return False
    links.remove(link)
    links.insert(index, link)
    _renumber(links)
    db.session.expire(record, ["images"])  # the list held the old order
    return True


def _link_for(record: Illustrated, asset: MediaAsset) -> ImageLink | None:
    # By id where there is one, so no stored link loads its asset; a link not yet flushed has no
    # media_id, but holds its asset in memory.
    for link in record.images:
        if link.media_id is None and link.media is asset:
            return link
        if asset.id is not None and link.media_id == asset.id:
            return link
    return None


def _renumber(images: list[ImageLink]) -> None:
    for index, link in enumerate(images):
        if link.position != index:
            link.position = index


def store_private_image(data: bytes, *, field: str, folder: str) -> str:
    """Verify and re-encode ``data`` like any picture, but keep only its largest size, under
    PRIVATE_MEDIA_ROOT (never served by /media/), named by content hash. Returns the path relative
    to that root (``folder/ab/abcd….jpg``); no asset row. Raises ``MediaError`` naming ``field``."""
    config = current_app.config
    processed = process_image(
        data,
        field=field,
        max_bytes=config["MEDIA_MAX_BYTES"],
        max_pixels=config["MEDIA_MAX_PIXELS"],
    )
    largest = max(processed.variants, key=lambda variant: variant.width)
    relative = f"{folder}/{processed.sha256[:2]}/{processed.sha256}.jpg"
    target = Path(config["PRIVATE_MEDIA_ROOT"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        _atomic_write(largest.data, target)
        os.chmod(target, PRIVATE_FILE_MODE)
    return relative
