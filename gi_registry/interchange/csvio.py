"""CSV for staff who work in spreadsheets: one file per kind, field names in the header, lists split on ';'.

A column left out of a file leaves that field untouched on existing records, so a sheet with only
``slug`` and ``summary`` updates summaries and nothing else. Files are UTF-8 (a BOM, as Excel writes
it, is accepted and written).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from gi_registry.interchange.schema import CSV_KINDS, FORMAT, csv_fields
from gi_registry.services.fields import Field

LIST_SEPARATOR = ";"
TRUE_WORDS = {"true", "1", "yes", "是", "y"}
FALSE_WORDS = {"false", "0", "no", "否", "n", ""}


class CSVFormatError(ValueError):
    pass


def kind_of(path: Path) -> str:
    kind = path.stem.lower()
    if kind not in CSV_KINDS:
        raise CSVFormatError(
            f"{path.name}: 无法从文件名判断数据种类，文件名应为 "
            + "、".join(f"{k}.csv" for k in CSV_KINDS)
        )
    return kind


def read_csv_files(paths: list[Path]) -> tuple[dict[str, Any], dict[tuple[str, int], str]]:
    """Read CSV files into one document, with labels that point errors at file and line."""
    document: dict[str, Any] = {"format": FORMAT}
    labels: dict[tuple[str, int], str] = {}
    for path in paths:
        kind = kind_of(path)
        rows = document.setdefault(kind, [])
        for line, row in _rows(path, csv_fields(kind)):
            labels[(kind, len(rows))] = f"{path.name} 第{line}行"
            rows.append(row)
    return document, labels


def _rows(path: Path, fields: list[Field]):
    """Yield (line, record) per data row; ``line`` is the physical line where the row starts."""
    specs = {f.name: f for f in fields}
    try:
        # newline="": line ends inside quoted cells reach the parser as written (a cell that begins
        # with a carriage return must read back as it was exported).
        with path.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise CSVFormatError(
            f"{path.name}: 文件不是 UTF-8 编码，请在表格软件中另存为 UTF-8 CSV"
        ) from None
    header = None
    for line, row in _records(path, text):
        if header is None:
            header = _header(path, row, fields)
        elif len(row) != len(header):
            # A short row would otherwise blank the trailing fields of a stored record.
            more = "多于" if len(row) > len(header) else "少于"
            raise CSVFormatError(f"{path.name} 第{line}行: 列数{more}表头")
        else:
            yield (
                line,
                {name: _cell(specs.get(name), v) for name, v in zip(header, row, strict=True)},
            )
    if header is None:
        _header(path, [], fields)


def _records(path: Path, text: str):
    """Yield (line, cells) per non-blank record, ``line`` counting physical lines from 1.

    csv.reader's own line_num is the last line it has read (a quoted cell may span lines), and on a
    syntax error it still points at the record before; counting the lines we hand it gives the
    line where each record starts.
    """
    lines = _LineCounter(io.StringIO(text, newline=""))
    # strict: an unclosed quote is an error, not a cell that silently swallows the rest of the file.
    reader = csv.reader(lines, strict=True)
    while True:
        start = lines.count + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CSVFormatError(f"{path.name} 第{start}行: CSV 格式错误（{error}）") from None
        if row:  # a blank line is no record
            yield start, row


class _LineCounter:
    """An iterator over lines that counts how many it has handed out."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        return line


def _header(path: Path, header: list[str], fields: list[Field]) -> list[str]:
    if len(set(header)) != len(header):
        raise CSVFormatError(f"{path.name}: 表头中有重复的列名")
    _require_columns(path, header, fields)
    return header


def _require_columns(path: Path, header: list[str], fields: list[Field]) -> None:
    """protections.csv replaces a product's protections whole, so it must carry every column."""
    if path.stem.lower() != "protections":
        return
    missing = [f.name for f in fields if f.name not in header]
    if missing:
        raise CSVFormatError(
            f"{path.name}: 缺少列 " + "、".join(missing) + "（保护记录须完整提供）"
        )


def _cell(spec: Field | None, value: str | None) -> Any:
    value = _unguard(value or "")
    if spec is None:
        return value  # unknown column: the validator reports it by name
    if spec.csv == "list":
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    if spec.csv == "bool":
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return value
    return value.strip() if spec.csv == "number" else value


def write_csv_files(
    document: dict[str, Any], folder: Path, omit: dict[str, tuple[str, ...]] | None = None
) -> list[Path]:
    """One CSV file per kind; ``omit`` names columns left out of a kind's file altogether."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in CSV_KINDS:
        left_out = (omit or {}).get(kind, ())
        fields = [f.name for f in csv_fields(kind) if f.name not in left_out]
        target = folder / f"{kind}.csv"
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            for row in _csv_rows(document, kind):
                writer.writerow({name: _format(row.get(name)) for name in fields})
        written.append(target)
    return written


def _csv_rows(document: dict[str, Any], kind: str):
    if kind != "protections":
        return document.get(kind, [])
    return [
        {"product": product["slug"], **protection}
        for product in document.get("products", [])
        for protection in product.get("protections", [])
    ]


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _guard(LIST_SEPARATOR.join(str(v) for v in value))
    return _guard(str(value))


# A cell starting with one of these is a formula to Excel and WPS (=HYPERLINK(...) runs on open).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The mark itself is guarded too: a value that begins with an apostrophe ('t Hooft) gets a second
# one, so the import can always tell the mark from the value and never eats a stored apostrophe.
GUARD = "'"
GUARDED_STARTS = (*FORMULA_STARTS, GUARD)


def _guard(text: str) -> str:
    """Export: make a would-be formula plain text with a leading apostrophe, as spreadsheets do."""
    return GUARD + text if text.startswith(GUARDED_STARTS) else text


def _unguard(text: str) -> str:
    """Import: drop the apostrophe that _guard added, and only that, so an export re-imports unchanged.

    _guard writes an apostrophe exactly when the value begins with a formula character or an
    apostrophe; a cell in that shape is read back without it. Any other leading apostrophe
    (typed by hand: 't Hooft) is part of the value.
    """
    if text.startswith(GUARD) and text[1:].startswith(GUARDED_STARTS):
        return text[1:]
    return text
