#!/usr/bin/env python3
"""Draw the illustrative images shipped with the sample data (gi_registry/sample/images/).

One 1600x1000 JPEG per product and per brand of gi_registry/sample/gi_sample.json: a flat, calm
illustration chosen by the product's category, the Chinese name, and a corner label saying that the
picture is an illustration, not a photograph. Also writes images/manifest.json.

Deterministic: every random choice is seeded from the record's slug, so rerunning gives the same
pictures (for the same Pillow version). The images are released under CC0-1.0.

Usage:  python tools/make_sample_images.py [--sample gi_registry/sample/gi_sample.json] [--out DIR]
Needs Pillow only. Uses Noto Sans CJK if installed (fonts-noto-cjk), else Pillow's default font.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

REPO = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1600, 1000
SS = 2  # supersampling factor: draw at 2x, then downscale for smooth edges
MAX_BYTES = 250 * 1024
CORNER_LABEL = "示意图 · 非实物照片"
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
CATEGORY_LABELS = {
    "grain": "粮食",
    "beans": "杂粮杂豆",
    "oilseed": "油料",
    "medicinal": "人参与中药材",
    "deer": "梅花鹿产品",
    "livestock": "畜禽肉类",
    "aquatic": "水产品",
    "fungi": "食用菌",
    "fruit": "水果",
    "beverage": "酒水饮品",
    "handicraft": "工艺品",
    "other": "其他",
}
# background top, background bottom, text colour
PALETTES = {
    "grain": ("#EEF3E4", "#E9DDB0", "#3B3A24"),
    "beans": ("#EEF4EA", "#D5E4CB", "#2F4228"),
    "oilseed": ("#F6F0E0", "#EAD8B0", "#47361F"),
    "medicinal": ("#F2EFE7", "#E2DACA", "#3A3328"),
    "deer": ("#F4EEE6", "#E5D5C2", "#46321F"),
    "livestock": ("#EEF2E8", "#D8E3CA", "#33402A"),
    "aquatic": ("#E9F2F6", "#C8DEEA", "#243E4F"),
    "fungi": ("#EFEDE6", "#DAD3C4", "#3A322A"),
    "fruit": ("#F3EFF3", "#E1D8E5", "#3A2E45"),
    "beverage": ("#F3EEEA", "#E3D6CF", "#43272B"),
    "handicraft": ("#EFF1EC", "#D6DDD3", "#2F3C34"),
    "other": ("#F4F0E6", "#E3DCC8", "#3B3628"),
    "brand": ("#EAF2F8", "#CBDDEA", "#1F3A52"),
}


# ------------------------------------------------------------------ helpers
def rng_for(slug: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big"))


def load_font(size: int) -> ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size=size)  # Pillow >= 10.1
    except TypeError:
        return ImageFont.load_default()


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t: float):
    a, b = hex_rgb(a) if isinstance(a, str) else a, hex_rgb(b) if isinstance(b, str) else b
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=False))


def gradient(top: str, bottom: str) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        column.putpixel((0, y), mix(top, bottom, y / 255))
    return column.resize((WIDTH * SS, HEIGHT * SS), Image.BILINEAR)


class Canvas:
    """Drawing in 1x coordinates on a supersampled image."""

    def __init__(self, image: Image.Image):
        self.image = image
        self.draw = ImageDraw.Draw(image, "RGBA")

    @staticmethod
    def _pts(points):
        return [(x * SS, y * SS) for x, y in points]

    def polygon(self, points, fill):
        self.draw.polygon(self._pts(points), fill=fill)

    def ellipse(self, cx, cy, rx, ry, fill, angle=0.0, n=56):
        if angle == 0:
            self.draw.ellipse(
                [(cx - rx) * SS, (cy - ry) * SS, (cx + rx) * SS, (cy + ry) * SS], fill=fill
            )
        else:
            self.polygon(ellipse_points(cx, cy, rx, ry, angle, n), fill)

    def circle(self, cx, cy, r, fill):
        self.ellipse(cx, cy, r, r, fill)

    def line(self, points, fill, width):
        self.draw.line(self._pts(points), fill=fill, width=max(1, round(width * SS)), joint="curve")
        r = width / 2
        for x, y in (points[0], points[-1]):
            self.circle(x, y, r, fill)

    def rounded(self, box, radius, fill):
        x0, y0, x1, y1 = box
        self.draw.rounded_rectangle(
            [x0 * SS, y0 * SS, x1 * SS, y1 * SS], radius=radius * SS, fill=fill
        )

    def arc(self, box, start, end, fill, width):
        x0, y0, x1, y1 = box
        self.draw.arc(
            [x0 * SS, y0 * SS, x1 * SS, y1 * SS], start, end, fill=fill, width=round(width * SS)
        )


def ellipse_points(cx, cy, rx, ry, angle=0.0, n=56):
    ca, sa = math.cos(angle), math.sin(angle)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return pts


def bezier(p0, p1, p2, n=40):
    return [
        (
            (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
            (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1],
        )
        for t in (i / n for i in range(n + 1))
    ]


def leaf(c: Canvas, x0, y0, x1, y1, width, fill):
    """A pointed leaf from (x0, y0) to (x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1
    nx, ny = -dy / length, dx / length
    pts = []
    for i in range(21):
        t = i / 20
        w = width * math.sin(math.pi * t) ** 0.8
        pts.append((x0 + dx * t + nx * w, y0 + dy * t + ny * w))
    for i in range(20, -1, -1):
        t = i / 20
        w = width * math.sin(math.pi * t) ** 0.8 * 0.35
        pts.append((x0 + dx * t - nx * w, y0 + dy * t - ny * w))
    c.polygon(pts, fill)


def hills(c: Canvas, rng, colours, base=820, amplitude=30):
    for k, colour in enumerate(colours):
        y0 = base + k * 55
        phase, freq = rng.uniform(0, 6.28), rng.uniform(1.2, 2.2)
        pts = [
            (x, y0 + amplitude * math.sin(phase + freq * x / WIDTH * math.pi))
            for x in range(0, WIDTH + 41, 40)
        ]
        c.polygon([*pts, (WIDTH, HEIGHT), (0, HEIGHT)], colour)


def seeds(c: Canvas, rng, colours, region=(820, 380, 1500, 880), count=26, size=(26, 40)):
    x0, y0, x1, y1 = region
    for _ in range(count):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        r = rng.uniform(*size)
        angle = rng.uniform(0, math.pi)
        colour = rng.choice(colours)
        c.ellipse(cx + 4, cy + 6, r, r * 0.68, (0, 0, 0, 22), angle)
        c.ellipse(cx, cy, r, r * 0.68, colour, angle)
        c.ellipse(
            cx - r * 0.25 * math.cos(angle),
            cy - r * 0.25 * math.sin(angle) - r * 0.15,
            r * 0.28,
            r * 0.14,
            (255, 255, 255, 80),
            angle,
        )


# ------------------------------------------------------------------ motifs
def motif_grain(c: Canvas, rng, slug):
    hills(c, rng, ["#CFD9A6", "#C2CF8E", "#B5C47C"], base=800, amplitude=22)
    stalk_colour, grain_colours = "#A67C2E", ["#D9A441", "#E0B255", "#C99335"]
    count = rng.randint(7, 9)
    for k in range(count):
        bx = 760 + k * (740 / (count - 1)) + rng.uniform(-18, 18)
        by = 900 + rng.uniform(-10, 20)
        top_y = rng.uniform(300, 430)
        lean = rng.uniform(40, 90)
        tip = (bx + lean + rng.uniform(40, 70), top_y + rng.uniform(120, 170))
        stem = bezier((bx, by), (bx + 10, top_y - 40), tip)
        leaf(c, bx, by - 60, bx - rng.uniform(90, 140), by - rng.uniform(260, 330), 16, "#7E9A4B")
        leaf(c, bx, by - 110, bx + rng.uniform(80, 130), by - rng.uniform(300, 380), 14, "#8DA957")
        c.line(stem, stalk_colour, 6)
        start = int(len(stem) * 0.55)
        for i in range(start, len(stem) - 1, 2):
            (x, y), (x2, y2) = stem[i], stem[i + 1]
            angle = math.atan2(y2 - y, x2 - x)
            for side in (-1, 1):
                off = side * 14
                gx, gy = x - math.sin(angle) * off, y + math.cos(angle) * off
                c.ellipse(gx, gy, 15, 8, rng.choice(grain_colours), angle + side * 0.5)


def motif_beans(c: Canvas, rng, slug):
    hills(c, rng, ["#BCD3AE", "#AAC79A"], base=860, amplitude=18)
    # a pod
    upper = bezier((860, 430), (1150, 250), (1450, 410))
    lower = bezier((1450, 410), (1160, 360), (860, 430))
    c.polygon(upper + lower, "#7DA866")
    for k in range(5):
        t = 0.16 + k * 0.17
        x, y = upper[int(t * 40)]
        c.circle(x, y + 34, 28, "#5E8E4C")
        c.circle(x - 8, y + 26, 8, (255, 255, 255, 70))
    seeds(
        c,
        rng,
        ["#5F9650", "#6FA65C", "#4E8242", "#7DB36A"],
        region=(820, 560, 1500, 880),
        count=38,
        size=(22, 30),
    )


def motif_oilseed(c: Canvas, rng, slug):
    hills(c, rng, ["#D9C690", "#CDB878"], base=870, amplitude=16)
    sunflower = "youkui" in slug or rng.random() < 0.3
    if sunflower:
        cx, cy, r = 1200, 420, 150
        c.line(bezier((cx, cy + 100), (cx + 40, 700), (cx - 10, 930)), "#6E8B3D", 16)
        leaf(c, cx + 10, 720, cx + 190, 640, 40, "#7E9A4B")
        leaf(c, cx, 800, cx - 180, 730, 38, "#6E8B3D")
        for i in range(24):
            a = 2 * math.pi * i / 24
            c.ellipse(
                cx + math.cos(a) * r * 1.25,
                cy + math.sin(a) * r * 1.25,
                70,
                24,
                "#E8B23A" if i % 2 else "#EDC24F",
                a,
            )
        c.circle(cx, cy, r, "#6B4A2B")
        for i in range(140):
            a, d = i * 2.39996, 9 * math.sqrt(i)
            c.circle(cx + math.cos(a) * d, cy + math.sin(a) * d, 4, "#8A6440")
    else:
        for _ in range(9):
            x, y = rng.uniform(840, 1460), rng.uniform(360, 840)
            a = rng.uniform(0, math.pi)
            dx, dy = math.cos(a) * 42, math.sin(a) * 42
            for colour, off in (((0, 0, 0, 25), 6), ("#C9A36B", 0)):
                c.circle(x - dx + off, y - dy + off, 46, colour)
                c.circle(x + dx + off, y + dy + off, 50, colour)
                c.ellipse(x + off, y + off, 40, 36, colour, a)
            for k in range(-2, 3):
                c.line(
                    [(x - dx + k * 14 - 12, y - dy - 20), (x - dx + k * 14 + 12, y - dy + 20)],
                    "#B38D57",
                    3,
                )
                c.line(
                    [(x + dx + k * 14 - 12, y + dy - 20), (x + dx + k * 14 + 12, y + dy + 20)],
                    "#B38D57",
                    3,
                )


def motif_schisandra(c: Canvas, rng):
    """Hanging clusters of small red berries on a vine."""
    vine = bezier((880, 300), (1200, 220), (1560, 320), 40)
    c.line(vine, "#6E4A2B", 10)
    for k in range(4):
        x, y = vine[6 + k * 9]
        leaf(
            c,
            x,
            y,
            x + rng.uniform(-60, 60),
            y - rng.uniform(90, 130),
            34,
            "#5E8C5A" if k % 2 else "#6E9B62",
        )
        stalk_end = (x + rng.uniform(-20, 20), y + 140)
        c.line([(x, y), stalk_end], "#6E4A2B", 5)
        sx, sy = stalk_end
        for row in range(8):
            n = max(1, 3 - row // 3)
            for i in range(n):
                bx = sx + (i - (n - 1) / 2) * 40 + rng.uniform(-8, 8)
                by = sy + row * 52 + rng.uniform(-5, 5)
                c.circle(bx + 3, by + 5, 22, (0, 0, 0, 25))
                c.circle(bx, by, 22, rng.choice(["#B3261E", "#C0392B", "#A52A2A"]))
                c.circle(bx - 7, by - 7, 5, (255, 255, 255, 110))


def motif_herb(c: Canvas, rng):
    """Sprigs of a herb above a shallow bowl of dried slices."""
    for k in range(3):
        bx = 1060 + k * 130
        top = rng.uniform(260, 340)
        stem = bezier(
            (bx, 720),
            (bx + rng.uniform(-60, 60), (720 + top) / 2),
            (bx + rng.uniform(-40, 40), top),
        )
        c.line(stem, "#6D8A4E", 7)
        for i in range(6, len(stem) - 2, 6):
            x, y = stem[i]
            side = 1 if (i // 6) % 2 else -1
            leaf(
                c,
                x,
                y,
                x + side * rng.uniform(70, 100),
                y - rng.uniform(30, 60),
                20,
                "#5E8C5A" if i % 12 else "#739F66",
            )
        c.circle(*stem[-1], 12, "#D8C35A" if k % 2 else "#E0B94F")
    c.ellipse(1190, 835, 300, 30, (0, 0, 0, 30))
    c.polygon(
        [(900, 730)]
        + [
            (1190 + math.cos(a) * 290, 730 + math.sin(a) * 100)
            for a in (math.pi * i / 30 for i in range(31))
        ]
        + [(1480, 730)],
        "#B98E66",
    )
    c.ellipse(1190, 730, 290, 42, "#9C7452")
    for _ in range(16):
        c.ellipse(
            rng.uniform(960, 1420),
            rng.uniform(712, 742),
            rng.uniform(22, 34),
            12,
            "#E3C99B",
            rng.uniform(-0.3, 0.3),
        )


def motif_medicinal(c: Canvas, rng, slug):
    hills(c, rng, ["#D2C6AE", "#C5B79C"], base=900, amplitude=12)
    if "wuweizi" in slug:
        return motif_schisandra(c, rng)
    if "shen" not in slug:
        return motif_herb(c, rng)
    cx = 1180 + rng.uniform(-40, 40)
    top = 470
    # stem and palmate leaves
    c.line([(cx, top), (cx + 6, 300)], "#6D8A4E", 9)
    for k, a in enumerate((-2.2, -1.57, -0.94)):
        px, py = cx + 6 + math.cos(a) * 120, 300 + math.sin(a) * 90
        c.line([(cx + 6, 300), (px, py)], "#6D8A4E", 6)
        for j in range(5):
            la = a + (j - 2) * 0.45
            length = 95 if j == 2 else 75
            leaf(
                c,
                px,
                py,
                px + math.cos(la) * length,
                py + math.sin(la) * length,
                22,
                "#5E8C5A" if (j + k) % 2 else "#6E9B62",
            )
    for i in range(9):
        a, d = i * 2.4, 8 * math.sqrt(i + 1)
        c.circle(cx + 6 + math.cos(a) * d, 290 + math.sin(a) * d, 10, "#C0392B")
    # root: neck, body, legs and fibres
    body = "#D9B98C"
    c.rounded((cx - 16, top - 10, cx + 16, top + 70), 12, "#C9A676")
    for k in range(4):
        c.line([(cx - 14, top + 10 + k * 16), (cx + 14, top + 14 + k * 16)], "#B8956A", 3)
    pts = []
    for i in range(21):
        t = i / 20
        w = 70 * math.sin(math.pi * (0.25 + 0.75 * t)) + 10
        pts.append((cx + w + 20 * math.sin(t * 3), top + 60 + t * 240))
    left = [(cx - (x - cx) + 10 * math.sin(i / 4), y) for i, (x, y) in enumerate(reversed(pts))]
    c.polygon(pts + left, body)
    for k in range(6):
        y = top + 110 + k * 32
        c.line([(cx - 50 + k * 3, y), (cx + 40 - k * 2, y + 8)], "#C4A072", 3)
    for sign, spread in ((-1, rng.uniform(110, 150)), (1, rng.uniform(120, 170))):
        leg = bezier(
            (cx + sign * 20, top + 280),
            (cx + sign * spread * 0.5, top + 380),
            (cx + sign * spread, top + 470),
        )
        for i in range(len(leg) - 1):
            c.line([leg[i], leg[i + 1]], body, 46 * (1 - i / len(leg)) + 6)
        for _ in range(4):
            i = rng.randrange(10, len(leg) - 2)
            x, y = leg[i]
            c.line(
                bezier(
                    (x, y),
                    (x + sign * rng.uniform(20, 60), y + 40),
                    (x + sign * rng.uniform(30, 110), y + rng.uniform(90, 160)),
                ),
                "#CDAA7A",
                3,
            )


def motif_deer(c: Canvas, rng, slug):
    hills(c, rng, ["#D9C7AE", "#CDB79A"], base=880, amplitude=14)
    for _ in range(36):
        c.circle(
            rng.uniform(780, 1560), rng.uniform(150, 860), rng.uniform(8, 18), (255, 250, 240, 120)
        )
    colour, tip_colour = "#8A6446", "#B48A64"
    cx, base = 1180, 800
    for sign in (-1, 1):
        # main beam: out and up, then curving back in
        beam = bezier(
            (cx + sign * 45, base), (cx + sign * 300, base - 260), (cx + sign * 170, base - 600), 36
        )
        for i in range(len(beam) - 1):
            c.line([beam[i], beam[i + 1]], colour, 44 - i * 0.75)
        c.circle(*beam[-1], 12, tip_colour)
        # tines rise from the inner side of the beam
        for t, length, lean in ((0.18, 190, 0.35), (0.45, 200, 0.15), (0.7, 150, 0.0)):
            x, y = beam[int(t * 36)]
            tip = (x - sign * length * lean, y - length)
            tine = bezier((x, y), (x - sign * 10, y - length * 0.55), tip, 16)
            for i in range(len(tine) - 1):
                c.line([tine[i], tine[i + 1]], colour, 26 - i * 0.9)
            c.circle(*tip, 9, tip_colour)
    c.ellipse(cx, base + 10, 110, 44, "#A47A56")
    c.ellipse(cx, base - 2, 80, 24, "#B98E66")


def motif_livestock(c: Canvas, rng, slug):
    hills(c, rng, ["#B9CC9E", "#A8BF8A", "#97B077"], base=760, amplitude=20)
    if "zhu" in slug:
        colour = "#2F2A28" if "heizhu" in slug else "#E9C9BE"
        x, y = 1150, 640
        c.ellipse(x + 10, y + 150, 230, 22, (0, 0, 0, 35))
        for lx in (-130, -70, 90, 150):
            c.rounded((x + lx - 18, y + 40, x + lx + 18, y + 150), 10, colour)
        c.ellipse(x, y, 220, 120, colour)
        c.ellipse(x + 215, y - 20, 90, 80, colour)
        c.ellipse(
            x + 300,
            y - 5,
            30,
            38,
            mix(colour, "#D08A8A", 0.5) if "heizhu" not in slug else "#4A403C",
        )
        c.polygon([(x + 180, y - 85), (x + 215, y - 150), (x + 240, y - 80)], colour)
        c.circle(x + 240, y - 35, 9, "#FFFFFF" if "heizhu" in slug else "#3A2A28")
        c.arc((x - 270, y - 60, x - 200, y + 10), 90, 360, colour, 8)
        return
    colour = rng.choice(["#9C4F2E", "#A0552F", "#8B5A3C", "#B0703E"])
    x, y = 1120, 600
    c.ellipse(x + 20, y + 230, 300, 24, (0, 0, 0, 35))
    for lx in (-170, -110, 120, 180):
        c.rounded((x + lx - 22, y + 60, x + lx + 22, y + 230), 12, colour)
        c.rounded((x + lx - 22, y + 205, x + lx + 22, y + 232), 6, "#4A3326")
    c.rounded((x - 240, y - 110, x + 230, y + 110), 100, colour)
    c.ellipse(x - 40, y + 80, 140, 40, mix(colour, "#FFFFFF", 0.25))
    head = [
        (x + 200, y - 120),
        (x + 330, y - 140),
        (x + 380, y - 40),
        (x + 360, y + 10),
        (x + 290, y + 10),
        (x + 220, y - 40),
    ]
    c.polygon(head, colour)
    c.ellipse(x + 360, y - 10, 42, 30, mix(colour, "#000000", 0.25))
    c.polygon([(x + 250, y - 130), (x + 205, y - 175), (x + 275, y - 140)], "#E8DCC3")
    c.polygon([(x + 320, y - 140), (x + 350, y - 190), (x + 345, y - 135)], "#E8DCC3")
    c.ellipse(x + 225, y - 110, 36, 18, colour, -0.4)
    c.circle(x + 318, y - 80, 9, "#2A1E17")
    c.line(bezier((x - 235, y - 70), (x - 290, y), (x - 280, y + 120)), colour, 10)
    c.ellipse(x - 280, y + 135, 14, 26, "#4A3326")


def motif_aquatic(c: Canvas, rng, slug):
    for k in range(5):
        y = 300 + k * 130
        pts = [(x, y + 10 * math.sin(x / 60 + k)) for x in range(760, 1581, 20)]
        c.line(pts, (255, 255, 255, 110), 4)
    for k in range(rng.randint(2, 3)):
        x, y = 930 + k * 230 + rng.uniform(-30, 30), 420 + k * 150 + rng.uniform(-30, 30)
        s = rng.uniform(0.8, 1.1) * (1.15 if k == 0 else 1)
        body = rng.choice(["#5F7F96", "#6C8FA8", "#587A8E"])
        c.polygon(
            [
                (x - 170 * s, y),
                (x - 260 * s, y - 70 * s),
                (x - 240 * s, y),
                (x - 260 * s, y + 70 * s),
            ],
            body,
        )
        c.ellipse(x, y, 190 * s, 78 * s, body)
        c.ellipse(x + 10 * s, y + 28 * s, 150 * s, 38 * s, mix(body, "#FFFFFF", 0.35))
        c.ellipse(x + 120 * s, y - 5 * s, 75 * s, 66 * s, mix(body, "#000000", 0.12))
        c.polygon(
            [(x - 40 * s, y - 70 * s), (x + 30 * s, y - 120 * s), (x + 60 * s, y - 72 * s)], body
        )
        c.circle(x + 150 * s, y - 18 * s, 11 * s, "#FFFFFF")
        c.circle(x + 152 * s, y - 18 * s, 6 * s, "#1E2A33")
        for b in range(3):
            c.circle(x + 230 * s + b * 14, y - 60 * s - b * 45, 8 + b * 4, (255, 255, 255, 140))


def motif_fungi(c: Canvas, rng, slug):
    hills(c, rng, ["#CFC6B3", "#C1B69F"], base=900, amplitude=10)
    c.rounded((780, 700, 1540, 860), 80, "#8B6B4E")
    c.ellipse(1540, 780, 60, 80, "#A88563")
    for r in (50, 34, 18):
        c.ellipse(1540, 780, r * 0.75, r, mix("#A88563", "#6E5239", (50 - r) / 60))
    for k in range(8):
        c.line(
            [(800 + k * 90, 740 + (k % 3) * 30), (860 + k * 90, 745 + (k % 3) * 30)], "#735640", 4
        )
    if "muer" in slug:
        for k in range(7):
            x, y = 860 + k * 95 + rng.uniform(-15, 15), 690 - rng.uniform(0, 60)
            r = rng.uniform(80, 120)
            pts = []
            for i in range(40):
                a = math.pi * i / 39
                rr = r * (0.8 + 0.2 * math.sin(a * 5 + k))
                pts.append((x + math.cos(a) * rr, y - math.sin(a) * rr * 0.85))
            c.polygon(pts, "#3E3532")
            c.polygon([(x + (px - x) * 0.7, y - (y - py) * 0.62) for px, py in pts], "#56493F")
    elif "lingzhi" in slug:
        for k in range(3):
            x, y = 950 + k * 220, 640 - k * 30
            c.line([(x, y + 60), (x - 10, 700)], "#6E3B2A", 22)
            for i, colour in enumerate(("#7A2E1E", "#94412A", "#B0603A", "#D9A35F")):
                c.ellipse(x, y - i * 6, 150 - i * 30, 70 - i * 14, colour)
    else:
        for k in range(5):
            x, y = 880 + k * 140 + rng.uniform(-20, 20), 700
            h, r = rng.uniform(90, 150), rng.uniform(60, 85)
            c.rounded((x - 18, y - h, x + 18, y + 5), 14, "#EDE3D1")
            cap = [
                (x + math.cos(a) * r, y - h + 10 - math.sin(a) * r * 0.75)
                for a in (math.pi * i / 30 for i in range(31))
            ]
            c.polygon(cap, "#9B6B4A")
            for _ in range(5):
                c.circle(
                    x + rng.uniform(-r * 0.6, r * 0.6),
                    y - h - rng.uniform(10, r * 0.55),
                    6,
                    "#E9DCC5",
                )


def motif_fruit(c: Canvas, rng, slug):
    hills(c, rng, ["#D3C8D8", "#C6B9CC"], base=900, amplitude=10)
    if "xigua" in slug:
        x, y = 1170, 620
        c.ellipse(x + 10, y + 200, 330, 26, (0, 0, 0, 30))
        c.ellipse(x, y, 330, 210, "#3F7A3A")
        for k in range(-4, 5):
            c.ellipse(x + k * 62, y, 18, 205 - abs(k) * 18, "#2E5E2B")
        return
    if "pingguoli" in slug:
        for k, (x, y) in enumerate(((1040, 600), (1300, 560))):
            colour = "#C9C25A" if k else "#D0B84E"
            c.ellipse(x + 8, y + 190, 150, 20, (0, 0, 0, 30))
            c.circle(x, y + 60, 130, colour)
            c.circle(x, y - 70, 85, colour)
            c.ellipse(x - 60, y + 80, 30, 16, "#C46A4A", 0.3)
            c.line([(x, y - 150), (x + 12, y - 200)], "#6E4A2B", 10)
            leaf(c, x + 10, y - 185, x + 110, y - 215, 28, "#6E9B62")
        return
    grape = "putao" in slug
    colours = ["#4B2E5E", "#5B3570", "#3E2750"] if grape else ["#3E4F8A", "#4A5D9C", "#34447A"]
    for cluster in range(2 if grape else 3):
        cx = 1000 + cluster * (330 if grape else 220) + rng.uniform(-20, 20)
        cy = 420 + rng.uniform(-30, 60)
        c.line([(cx, cy - 130), (cx + 20, cy - 200)], "#6E4A2B", 8)
        leaf(c, cx + 10, cy - 160, cx + 150, cy - 220, 46, "#5E8C5A")
        rows = 7 if grape else 3
        for row in range(rows):
            n = max(1, (rows - row) if grape else rng.randint(2, 4))
            for i in range(n):
                r = 38 if grape else 42
                x = cx + (i - (n - 1) / 2) * r * 1.8 + rng.uniform(-6, 6)
                y = cy - 90 + row * r * 1.55 + rng.uniform(-6, 6)
                c.circle(x + 4, y + 6, r, (0, 0, 0, 25))
                c.circle(x, y, r, rng.choice(colours))
                c.circle(x - r * 0.35, y - r * 0.35, r * 0.22, (255, 255, 255, 90))
                if not grape:
                    c.circle(x, y - r * 0.82, r * 0.2, "#2A3560")


def motif_beverage(c: Canvas, rng, slug):
    hills(c, rng, ["#D8C7BE", "#CDB9AE"], base=900, amplitude=8)
    if "kuangquanshui" in slug:
        body, label = (170, 205, 225, 200), "#FFFFFF"
    elif "putaojiu" in slug:
        body, label = "#5B2333", "#F1E6D2"
    else:
        body, label = "#7A8C7E", "#C8452F"
    for k, (x, scale) in enumerate(((1060, 1.0), (1290, 0.86))):
        base = 880
        h, w = 520 * scale, 150 * scale
        c.ellipse(x + 10, base, w * 0.7, 18, (0, 0, 0, 35))
        c.rounded((x - w / 2, base - h, x + w / 2, base), 40 * scale, body)
        c.polygon(
            [
                (x - w / 2 + 12, base - h + 30),
                (x - 26 * scale, base - h - 110 * scale),
                (x + 26 * scale, base - h - 110 * scale),
                (x + w / 2 - 12, base - h + 30),
            ],
            body,
        )
        c.rounded(
            (x - 26 * scale, base - h - 190 * scale, x + 26 * scale, base - h - 100 * scale),
            10,
            body,
        )
        c.rounded(
            (x - 28 * scale, base - h - 200 * scale, x + 28 * scale, base - h - 160 * scale),
            8,
            mix(hex_rgb("#3A2A22"), (255, 255, 255), 0.1 * k),
        )
        c.rounded((x - w / 2 + 14, base - h * 0.62, x + w / 2 - 14, base - h * 0.3), 12, label)
        c.rounded(
            (x - w / 2 + 24, base - h + 20, x - w / 2 + 40, base - 40), 8, (255, 255, 255, 55)
        )
    if "kuangquanshui" in slug:
        for _ in range(8):
            x, y, r = rng.uniform(1400, 1540), rng.uniform(300, 700), rng.uniform(14, 26)
            c.circle(x, y, r, (120, 170, 200, 140))
            c.polygon(
                [(x - r * 0.9, y - r * 0.4), (x, y - r * 2.1), (x + r * 0.9, y - r * 0.4)],
                (120, 170, 200, 140),
            )


def motif_handicraft(c: Canvas, rng, slug):
    hills(c, rng, ["#C8D1C4", "#BAC5B5"], base=910, amplitude=6)
    x0, y0, x1, y1 = 860, 430, 1440, 840
    c.rounded((x0 + 14, y0 + 20, x1 + 14, y1 + 20), 50, (0, 0, 0, 40))
    c.rounded((x0, y0, x1, y1), 50, "#4E6B5E")
    for k in range(9):
        y = y0 + 30 + k * 42
        pts = [(x, y + 10 * math.sin(x / 70 + k)) for x in range(int(x0) + 30, int(x1) - 29, 20)]
        c.line(pts, "#5E7D6E" if k % 2 else "#6B8A7B", 6)
    c.rounded((x0 + 60, y0 + 60, x1 - 60, y1 - 60), 40, "#3F594D")
    c.ellipse((x0 + x1) / 2, y0 + 150, 160, 60, "#2C3E36")
    c.ellipse((x0 + x1) / 2, y0 + 150, 120, 40, "#1E2B25")
    c.rounded((1480, 380, 1540, 760), 12, "#2B2B2B")
    c.rounded((1480, 380, 1540, 430), 12, "#C9A54A")


def motif_brand(c: Canvas, rng, slug):
    peaks = [(700, 900, 380), (980, 900, 300), (1250, 900, 220), (1480, 900, 320)]
    for k, (x, base, top) in enumerate(peaks):
        half = rng.uniform(260, 340)
        colour = mix("#7FA3C0", "#5C82A3", k / 4)
        c.polygon([(x - half, base), (x, top), (x + half, base)], colour)
        cap = 0.28
        c.polygon(
            [
                (x - half * cap, top + (base - top) * cap),
                (x, top),
                (x + half * cap, top + (base - top) * cap),
                (x + half * cap * 0.4, top + (base - top) * cap * 0.8),
                (x, top + (base - top) * cap * 1.05),
                (x - half * cap * 0.5, top + (base - top) * cap * 0.82),
            ],
            "#F7FAFC",
        )
    c.polygon([(0, 880), (WIDTH, 860), (WIDTH, HEIGHT), (0, HEIGHT)], "#F4F8FB")
    for _ in range(9):
        x, y, r = rng.uniform(760, 1540), rng.uniform(110, 330), rng.uniform(22, 48)
        for a in range(6):
            ang = a * math.pi / 3
            ex, ey = x + math.cos(ang) * r, y + math.sin(ang) * r
            c.line([(x, y), (ex, ey)], (255, 255, 255, 230), 4)
            for t in (0.55,):
                bx, by = x + math.cos(ang) * r * t, y + math.sin(ang) * r * t
                for s in (-1, 1):
                    c.line(
                        [
                            (bx, by),
                            (
                                bx + math.cos(ang + s * 0.8) * r * 0.3,
                                by + math.sin(ang + s * 0.8) * r * 0.3,
                            ),
                        ],
                        (255, 255, 255, 230),
                        3,
                    )


MOTIFS = {
    "grain": motif_grain,
    "beans": motif_beans,
    "oilseed": motif_oilseed,
    "medicinal": motif_medicinal,
    "deer": motif_deer,
    "livestock": motif_livestock,
    "aquatic": motif_aquatic,
    "fungi": motif_fungi,
    "fruit": motif_fruit,
    "beverage": motif_beverage,
    "handicraft": motif_handicraft,
    "other": motif_oilseed,
    "brand": motif_brand,
}


# ------------------------------------------------------------------ composition
def fit_font(text: str, max_width: int, largest: int, smallest: int = 48):
    size = largest
    while size > smallest:
        font = load_font(size)
        if ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength(text, font=font) <= max_width:
            return font
        size -= 4
    return load_font(smallest)


def render(slug: str, theme: str, title: str, subtitle: str) -> Image.Image:
    top, bottom, ink = PALETTES[theme]
    rng = rng_for(slug)
    big = gradient(top, bottom)
    canvas = Canvas(big)
    # soft sun / glow behind the motif
    mask = Image.new("L", big.size, 0)
    ImageDraw.Draw(mask).ellipse([900 * SS, 120 * SS, 1500 * SS, 720 * SS], fill=80)
    big.paste((255, 255, 255), (0, 0, *big.size), mask.filter(ImageFilter.GaussianBlur(60 * SS)))
    MOTIFS[theme](canvas, rng, slug)
    image = big.resize((WIDTH, HEIGHT), Image.LANCZOS)

    draw = ImageDraw.Draw(image, "RGBA")
    name_font = fit_font(title, 700, 132)
    draw.text((96, 120), title, font=name_font, fill=ink)
    bbox = draw.textbbox((96, 120), title, font=name_font)
    draw.rectangle([98, bbox[3] + 34, 98 + 90, bbox[3] + 40], fill=ink)
    draw.text((98, bbox[3] + 62), subtitle, font=load_font(40), fill=mix(ink, "#FFFFFF", 0.25))

    label_font = load_font(26)
    tw = draw.textlength(CORNER_LABEL, font=label_font)
    x1, y1 = WIDTH - 36, HEIGHT - 32
    draw.rounded_rectangle([x1 - tw - 36, y1 - 50, x1, y1], radius=12, fill=(255, 255, 255, 190))
    draw.text((x1 - tw - 18, y1 - 43), CORNER_LABEL, font=label_font, fill=(60, 60, 60))
    return image


def save(image: Image.Image, path: Path) -> None:
    quality = 85
    while True:
        image.save(path, "JPEG", quality=quality, optimize=True, progressive=False)
        if path.stat().st_size <= MAX_BYTES or quality <= 50:
            return
        quality -= 5


def main() -> int:
    parser = argparse.ArgumentParser(description="Draw the sample images.")
    parser.add_argument("--sample", default=str(REPO / "gi_registry" / "sample" / "gi_sample.json"))
    parser.add_argument(
        "--out", default=None, help="output folder (default: images/ next to the sample)"
    )
    args = parser.parse_args()
    sample = Path(args.sample)
    out = Path(args.out) if args.out else sample.parent / "images"
    out.mkdir(parents=True, exist_ok=True)
    doc = json.loads(sample.read_text(encoding="utf-8"))

    manifest = {
        "products": {},
        "brands": {},
        "licence": "CC0-1.0",
        "note": "示意图，由 tools/make_sample_images.py 用 Pillow 生成，不是产品实物照片；"
        "Illustrations generated by tools/make_sample_images.py (Pillow), not photographs "
        "of the products. Released under CC0-1.0.",
    }
    for product in doc["products"]:
        name = f"product-{product['slug']}.jpg"
        subtitle = CATEGORY_LABELS.get(product["category"], "其他")
        theme = product["category"] if product["category"] in MOTIFS else "other"
        save(render(product["slug"], theme, product["name_zh"], subtitle), out / name)
        manifest["products"][product["slug"]] = [name]
    for brand in doc["brands"]:
        name = f"brand-{brand['slug']}.jpg"
        title = brand["name_zh"]
        if brand.get("sample"):
            subtitle = "示例品牌（虚构）"
        else:
            subtitle = {
                "regional": "区域品牌",
                "enterprise": "企业品牌",
                "tourism": "文旅品牌",
            }.get(brand["kind"], "品牌")
        save(render(brand["slug"], "brand", title, subtitle), out / name)
        manifest["brands"][brand["slug"]] = [name]
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    total = len(manifest["products"]) + len(manifest["brands"])
    print(f"wrote {total} images and manifest.json to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
