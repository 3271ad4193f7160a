"""Small bar charts drawn as SVG on the server: no script, no library, no external service.

Each chart is a picture of numbers that the page also prints as a table, so the SVG is ``role="img"``
with a title, and its bars are not links (the table's rows are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360  # viewBox units; a phone shows it near 1:1, so 13-unit text stays readable at 375 px
LABEL_WIDTH = 118  # room for eight Chinese characters at 13 units
VALUE_WIDTH = 40  # room for the number after the longest bar
ROW_HEIGHT = 26
BAR_HEIGHT = 16
FONT_SIZE = 13
BAR_FILL = (
    "#2f7a5a"  # 5.3:1 on white: a bar is a graphical object that must stand out (WCAG 1.4.11)
)
TEXT_FILL = "#1f2a2e"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_length(value: int, highest: int, room: float) -> float:
    """How long a bar is: proportional to the highest value; a non-zero value always shows."""
    if value <= 0 or highest <= 0:
        return 0.0
    return max(1.0, room * value / highest)


def bar_chart(bars: Sequence[Bar], title: str) -> Markup:
    """Horizontal bars, one row each: label on the left, the bar, its number after it."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    highest = max((b.value for b in bars), default=0)
    height = max(1, len(bars)) * ROW_HEIGHT
    rows = []
    for i, bar in enumerate(bars):
        top = i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        baseline = top + BAR_HEIGHT / 2 + FONT_SIZE * 0.35
        length = bar_length(bar.value, highest, room)
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{baseline:g}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{top:g}" width="{length:.1f}" height="{BAR_HEIGHT}"'
            f' fill="{BAR_FILL}"/>'
            f'<text x="{LABEL_WIDTH + length + 5:.1f}" y="{baseline:g}">{bar.value}</text>'
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-label="{escape(title)}" font-size="{FONT_SIZE}" fill="{TEXT_FILL}">'
        f"<title>{escape(title)}</title>"
        f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height}" stroke="{TEXT_FILL}"/>'
        + "".join(rows)
        + "</svg>"
    )
