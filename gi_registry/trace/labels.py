"""A4 sheets of QR labels for one batch, as a PDF: 24 labels a page (3 × 8), every label the same.

Each page is drawn once at 300 dpi in black and white with Pillow and saved as a PDF page (Pillow
stores a 1-bit page as CCITT G4: a page is a few tens of kilobytes and the code's edges stay
sharp). No PDF library is needed, and the text is drawn with the machine's CJK font (the same
search as the GI-mark labels, ``verify.labels.find_cjk_font``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from gi_registry.verify.labels import QUIET_ZONE, find_cjk_font, qr_code

DPI = 300
MM = DPI / 25.4  # pixels per millimetre
PAGE_MM = (210.0, 297.0)
COLUMNS, ROWS = 3, 8
MARGIN_MM = 6.0  # most office printers cannot print nearer the edge
PADDING_MM = 2.5
MAX_LABELS = 200


@dataclass(frozen=True)
class LabelText:
    url: str  # what the code holds: the absolute scan URL
    product: str
    producer: str
    batch_line: str  # e.g. "批次 2026-09-A"
    short_url: str  # the URL without its scheme, printed for people without a camera


def px(mm: float) -> int:
    return round(mm * MM)


def sheet_pdf(label: LabelText, count: int, title: str = "") -> bytes:
    """``count`` copies of ``label`` on as many A4 pages as they need."""
    count = max(1, min(count, MAX_LABELS))
    cell = label_image(label)
    per_page = COLUMNS * ROWS
    pages = [page_image(cell, min(per_page, count - start)) for start in range(0, count, per_page)]
    out = io.BytesIO()
    pages[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=DPI,
        title=title,
        creator="gi_registry",
    )
    return out.getvalue()


def cell_size() -> tuple[int, int]:
    width = (PAGE_MM[0] - 2 * MARGIN_MM) / COLUMNS
    height = (PAGE_MM[1] - 2 * MARGIN_MM) / ROWS
    return px(width), px(height)


def page_image(cell: Image.Image, count: int) -> Image.Image:
    page = Image.new("1", (px(PAGE_MM[0]), px(PAGE_MM[1])), 1)
    width, height = cell.size
    for index in range(count):
        row, column = divmod(index, COLUMNS)
        page.paste(cell, (px(MARGIN_MM) + column * width, px(MARGIN_MM) + row * height))
    return page


def label_image(label: LabelText) -> Image.Image:
    """One label: the code on the left (whole pixels per module, so nothing blurs), text beside it,
    a thin frame to cut along."""
    width, height = cell_size()
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=1)
    pad = px(PADDING_MM)
    code = qr_code(label.url)
    modules = code.symbol_size(border=QUIET_ZONE)[0]
    scale = max(2, (height - 2 * pad) // modules)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    qr = Image.open(io.BytesIO(buffer.getvalue())).convert("1")
    top = (height - qr.height) // 2
    image.paste(qr, (pad, top))
    draw_text(draw, label, left=pad + qr.width + pad // 2, right=width - pad, height=height)
    return image


def draw_text(draw: ImageDraw.ImageDraw, label: LabelText, left: int, right: int, height: int):
    font_file = find_cjk_font()
    lines = [
        (label.product, 3.6, 0),
        (label.producer, 2.5, 0),
        (label.batch_line, 2.7, 0),
        (label.short_url, 1.9, 0),
    ]
    rendered: list[tuple[str, ImageFont.FreeTypeFont]] = []
    for text, size_mm, index in lines:
        rendered.extend(fitted(text, font_file, size_mm, right - left, index))
    gap = px(0.8)
    total = sum(font.size for _, font in rendered) + gap * (len(rendered) - 1)
    y = max(px(PADDING_MM), (height - total) // 2)
    for text, font in rendered:
        draw.text((left, y), text, font=font, fill=0)
        y += font.size + gap


def fitted(
    text: str, font_file: str, size_mm: float, width: int, index: int = 0
) -> list[tuple[str, ImageFont.FreeTypeFont]]:
    """The text in one line, shrunk to at most 70 % of its size to fit; if it still does not fit,
    broken into as many lines of the smallest size as it needs (a long URL, a long name)."""
    size = px(size_mm)
    smallest = max(8, round(size * 0.7))
    while True:
        font = ImageFont.truetype(font_file, size, index=index)
        if font.getlength(text) <= width or size <= smallest:
            break
        size -= 1
    lines, current = [], ""
    for character in text:
        if current and font.getlength(current + character) > width:
            lines.append(current)
            current = ""
        current += character
    lines.append(current)
    return [(line, font) for line in lines[:3]]
