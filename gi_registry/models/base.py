"""Shared column types and mixins for every model."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def now_utc() -> datetime:
    """The one clock of the application: timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python.

    SQLite has no time zones and returns naive values; PostgreSQL returns aware ones. Either way the
    application sees aware UTC, so comparisons never mix the two.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use now_utc()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSON documents stored in a column: jsonb on PostgreSQL (it has equality, so DISTINCT and GROUP BY over
# rows with JSON columns work, and it can be indexed), JSON text on SQLite.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

PARTIAL_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def is_partial_date(value: str) -> bool:
    """``YYYY``, ``YYYY-MM`` or a real calendar day ``YYYY-MM-DD`` (so not 2006-02-30)."""
    if not isinstance(value, str) or not PARTIAL_DATE_RE.match(value):
        return False
    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return True


class PartialDate(sa.TypeDecorator):
    """A date known to the year, the month or the day: ``2006``, ``2006-07`` or ``2006-07-09``.

    Official GI notices are often cited only by year ("2006年第191号公告"); storing them as a full date
    would invent a month and a day. Stored as text, so it sorts chronologically.
    """

    impl = sa.String(10)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and not is_partial_date(value):
            raise ValueError(f"not a partial ISO date: {value!r}")
        return value


def choice(name: str, values: tuple[str, ...]) -> sa.Enum:
    """A short string column restricted by a named CHECK constraint (portable across databases)."""
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
        validate_strings=True,
    )


class Private:
    """A model whose rows no public page, API answer or download ever shows.

    Accounts, the public's requests, the audit trail and bookkeeping rows. Committing only such rows
    does not move the registry's change marker (``services/changes.py``), so a login or a guidance
    request does not empty every worker's store of public answers. A model that any cached public
    answer reads, even as a count, must not be marked private: its pages would go stale.
    """


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)


class Archivable(Timestamped):
    """Registry records are evidence: they are archived, never hard-deleted."""

    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Versioned:
    """A row version that every UPDATE checks and bumps (optimistic concurrency).

    Two writers that loaded the same version cannot both save: the second UPDATE matches no row,
    SQLAlchemy raises ``StaleDataError`` and the unit of work reports a conflict. Writes that change
    only a record's collections (regions, protections, brands' products) touch ``updated_at`` so the
    row is updated and the check applies to them too (see ``services.history``).
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def render_migration_type(type_: str, obj, autogen_context):
    """Alembic hook: write the portable column type into migrations instead of our Python class.

    Migrations must not import application code that may change later; the stored type is plain.
    """
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, PartialDate):
        return "sa.String(length=10)"
    return False
