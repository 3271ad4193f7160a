"""The image pipeline (Pillow): bytes in, verified and re-encoded JPEG sizes and their facts out.

Every picture that enters the registry, from the sample data or an upload, comes through
``process_image``. The original bytes are never kept: only re-encoded JPEG derivatives, which
``gi_registry.services.media`` stores under content-hash names, so they can be cached forever.

Memory is bounded (docs/media.md): the decoded size is checked against the budget before any
pixel is decoded, JPEGs are decoded at 1/2 to 1/8 scale when the largest size needs no more, and
the picture is shrunk to the largest stored size a band of rows at a time, so the full-size image
exists once, in its decoded mode, and every later step (orientation, colour profile, transparency)
works on the small one.

This module knows nothing of Flask, the database or the configuration: limits are arguments.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageMode, UnidentifiedImageError

# MPO is what many phones save: a JPEG with further frames (depth map, stereo pair) appended.
# Only the first frame, the photo itself, is kept.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})
DRAFTABLE_FORMATS = frozenset({"JPEG", "MPO"})  # libjpeg decodes at 1/2, 1/4 or 1/8 scale
# Largest width of each stored size, largest first; heights follow the aspect ratio, up to 4×.
VARIANT_WIDTHS = {"hero": 1280, "card": 640, "thumb": 320}
# The picture's recorded size (MediaAsset.width/height): its shape, longest side capped here.
MASTER_SIDE = 2560
JPEG_QUALITY = 82
MIN_SIDE = 64
DEFAULT_MAX_BYTES = 12 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
# Decoded bytes allowed per pixel of the limit: a picture at MEDIA_MAX_PIXELS in RGB or RGBA.
BUDGET_BYTES_PER_PIXEL = 4
# Pillow's WebP reader holds four full-size copies while decoding (libwebp's canvas and previous
# frame, the bytes handed to Python, then the image), measured at 16 bytes a pixel.
DECODE_COPIES = {"WEBP": 4}
# Source pixels cropped per band (4 MB at 4 bytes a pixel): the working set besides the decoded image.
BAND_PIXELS = 1 << 20
LANCZOS_SUPPORT = 3.0  # Lanczos reaches 3 source pixels each side at scale 1
REDUCING_GAP = 2  # as Image.thumbnail: a JPEG is decoded at no less than twice the target size
WHITE = (255, 255, 255)
ORIENTATION = 0x0112
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SIDEWAYS = frozenset({5, 6, 7, 8})
SRGB_PROFILE = ImageCms.createProfile("sRGB")
Size = tuple[int, int]


class MediaError(ValueError):
    """An image was refused; ``message`` is Chinese and names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Variant:
    """One stored size: encoded JPEG bytes and their dimensions."""

    name: str
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """What the pipeline made of an upload.

    ``sha256`` identifies the picture (its largest stored pixels and its recorded size), so the same
    picture uploaded twice, whatever metadata it carried, is stored once.
    """

    sha256: str
    width: int
    height: int
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class _Plan:
    orientation: int  # EXIF orientation, 1 when none or unusable
    master: Size  # recorded size, as displayed
    sizes: dict[str, Size]  # each variant, as displayed

    def stored(self, size: Size) -> Size:
        """A displayed size in the file's own orientation, which is what gets resampled."""
        return (size[1], size[0]) if self.orientation in SIDEWAYS else size


def process_image(
    data: bytes,
    *,
    field: str = "image",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ProcessedImage:
    """Verify ``data``, re-encode it as three JPEG sizes, and return them with the picture's facts.

    Raises ``MediaError`` (Chinese, naming ``field``) for anything that is not a sane picture within
    the limits; nothing is decoded before the limits are checked.
    """
    if not data:
        raise MediaError(field, "请选择一张图片")
    if len(data) > max_bytes:
        raise MediaError(field, f"图片不能超过 {size_label(max_bytes)}")
    hero, plan, icc = _decode_small(data, field, max_pixels)
    hero = _finish(hero, plan.orientation, icc)
    variants = _encode_variants(hero, plan.sizes)
    sha = hashlib.sha256(hero.tobytes() + f"{plan.master}".encode()).hexdigest()
    return ProcessedImage(sha, *plan.master, variants)


def _decode_small(data: bytes, field: str, max_pixels: int) -> tuple[Image.Image, _Plan, bytes]:
    """Open, check and decode the first frame, and return it shrunk to the largest stored size."""
    try:
        # Pillow's own bomb check warns first and raises later; either way the file is refused.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, box, plan = _open_checked(data, field, max_pixels)
            image.load()
        if image.format not in DRAFTABLE_FORMATS:
            # PNG may keep its EXIF after the pixels, so its orientation is known only now.
            plan = _plan_sizes(image.size, _orientation(image))
        hero = _shrink(image, plan.stored(plan.sizes["hero"]), box)
        return hero, plan, image.info.get("icc_profile") or b""
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses these while reading the header, before our own size check can name them.
        raise MediaError(field, "图片尺寸过大，请缩小后再上传") from None
    except UnidentifiedImageError:
        raise MediaError(field, "无法识别的图片文件，请上传 JPEG、PNG、WebP 或 GIF 图片") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
        raise MediaError(field, "图片文件已损坏或不完整，请重新上传") from None


def _open_checked(
    data: bytes, field: str, max_pixels: int
) -> tuple[Image.Image, tuple[float, float], _Plan]:
    """The first frame, opened and drafted but not decoded, once the header and its cost pass."""
    probe = Image.open(io.BytesIO(data))
    _check_header(probe, field)
    probe.verify()  # structure and checksums; the object is unusable afterwards
    image = Image.open(io.BytesIO(data))
    image.seek(0)  # animated GIF/WebP, MPO: the first frame only
    header = image.size
    # A JPEG's EXIF comes with its header, and the draft needs its orientation.
    orientation = _orientation(image) if image.format in DRAFTABLE_FORMATS else 1
    plan = _plan_sizes(header, orientation)
    box = _draft(image, plan)
    _check_cost(image, header, field, max_pixels)
    return image, box, plan


def size_label(limit: int) -> str:
    # A limit under 1 MB (a small deployment, a test) must not read as "0 MB".
    megabytes = 1024 * 1024
    if limit >= megabytes:
        return f"{round(limit / megabytes, 1):g} MB"
    return f"{max(limit // 1024, 1)} KB"


def _check_header(image: Image.Image, field: str) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise MediaError(field, "不支持的图片格式，请上传 JPEG、PNG、WebP 或 GIF 图片")
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise MediaError(field, f"图片太小（{width}×{height}），短边至少 {MIN_SIDE} 像素")


def decoded_bytes(image: Image.Image) -> int:
    """Bytes Pillow will hold to decode ``image`` at its current (possibly drafted) size.

    Pillow keeps one- and two-byte single-band modes (1, L, P, I;16) packed and every multi-band
    mode (RGB included) at four bytes a pixel; some readers hold extra copies (DECODE_COPIES).
    """
    mode = ImageMode.getmode(image.mode)
    per_pixel = 4 if len(mode.bands) > 1 else int(mode.typestr[-1])
    return image.width * image.height * per_pixel * DECODE_COPIES.get(image.format, 1)


def _check_cost(image: Image.Image, header: Size, field: str, max_pixels: int) -> None:
    """At most ``max_pixels`` decoded, in at most 4 bytes each: a drafted JPEG may be larger."""
    pixels = image.width * image.height
    if pixels > max_pixels or decoded_bytes(image) > max_pixels * BUDGET_BYTES_PER_PIXEL:
        width, height = header
        raise MediaError(field, f"图片尺寸过大（{width}×{height}），请缩小后再上传")


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, or 1 (as stored) when there is none or it cannot be read."""
    try:
        value = image.getexif().get(ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct.error):
        return 1
    return value if value in TRANSPOSE else 1


def _plan_sizes(header: Size, orientation: int) -> _Plan:
    shown = header[::-1] if orientation in SIDEWAYS else header
    master = _fit(shown, (MASTER_SIDE, MASTER_SIDE))
    sizes = {name: _fit(master, (width, width * 4)) for name, width in VARIANT_WIDTHS.items()}
    return _Plan(orientation, master, sizes)


def _fit(size: Size, box: Size) -> Size:
    """``size`` shrunk to fit ``box``, never enlarged, rounded exactly as ``Image.thumbnail`` does."""
    width, height = size
    x, y = box
    if x >= width and y >= height:
        return size
    aspect = width / height
    if x / y >= aspect:
        return _round_aspect(y * aspect, key=lambda n: abs(aspect - n / y)), y
    return x, _round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))


def _round_aspect(number: float, key: Callable[[int], float]) -> int:
    return max(min(math.floor(number), math.ceil(number), key=key), 1)


def _draft(image: Image.Image, plan: _Plan) -> tuple[float, float]:
    """Let libjpeg decode at reduced scale; returns the source region the decoded pixels cover.

    The scale is the smallest of 1/2, 1/4, 1/8 that still leaves twice the largest stored size, the
    same margin ``Image.thumbnail`` keeps for quality.
    """
    full = (float(image.width), float(image.height))
    if image.format not in DRAFTABLE_FORMATS:
        return full
    width, height = plan.stored(plan.sizes["hero"])
    drafted = image.draft(None, (width * REDUCING_GAP, height * REDUCING_GAP))
    if drafted is None:
        return full
    _mode, (_left, _top, right, bottom) = drafted
    return right, bottom


def _shrink(image: Image.Image, size: Size, region: tuple[float, float]) -> Image.Image:
    """``image`` resampled (Lanczos) to ``size`` in RGB, L or CMYK, a band of rows at a time.

    Each band is cropped with enough rows either side for the filter, brought to a working mode
    (transparency flattened, palettes expanded, 16 bits scaled to 8) and resampled into its place,
    so no full-size copy is ever made. The result equals a whole-image resize: a band's rows see the
    same source rows the filter would. ``region`` is the part of ``image`` holding the picture (a
    drafted JPEG can carry a fraction of a pixel more).
    """
    source_width, source_height = region
    if image.size == size and region == (image.width, image.height):
        return _working(image)
    scale = source_height / size[1]
    margin = math.ceil(LANCZOS_SUPPORT * max(scale, 1.0)) + 1
    rows = max(1, math.floor(BAND_PIXELS / (image.width * scale)))  # output rows per band
    result = None
    for top in range(0, size[1], rows):
        bottom = min(size[1], top + rows)
        start, end = top * scale, bottom * scale
        first = max(0, math.floor(start) - margin)
        last = min(image.height, math.ceil(end) + margin)
        band = _working(image.crop((0, first, image.width, last)))
        box = (0, start - first, source_width, end - first)
        part = band.resize((size[0], bottom - top), Image.Resampling.LANCZOS, box=box)
        if result is None:
            result = Image.new(part.mode, size)
        result.paste(part, (0, top))
    return result


def _working(image: Image.Image) -> Image.Image:
    """RGB, L or CMYK: the modes the resampler and the colour conversion take, without alpha."""
    transparent = "transparency" in image.info or "A" in image.getbands() or "a" in image.getbands()
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = _eight_bits(image)
    if transparent:
        return _flatten(image if image.mode == "RGBA" else image.convert("RGBA"))
    if image.mode in ("RGB", "L", "CMYK"):
        return image
    return image.convert("L" if image.mode == "1" else "RGB")


def _eight_bits(image: Image.Image) -> Image.Image:
    # Pillow's own conversion clips 16-bit samples at 255, which turns a 16-bit grey PNG white.
    return image.convert("I").point(lambda value: value / 257).convert("L")


def _flatten(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, WHITE)
    background.paste(image, mask=image.getchannel("A"))
    return background


def _finish(image: Image.Image, orientation: int, icc: bytes) -> Image.Image:
    """Convert to sRGB, turn upright, and rebuild the pixels so no metadata survives."""
    image = _to_srgb(image, icc)
    if orientation in TRANSPOSE:
        image = image.transpose(TRANSPOSE[orientation])
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB") if image.mode != "RGB" else image)
    return clean


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Phones shoot in Display P3 and embed the profile; the derivatives carry none, so convert first.

    Without this, wide-gamut photos look dull once the profile is stripped, and CMYK print files
    take Pillow's naive conversion. A profile that cannot be read is ignored rather than refusing the
    picture.
    """
    if not icc or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, SRGB_PROFILE, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted or image


def _encode_variants(hero: Image.Image, sizes: dict[str, Size]) -> tuple[Variant, ...]:
    variants = []
    for name, size in sizes.items():
        picture = hero if size == hero.size else hero.resize(size, Image.Resampling.LANCZOS)
        variants.append(Variant(name, *size, _encode(picture)))
    return tuple(variants)


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
