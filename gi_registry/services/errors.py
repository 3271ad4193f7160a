"""What a service refuses, in the UI's language: forms, the importer and the CLI show these as they are."""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    """A write that was refused; nothing of it was saved. ``message`` is for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """Input that breaks the rules. ``errors`` maps each field (``name_zh``, ``protections[1].kind``,
    ``$`` for the record as a whole) to a Chinese message naming what is wrong."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(f"{field}: {message}" for field, message in self.errors.items()))


class ConflictError(ServiceError):
    """Someone else saved the same record since it was read: nothing was overwritten."""

    def __init__(
        self, message: str = "该记录已被他人修改，未保存您的更改。请刷新后查看最新内容再修改。"
    ):
        super().__init__(message)


class BusyError(ServiceError):
    """Another whole-registry writer (an import) holds the lock for longer than we wait."""


class NotFoundError(ServiceError):
    pass
