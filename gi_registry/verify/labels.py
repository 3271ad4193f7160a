"""Printable QR labels for packs: the code of ``/verify/<token>`` with the product and number beside it.

SVG is the format for printers (vector, any size, text in the printer's CJK font). PNG needs a CJK
font on this machine to draw the text; ``find_cjk_font`` looks in the usual places.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import segno
from PIL import Image, ImageDraw, ImageFont

# Four modules of quiet zone, as ISO/IEC 18004 asks: less and phone cameras miss the code.
QUIET_ZONE = 4
# Medium error correction survives a scuffed pack; High would make the code denser for little gain.
ERROR_LEVEL = "m"
BOLD = ' font-weight="bold"'
PNG_DPI = 300
MM_PER_INCH = 25.4
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
)
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


class LabelError(ValueError):
    """A label that cannot be drawn here; the message (Chinese) says what to do instead."""


@dataclass(frozen=True)
class Label:
    url: str  # the absolute /verify/<token> URL the code holds
    product: str  # the GI product's name, printed beside the code
    number: str | None  # the authorisation number, printed under the name when there is one
    size_mm: float = 20.0  # the side of the code, quiet zone included

    @property
    def lines(self) -> list[str]:
        number = f"授权编号 {self.number}" if self.number else "授权编号 未登记"
        return [self.product, number, "扫码核验专用标志"]


def qr_code(url: str) -> segno.QRCode:
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def label_svg(label: Label) -> bytes:
    """A vector label: one path for the code (in modules, scaled to ``size_mm``) and the text."""
    code = qr_code(label.url)
    modules = code.symbol_size(border=QUIET_ZONE)[0]
    unit = label.size_mm / modules  # millimetres per module
    text_x = label.size_mm + 2
    width = text_x + max(text_width_mm(line, label.size_mm) for line in label.lines) + 2
    height = label.size_mm
    sizes = (label.size_mm / 5.5, label.size_mm / 8, label.size_mm / 9)
    rows = [
        f'<text x="{text_x:.2f}" y="{y:.2f}" font-size="{size:.2f}"'
        f"{BOLD if i == 0 else ''}>{escape(line)}</text>"
        for i, (line, size, y) in enumerate(
            zip(label.lines, sizes, (height * 0.38, height * 0.62, height * 0.82), strict=True)
        )
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}mm" height="{height:.2f}mm" '
        f'viewBox="0 0 {width:.2f} {height:.2f}" role="img" aria-label={quoteattr(label.url)}>'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<g transform="scale({unit:.6f})"><path fill="#000" shape-rendering="crispEdges" '
        f'd="{module_path(code)}"/></g>'
        f'<g font-family="{FONT_FAMILY}" fill="#000">{"".join(rows)}</g></svg>'
    )
    return svg.encode("utf-8")


def module_path(code: segno.QRCode) -> str:
    """The dark modules as one path, in module units, quiet zone included: runs of a row merged."""
    parts = []
    for y, row in enumerate(code.matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h{start - x}z")
    return "".join(parts)


def text_width_mm(line: str, size_mm: float) -> float:
    """A generous width estimate: a Han character is one em, anything else half of one."""
    em = size_mm / 5.5
    return sum(em if ord(ch) > 0x2E80 else em * 0.6 for ch in line)


def label_png(label: Label, font_path: str | None = None) -> bytes:
    """A raster label at 300 dpi; the code's modules stay whole pixels so nothing blurs."""
    font_file = font_path or find_cjk_font()
    code = qr_code(label.url)
    modules = code.symbol_size(border=QUIET_ZONE)[0]
    target = round(label.size_mm / MM_PER_INCH * PNG_DPI)
    scale = max(2, round(target / modules))
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    qr = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    side = qr.width
    fonts = [ImageFont.truetype(font_file, max(12, side // d)) for d in (6, 9, 10)]
    gap = side // 12
    width = (
        side
        + gap
        + max(int(f.getlength(line)) for f, line in zip(fonts, label.lines, strict=True))
        + gap
    )
    canvas = Image.new("L", (width, side), 255)
    canvas.paste(qr, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for font, line, y in zip(fonts, label.lines, (0.25, 0.52, 0.73), strict=True):
        draw.text((side + gap, round(side * y)), line, font=font, fill=0)
    out = io.BytesIO()
    canvas.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI), optimize=True)
    return out.getvalue()


def find_cjk_font() -> str:
    for candidate in CJK_FONTS:
        if Path(candidate).is_file():
            return candidate
    raise LabelError("本机没有可用的中文字体，无法生成 PNG 标签；请改用 SVG（--out 标签.svg）。")


def render(label: Label, kind: str) -> bytes:
    if kind == "svg":
        return label_svg(label)
    if kind == "png":
        return label_png(label)
    raise LabelError("标签格式应为 svg 或 png")
