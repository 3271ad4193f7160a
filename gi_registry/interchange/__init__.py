"""The interchange format ``gi-registry/1`` (JSON) and its CSV form: import, export, validation.

The rest of the application uses only the functions here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError

from gi_registry.interchange.csvio import CSVFormatError, read_csv_files, write_csv_files
from gi_registry.interchange.export import export_document
from gi_registry.interchange.schema import FORMAT
from gi_registry.interchange.validate import Issue, validate
from gi_registry.models import User
from gi_registry.models.producers import CONTACT_FIELDS
from gi_registry.services.bulk import write_document
from gi_registry.services.errors import ServiceError
from gi_registry.services.history import Outcome
from gi_registry.services.unit import IMPORT_LOCK, Work, unit_of_work

__all__ = [
    "FORMAT",
    "DocumentError",
    "ImportReport",
    "Issue",
    "export_document",
    "export_path",
    "import_document",
    "import_path",
    "read_document",
]


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    dry_run: bool = False
    # Each record written (or, on a dry run, that would be): kind, key, action, changed fields.
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.issue_count == 0

    def add_issue(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message))
        self.issue_count += 1


class DocumentError(ValueError):
    """The file could not be read as a document at all (not JSON, not UTF-8, unknown CSV name)."""


def import_document(
    document: Any,
    *,
    dry_run: bool = False,
    labels: dict[tuple[str, int], str] | None = None,
    partial: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: str | None = None,
    user: User | None = None,
    work: Work | None = None,
) -> ImportReport:
    """Validate the whole document, then write all of it in one transaction, or nothing.

    The import is a unit of work of its own, holding the import lock from before it reads anything
    until it commits: a second import waits for it (PostgreSQL) or for the database (SQLite) and then
    sees its result, so two imports never merge. With ``dry_run`` the writes are made and rolled
    back, so the counts are exact and database constraints are exercised too. ``partial`` is
    spreadsheet input: a field left out keeps its stored value. Given ``work``, the import joins
    that open unit instead (the caller took the lock and commits). The history names ``actor``,
    else ``user``'s e-mail, else "system".
    """
    report = ImportReport(dry_run=dry_run)
    try:
        if work is not None:
            _import_into(work, report, document, labels, partial, progress)
        else:
            with unit_of_work(user=user, actor=actor, exclusive=IMPORT_LOCK, dry_run=dry_run) as w:
                _import_into(w, report, document, labels, partial, progress)
    except _Refused:
        pass
    except ServiceError as error:
        report.add_issue("$", error.message)
    except (DataError, IntegrityError) as error:
        # Validation mirrors the columns, so this is a rule only the database knows; nothing was
        # written and the person gets a message, not a traceback.
        report.add_issue("$", database_refusal(error))
    return report


class _Refused(Exception):
    """Validation found errors: leave the unit of work so that it rolls back."""


def _import_into(work, report, document, labels, partial, progress) -> None:
    validated = validate(document, labels=labels, partial=partial)
    report.issues, report.issue_count = validated.issues, validated.issue_count
    if not report.ok:
        raise _Refused
    write_document(work, validated, progress)
    for kind, counts in work.history.write().items():
        report.created[kind] += counts["create"]
        report.updated[kind] += counts["update"] + counts["archive"]
        report.unchanged[kind] += counts["unchanged"]
    report.outcomes = work.history.outcomes


def database_refusal(error: DataError | IntegrityError) -> str:
    detail = str(error.orig).strip().splitlines()[0][:300] if error.orig else ""
    if isinstance(error, IntegrityError):
        return f"数据库拒绝了写入，未导入任何数据（{detail}）"
    return f"数据库拒绝了其中某个值，未导入任何数据（{detail}）"


def read_document(path: Path) -> tuple[Any, dict[tuple[str, int], str] | None]:
    """Read a JSON document, one CSV file, or a folder of CSV files."""
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise DocumentError(f"{path}: 文件夹中没有 CSV 文件")
        return _read_csv(files)
    if path.suffix.lower() == ".csv":
        return _read_csv([path])
    try:
        return json.loads(path.read_text(encoding="utf-8-sig")), None
    except UnicodeDecodeError:
        raise DocumentError(f"{path.name}: 文件不是 UTF-8 编码") from None
    except RecursionError:
        raise DocumentError(f"{path.name}: JSON 嵌套层级过深") from None
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"{path.name}: JSON 格式错误（第{error.lineno}行第{error.colno}列）：{error.msg}"
        ) from None
    except ValueError as error:
        # For example an integer of more than 4,300 digits, which Python refuses to parse.
        raise DocumentError(f"{path.name}: JSON 中有无法读取的值（{error}）") from None


def _read_csv(files: list[Path]):
    try:
        return read_csv_files(files)
    except CSVFormatError as error:
        raise DocumentError(str(error)) from None


def import_path(
    path: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: str | None = None,
    user: User | None = None,
) -> ImportReport:
    document, labels = read_document(path)
    return import_document(
        document,
        dry_run=dry_run,
        labels=labels,
        partial=labels is not None,  # CSV: a column left out keeps the stored value
        progress=progress,
        actor=actor,
        user=user,
    )


def export_path(path: Path, fmt: str | None = None, *, public: bool = False) -> list[Path]:
    """Write the registry to ``path``: JSON to a file, CSV to a folder of one file per kind.

    ``public``: only published records and no contact details (``export_document``)."""
    fmt = fmt or ("csv" if path.suffix.lower() in ("", ".csv") else "json")
    document = export_document(public=public)
    if fmt == "csv":
        folder = path.with_suffix("") if path.suffix.lower() in (".csv", ".json") else path
        omit = {"producers": CONTACT_FIELDS} if public else {}
        return write_csv_files(document, folder, omit=omit)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    temp = path.with_name(path.name + ".part")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)
    return [path]
