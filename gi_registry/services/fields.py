"""Field parsers for the interchange format: each turns a raw JSON/CSV value into a clean one or raises.

Messages are Chinese (the UI's language); the validator prefixes them with the record path and field
name, e.g. ``products[3].region_codes: 未知的行政区划代码 229999``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gi_registry.credit_code import CreditCodeError, verify_credit_code
from gi_registry.models.base import is_partial_date
from gi_registry.models.regions import is_region_code

# Patterns are used with fullmatch and spelled with [0-9]: `$` lets a trailing newline through and
# `\d` matches full-width and other Unicode digits.
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# C0 controls except tab and newline (CR too: line ends are normalised first), DEL and the Unicode
# "noncharacters" never belong in text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# A lone surrogate (JSON's "\ud800" decodes to one) has no UTF-8 form: the database driver, a log
# line or a printed message would fail on it. A Python str never holds a valid pair as surrogates.
SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
UNENCODABLE = "含有无法编码的字符"
URL_RE = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]+", re.IGNORECASE)
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Lists travel through CSV cells separated by ';', so an item may not contain one.
LIST_SEPARATOR = ";"


class FieldError(ValueError):
    pass


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    name: str
    parse: Parser
    required: bool = False
    # How the field looks in a CSV cell: "text", "list" (split on ';'), "bool", "number".
    csv: str = "text"

    def __post_init__(self) -> None:
        # Every parser, present and future, refuses unencodable text before it looks at the value.
        object.__setattr__(self, "parse", encodable(self.parse))


def encodable(parse: Parser) -> Parser:
    """``parse``, preceded by a check that no string in the value (items and keys too) is unencodable."""

    def checked(value: Any) -> Any:
        check_encodable(value)
        return parse(value)

    return checked


def check_encodable(value: Any) -> None:
    if isinstance(value, str):
        if SURROGATE_RE.search(value):
            raise FieldError(UNENCODABLE)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            try:
                check_encodable(item)
            except FieldError as error:
                raise FieldError(f"第 {index + 1} 项：{error}") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_encodable(key)
            check_encodable(item)


def text(
    max_len: int, *, multiline: bool = False, exact: bool = False, allow_empty: bool = True
) -> Parser:
    """Text, trimmed. One line by default, with runs of white space folded to one space.

    ``multiline`` keeps line breaks (normalised to \\n); ``exact`` keeps inner spacing as given, for
    values such as official numbers that must read exactly as published.
    """

    def parse(value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FieldError("应为文本")
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        # Checked before folding: str.split() would silently turn some controls into spaces.
        if CONTROL_RE.search(value):
            raise FieldError("含有不允许的控制字符")
        if multiline:
            value = value.strip()
        elif exact:
            if "\n" in value:
                raise FieldError("不能换行")
            value = value.strip()
        else:
            value = " ".join(value.split())
        if not allow_empty and not value:
            raise FieldError("不能为空")
        if len(value) > max_len:
            raise FieldError(f"过长（{len(value)} 字，最多 {max_len} 字）")
        return value

    return parse


def optional_text(max_len: int, *, multiline: bool = False, exact: bool = False) -> Parser:
    inner = text(max_len, multiline=multiline, exact=exact)

    def parse(value: Any) -> str | None:
        return inner(value) or None

    return parse


def list_item(max_len: int) -> Parser:
    inner = text(max_len, allow_empty=False)

    def parse(value: Any) -> str:
        value = inner(value)
        if LIST_SEPARATOR in value:
            raise FieldError(f"不能含有分号“{LIST_SEPARATOR}”（CSV 中用它分隔列表）")
        return value

    return parse


def slug(value: Any) -> str:
    if value is None or value == "":
        raise FieldError("不能为空")
    if not isinstance(value, str):
        raise FieldError("应为文本")
    if not (2 <= len(value) <= 80) or not SLUG_RE.fullmatch(value):
        raise FieldError(f"标识 {value!r} 无效：只能用小写字母、数字和连字符，2至80个字符")
    return value


def field_name(key: Any) -> str:
    """A field name as it can be shown in a message: printable and short, whatever the input held."""
    text = str(key)
    return text if text.isprintable() and len(text) <= 40 else repr(text[:40])


def optional_slug(value: Any) -> str | None:
    return None if value in (None, "") else slug(value)


def choice(options: Mapping[str, str]) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            allowed = "、".join(options)
            raise FieldError(f"取值 {value!r} 无效，应为：{allowed}")
        return value

    return parse


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    raise FieldError("应为 true 或 false")


def partial_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not is_partial_date(value):
        raise FieldError(f"日期 {value!r} 无效，应为 YYYY、YYYY-MM 或 YYYY-MM-DD")
    return value


def iso_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    # fromisoformat alone also takes 20240101 and week dates such as 2025-W01-1.
    if not isinstance(value, str) or not ISO_DATE_RE.fullmatch(value):
        raise FieldError(f"日期 {value!r} 无效，应为 YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(f"日期 {value!r} 无效，应为 YYYY-MM-DD") from None


def decimal(places: int, *, maximum: Decimal = Decimal("1e12")) -> Parser:
    def parse(value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise FieldError("应为数字")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise FieldError(f"{value!r} 不是数字") from None
        if not number.is_finite() or number < 0 or number >= maximum:
            raise FieldError(f"数值 {value!r} 超出范围")
        if number != round(number, places):
            raise FieldError(f"最多保留 {places} 位小数")
        return number

    return parse


def url(value: Any, *, max_len: int = 1000) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not URL_RE.fullmatch(value.strip()):
        raise FieldError(f"网址 {str(value)[:80]!r} 无效，应以 http:// 或 https:// 开头")
    if len(value.strip()) > max_len:
        raise FieldError(f"网址过长（最多 {max_len} 个字符）")
    return value.strip()


def short_url(max_len: int) -> Parser:
    def parse(value: Any) -> str:
        return url(value, max_len=max_len) or ""

    return parse


def string_list(item: Parser, *, max_items: int = 50) -> Parser:
    def parse(value: Any) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise FieldError("应为列表")
        if len(value) > max_items:
            raise FieldError(f"最多 {max_items} 项")
        result = []
        for index, entry in enumerate(value):
            try:
                parsed = item(entry)
            except FieldError as error:
                raise FieldError(f"第 {index + 1} 项：{error}") from None
            if parsed not in result:
                result.append(parsed)
        return result

    return parse


def region_code(value: Any) -> str:
    if not isinstance(value, str) or not is_region_code(value):
        raise FieldError(f"行政区划代码 {value!r} 无效，应为6位数字")
    return value


def credit_code(value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError("应为文本")
    try:
        return verify_credit_code(value)
    except CreditCodeError as error:
        raise FieldError(str(error)) from None


def nested(value: Any) -> Any:
    """Placeholder parser for lists of objects: the validator walks them with their own field list."""
    return value
