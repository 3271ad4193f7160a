"""Peak memory of image ingestion, per kind of picture, each run in a fresh process.

    python bench/media_memory.py                    # every case, 3 runs each
    python bench/media_memory.py --repeat 5 --cases png-6300 jpeg-40mp

Pillow allocates pixel buffers with malloc, outside tracemalloc, so the measure is the process's own
RSS high-water mark (``getrusage(RUSAGE_SELF).ru_maxrss``). A child process imports Pillow and the
pipeline, reads the file, notes its high-water mark, runs one step, and reports how far the mark rose.

Steps, both run in the same invocation on the same files:
  decode   ``Image.open`` + ``load()`` at full scale: what any program that reads the file pays.
           This is the baseline; ratios are ingest / decode.
  ingest   ``gi_registry.media.process_image`` with the default limits: verify, decode, shrink,
           orient, sRGB, flatten, encode the three JPEG sizes.
A 640×480 PNG is measured too: the fixed cost of the method and of the pipeline (a few MB).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


# --- pictures -------------------------------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def stream_png(
    width: int, height: int, row: bytes, *, colour_type: int, bit_depth: int = 8, extra=b""
) -> bytes:
    """A PNG whose every row is ``row``, compressed row by row: 40 MP costs no 40 MP buffer here."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    packer = zlib.compressobj(6)
    line = b"\x00" + row  # filter type 0 (None) on every row
    idat = b"".join(packer.compress(line) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + extra
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def stripes(width: int, colours: list[bytes]) -> bytes:
    """One row of vertical stripes, one per colour, so a wrong resize or rotation shows."""
    band = width // len(colours)
    row = b"".join(colour * band for colour in colours)
    return row + colours[-1] * (width - band * len(colours))


def png_rgb(width: int = 6300, height: int = 6300) -> bytes:
    """Like the probe: a 6300×6300 RGB PNG of about 150 KB."""
    colours = [bytes(c) for c in ((200, 30, 30), (30, 160, 40), (30, 40, 200), (240, 240, 240))]
    return stream_png(width, height, stripes(width, colours), colour_type=2)


def png_rgba(width: int = 6300, height: int = 6300) -> bytes:
    """RGBA with clear and half-clear stripes: every band is flattened onto white."""
    colours = [bytes(c) for c in ((200, 30, 30, 255), (0, 0, 0, 0), (30, 40, 200, 128))]
    return stream_png(width, height, stripes(width, colours), colour_type=6)


def png_rgb16(width: int = 6300, height: int = 6300) -> bytes:
    """48-bit RGB (16 bits a sample), as scanners and photo editors export."""
    colours = [struct.pack(">3H", *c) for c in ((51400, 7710, 7710), (7710, 7710, 51400))]
    return stream_png(width, height, stripes(width, colours), colour_type=2, bit_depth=16)


def png_gray16(width: int, height: int, level: int) -> bytes:
    return stream_png(width, height, struct.pack(">H", level) * width, colour_type=0, bit_depth=16)


def png_palette_transparent(width: int = 6300, height: int = 6300) -> bytes:
    """A palette PNG whose entry 0 is fully transparent (a logo on nothing)."""
    palette = png_chunk(b"PLTE", bytes([0, 0, 0, 200, 30, 30, 30, 40, 200]))
    trns = png_chunk(b"tRNS", bytes([0, 255, 255]))
    row = stripes(width, [b"\x00", b"\x01", b"\x02"])
    return stream_png(width, height, row, colour_type=3, extra=palette + trns)


def photo_planes(width: int, height: int, count: int) -> list:
    """Smooth gradients with some low-frequency texture: compresses like a photo, not like noise."""
    from PIL import Image

    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    texture = Image.effect_noise((max(width // 16, 1), max(height // 16, 1)), 60)
    texture = texture.resize((width, height), Image.Resampling.BILINEAR)
    return [across, down, texture, Image.new("L", (width, height), 30)][:count]


def jpeg_rgb(width: int = 7728, height: int = 5152) -> bytes:
    """A 40 MP camera JPEG (7728×5152, 3:2)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.merge("RGB", photo_planes(width, height, 3)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def jpeg_cmyk(width: int = 7728, height: int = 5152, *, swap: bool = False) -> bytes:
    """A 40 MP CMYK JPEG, as print work is delivered, with its CMYK ICC profile embedded."""
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.merge("CMYK", photo_planes(width, height, 4))
    image.save(buffer, "JPEG", quality=90, icc_profile=cmyk_profile(swap=swap))
    return buffer.getvalue()


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _lab16(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """sRGB → ICC v2 16-bit Lab (L 0…0xFF00, a and b offset by 128 and scaled by 256)."""
    from PIL import Image, ImageCms

    to_lab = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB"
    )
    lightness, a, b = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), to_lab).getpixel(
        (0, 0)
    )
    return round(lightness / 255 * 0xFF00), a * 256, b * 256


def cmyk_profile(*, swap: bool = False) -> bytes:
    """A small but valid ICC v2 input profile for CMYK: a 2-point-per-channel CLUT to Lab.

    No CMYK profile ships with Pillow or Debian's base image, so one is built here. Each corner of the
    CLUT is the naive CMYK→RGB colour; with ``swap`` cyan and magenta trade places, so a conversion that
    really uses the profile is told apart from Pillow's profile-less one.
    """
    clut = []
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    first, second = (m, c) if swap else (c, m)
                    rgb = tuple(round(255 * (1 - v) * (1 - k)) for v in (first, second, y))
                    clut.extend(_lab16(rgb))
    a2b0 = (
        b"mft2"
        + bytes(4)
        + bytes([4, 3, 2, 0])  # 4 inputs, 3 outputs, 2 grid points
        + b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
        + struct.pack(">HH", 2, 2)
        + struct.pack(">8H", *([0, 65535] * 4))
        + struct.pack(f">{len(clut)}H", *clut)
        + struct.pack(">6H", *([0, 65535] * 3))
    )
    name = b"gi_registry test CMYK\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(name)) + name + bytes(8 + 3 + 67)
    white = b"XYZ " + bytes(4) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    copyright_ = b"text" + bytes(4) + b"none\0"
    return _icc([(b"desc", desc), (b"wtpt", white), (b"cprt", copyright_), (b"A2B0", a2b0)])


def _icc(tags: list[tuple[bytes, bytes]]) -> bytes:
    start = 128 + 4 + 12 * len(tags)
    table, body = [], b""
    for signature, data in tags:
        body += bytes(-len(body) % 4)  # tags start on 4-byte boundaries
        table.append(struct.pack(">4sII", signature, start + len(body), len(data)))
        body += data
    header = (
        struct.pack(">I", start + len(body))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"scnrCMYKLab "
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
    )
    header += bytes(128 - len(header))
    return header + struct.pack(">I", len(tags)) + b"".join(table) + body


def webp(width: int = 3840, height: int = 2560) -> bytes:
    """9.8 MP: about the most WebP the default limit lets in (Pillow holds 16 bytes a pixel)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.merge("RGB", photo_planes(width, height, 3)).save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


def small_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.merge("RGB", photo_planes(640, 480, 3)).save(buffer, "PNG")
    return buffer.getvalue()


CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "small": ("640×480 PNG (noise floor)", small_png),
    "png-6300": ("6300×6300 RGB PNG", png_rgb),
    "png-rgba": ("6300×6300 RGBA PNG", png_rgba),
    "jpeg-40mp": ("7728×5152 RGB JPEG", jpeg_rgb),
    "png-16bit": ("6300×6300 16-bit RGB PNG", png_rgb16),
    "png-palette": ("6300×6300 palette PNG, tRNS", png_palette_transparent),
    "jpeg-cmyk-icc": ("7728×5152 CMYK JPEG + ICC", jpeg_cmyk),
    "webp": ("3840×2560 WebP", webp),
}


# --- measuring ------------------------------------------------------------------------------------


def measure(path: Path, step: str) -> dict:
    """Run ``step`` on ``path`` in a fresh process: ``growth`` is how many bytes its RSS high-water
    mark rose by, ``seconds`` how long the step took; an ingest also reports the picture's recorded
    ``width`` and ``height``."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout)


def _high_water() -> int:
    """The process's RSS high-water mark in bytes.

    Linux's ``ru_maxrss`` survives ``execve``: a child started by a large parent (this script after
    generating a 40 MP picture, or pytest) reports the parent's peak until it exceeds it. ``VmHWM``
    belongs to the new address space alone, so it is read where /proc has it.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KB on Linux


def child(step: str, path: str) -> None:
    sys.path.insert(0, str(REPO))
    from PIL import Image

    from gi_registry import media

    data = Path(path).read_bytes()
    before = _high_water()
    started = time.perf_counter()
    facts = {}
    if step == "decode":
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    else:
        processed = media.process_image(data)
        facts = {"width": processed.width, "height": processed.height}
    seconds = time.perf_counter() - started
    print(json.dumps({"growth": _high_water() - before, "seconds": seconds, **facts}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", nargs="*", choices=list(CASES), default=list(CASES))
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        report(Path(folder), args.cases, args.repeat)


def report(folder: Path, cases: list[str], repeat: int) -> None:
    from PIL import Image

    print(
        f"{repeat} fresh processes per figure; medians. MiB of peak RSS growth, seconds of wall time."
    )
    print(
        f"{'case':30} {'MP':>5} {'file':>8} {'decode':>8} {'ingest':>8} {'ratio':>6} "
        f"{'MiB/MP':>7} {'decode s':>9} {'ingest s':>9}"
    )
    for name in cases:
        label, make = CASES[name]
        path = folder / name
        path.write_bytes(make())
        with Image.open(path) as image:
            megapixels = image.width * image.height / 1e6
        runs = {step: [measure(path, step) for _ in range(repeat)] for step in ("decode", "ingest")}
        memory = {step: statistics.median(r["growth"] for r in runs[step]) / MB for step in runs}
        seconds = {step: statistics.median(r["seconds"] for r in runs[step]) for step in runs}
        print(
            f"{label:30} {megapixels:5.1f} {path.stat().st_size / 1024:6.0f}KB "
            f"{memory['decode']:8.1f} {memory['ingest']:8.1f} "
            f"{memory['ingest'] / max(memory['decode'], 0.1):6.2f} "
            f"{memory['ingest'] / megapixels:7.2f} {seconds['decode']:9.2f} {seconds['ingest']:9.2f}"
        )


if __name__ == "__main__":
    main()
