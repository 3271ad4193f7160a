"""The image pipeline (Pillow): verify, re-encode, orient, strip metadata, derive sizes.

Every picture that enters the registry, from the sample data or an upload, comes through
``ingest_image``. The original bytes are never stored or served back: only re-encoded JPEG
derivatives under content-hash names, which is what makes them safe to cache forever.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import MediaAsset

# MPO is what many phones save: a JPEG with further frames (depth map, stereo pair) appended.
# Only the first frame, the photo itself, is kept.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# Largest width of each derived size; heights follow the aspect ratio.
VARIANT_WIDTHS = {"thumb": 320, "card": 640, "hero": 1280}
JPEG_QUALITY = 82
MIN_SIDE = 64
SRGB_PROFILE = ImageCms.createProfile("sRGB")

bp = Blueprint("media", __name__)


class MediaError(ValueError):
    """An image was refused; ``message`` is Chinese and names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def ingest_image(
    data: bytes, *, field: str = "image", credit: str = "", licence: str = ""
) -> MediaAsset:
    """Verify and re-encode ``data``, write its derived sizes, and return the (possibly existing) asset.

    The asset is added to the session, not committed: the caller's unit of work decides.
    """
    image = _decode(data, field)
    master = _normalise(image)
    sha = hashlib.sha256(master.tobytes() + f"{master.size}".encode()).hexdigest()
    existing = db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha))
    if existing is not None:
        return existing
    variants = _write_variants(master, sha)
    asset = MediaAsset(
        sha256=sha,
        width=master.width,
        height=master.height,
        variants=variants,
        credit=credit[:200],
        licence=licence[:64],
    )
    db.session.add(asset)
    return asset


def _decode(data: bytes, field: str) -> Image.Image:
    config = current_app.config
    if not data:
        raise MediaError(field, "请选择一张图片")
    if len(data) > config["MEDIA_MAX_BYTES"]:
        raise MediaError(field, f"图片不能超过 {_size_label(config['MEDIA_MAX_BYTES'])}")
    try:
        # Pillow's own bomb check warns first and raises later; either way the file is refused.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            _check_header(probe, field, config["MEDIA_MAX_PIXELS"])
            probe.verify()  # structure and checksums; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            image.seek(0)  # animated GIF/WebP, MPO: the first frame only
            image.load()
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses these while reading the header, before our own size check can name them.
        raise MediaError(field, "图片尺寸过大，请缩小后再上传") from None
    except UnidentifiedImageError:
        raise MediaError(field, "无法识别的图片文件，请上传 JPEG、PNG、WebP 或 GIF 图片") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise MediaError(field, "图片文件已损坏或不完整，请重新上传") from None
    return image


def _size_label(limit: int) -> str:
    # A limit under 1 MB (a small deployment, a test) must not read as "0 MB".
    megabytes = 1024 * 1024
    if limit >= megabytes:
        return f"{round(limit / megabytes, 1):g} MB"
    return f"{max(limit // 1024, 1)} KB"


def _check_header(image: Image.Image, field: str, max_pixels: int) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise MediaError(field, "不支持的图片格式，请上传 JPEG、PNG、WebP 或 GIF 图片")
    width, height = image.size
    if width * height > max_pixels:
        raise MediaError(field, f"图片尺寸过大（{width}×{height}），请缩小后再上传")
    if min(width, height) < MIN_SIDE:
        raise MediaError(field, f"图片太小（{width}×{height}），短边至少 {MIN_SIDE} 像素")


def _normalise(image: Image.Image) -> Image.Image:
    """Orient, convert to sRGB, flatten transparency, then rebuild the pixels so no metadata survives."""
    image = _to_srgb(ImageOps.exif_transpose(image))
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    longest = VARIANT_WIDTHS["hero"] * 2
    if max(image.size) > longest:
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _to_srgb(image: Image.Image) -> Image.Image:
    """Phones shoot in Display P3 and embed the profile; the derivatives carry none, so convert first.

    Without this, wide-gamut photos look dull once the profile is stripped. A profile that cannot be
    read is ignored rather than refusing the picture.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, SRGB_PROFILE, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted or image


def _write_variants(master: Image.Image, sha: str) -> dict:
    root = Path(current_app.config["MEDIA_ROOT"])
    folder = root / sha[:2]
    folder.mkdir(parents=True, exist_ok=True)
    variants = {}
    for name, max_width in VARIANT_WIDTHS.items():
        copy = master.copy()
        if copy.width > max_width:
            copy.thumbnail((max_width, max_width * 4), Image.Resampling.LANCZOS)
        relative = f"{sha[:2]}/{sha}-{name}.jpg"
        _atomic_save(copy, root / relative)
        variants[name] = {"file": relative, "width": copy.width, "height": copy.height}
    return variants


def _atomic_save(image: Image.Image, target: Path) -> None:
    # Write then rename, so a reader never sees half a file and a crash leaves no torn image.
    fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            image.save(handle, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def srcset(asset: MediaAsset) -> str:
    from flask import url_for

    return ", ".join(
        f"{url_for('media.file', filename=v['file'])} {v['width']}w"
        for v in sorted(asset.variants.values(), key=lambda v: v["width"])
    )


@bp.route("/media/<path:filename>")
def file(filename: str):
    # Content-hash names never change meaning, so browsers and WeChat may cache them for a year.
    return send_from_directory(current_app.config["MEDIA_ROOT"], filename, max_age=31536000)
