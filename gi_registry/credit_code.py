"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Eighteen characters: registration authority (1), organisation type (1), the registering
authority's division code (6), the organisation code (9) and a check character (1), all drawn
from 31 characters: the digits and the capitals without I, O, Z, S and V.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(ALPHABET)}
# Weight of position i is 3**i mod 31 (GB 32100-2015, 5.3).
WEIGHTS = [pow(3, i, 31) for i in range(17)]


class CreditCodeError(ValueError):
    """Raised with a message in Chinese that a form can show next to the field."""


def normalize_credit_code(raw: str) -> str:
    """Fold full-width characters, drop spaces and hyphens, upper-case: what people paste varies."""
    folded = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-").upper()


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def verify_credit_code(raw: str) -> str:
    """Return the normalised code, or raise CreditCodeError saying what is wrong."""
    code = normalize_credit_code(raw)
    if len(code) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        raise CreditCodeError(
            "统一社会信用代码含有不允许的字符：" + "、".join(bad) + "（不使用I、O、Z、S、V）"
        )
    if not code[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第3至8位应为行政区划代码（6位数字）")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError("统一社会信用代码校验位不正确，请核对后重新输入")
    return code


def is_valid_credit_code(raw: str) -> bool:
    try:
        verify_credit_code(raw)
    except CreditCodeError:
        return False
    return True
