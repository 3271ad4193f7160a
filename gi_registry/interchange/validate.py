"""Validation of a whole ``gi-registry/1`` document: its envelope here, its records by the services' rules."""

from __future__ import annotations

from typing import Any

from gi_registry.interchange.schema import CSV_PROTECTION_FIELDS, FORMAT
from gi_registry.services.fields import field_name
from gi_registry.services.schema import KINDS
from gi_registry.services.validation import Issue, Validated, Validator

__all__ = ["Issue", "Validated", "validate"]


def validate(
    document: Any, *, labels: dict[tuple[str, int], str] | None = None, partial: bool = False
) -> Validated:
    validator = Validator(labels=labels, partial=partial)
    if not isinstance(document, dict):
        validator.issue("$", "文档应为 JSON 对象")
        return validator.result
    if document.get("format") != FORMAT:
        validator.issue("format", f"应为 {FORMAT!r}，实际为 {document.get('format')!r}")
    # protections.csv may carry products' protections as rows of their own (CSV input only).
    allowed = {"format", *KINDS, "protections"} if partial else {"format", *KINDS}
    for key in sorted(set(document) - allowed):
        validator.issue(field_name(key), "未知的字段")
    protections = None
    if partial and "protections" in document:
        protections = (CSV_PROTECTION_FIELDS, document["protections"])
    return validator.run(document, protections)
