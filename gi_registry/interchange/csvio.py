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
    specs = {f.name: f for f in fields}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CSVFormatError(
            f"{path.name}: 文件不是 UTF-8 编码，请在表格软件中另存为 UTF-8 CSV"
        ) from None
    # strict: an unclosed quote is an error, not a cell that silently swallows the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        if len(set(header)) != len(header):
            raise CSVFormatError(f"{path.name}: 表头中有重复的列名")
        _require_columns(path, header, fields)
        for row in reader:
            if None in row:
                raise CSVFormatError(f"{path.name} 第{reader.line_num}行: 列数多于表头")
            if None in row.values():
                # A short row would otherwise blank the trailing fields of a stored record.
                raise CSVFormatError(f"{path.name} 第{reader.line_num}行: 列数少于表头")
            yield reader.line_num, {name: _cell(specs.get(name), v) for name, v in row.items()}
    except csv.Error as error:
        raise CSVFormatError(
            f"{path.name} 第{reader.line_num}行: CSV 格式错误（{error}）"
        ) from None


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


def write_csv_files(document: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in CSV_KINDS:
        fields = [f.name for f in csv_fields(kind)]
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


def _guard(text: str) -> str:
    """Export: make a would-be formula plain text with a leading apostrophe, as spreadsheets do."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unguard(text: str) -> str:
    """Import: drop the apostrophe that _guard added, so an export re-imports unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
