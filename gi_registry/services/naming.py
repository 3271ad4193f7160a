"""Derived name forms: pinyin with and without tones stripped, and initials (梅河大米 → meihedami, mhdm)."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_KEEP = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=8192)
def name_pinyin(name: str) -> tuple[str, str]:
    """Return ("mei he da mi", "mhdm") for a Chinese name; Latin letters and digits pass through.

    pypinyin reads whole phrases, so polyphones come out right in context (长白山 → chang bai shan).
    """
    syllables: list[str] = []
    for token in lazy_pinyin(name, style=Style.NORMAL, errors=lambda text: [text]):
        syllables.extend(_KEEP.findall(token.lower().replace("ü", "v")))
    full = " ".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return full, initials


def apply_name_forms(record) -> None:
    """Refresh ``name_pinyin`` and ``name_initials`` from ``name_zh`` on any record that has them."""
    record.name_pinyin, record.name_initials = name_pinyin(record.name_zh)
