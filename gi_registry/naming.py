"""Derived name forms: pinyin with and without tones stripped, and initials (梅河大米 → meihedami, mhdm)."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict

_KEEP = re.compile(r"[0-9a-z]+")

# pypinyin reads 参 as "can" after words it does not know (林下参 → lin xia can). In product names
# 参 is nearly always ginseng (shēn); these phrases teach it the forms found in GI names.
load_phrases_dict(
    {
        phrase: [[syllable] for syllable in reading.split()]
        for phrase, reading in {
            "林下参": "lín xià shēn",
            "边条参": "biān tiáo shēn",
            "山参": "shān shēn",
            "园参": "yuán shēn",
            "鲜参": "xiān shēn",
            "红参": "hóng shēn",
            "白参": "bái shēn",
            "籽海参": "zǐ hǎi shēn",
            "西洋参": "xī yáng shēn",
        }.items()
    }
)


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
