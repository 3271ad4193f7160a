"""The unit of work: the one place where registry writes are committed.

Views, CLI commands, the importer and tests open one unit per request or command::

    with unit_of_work(user=current_user) as work:
        save_product(work, form_data, expected_version=form.version.data)

Services write, flush and track history inside it; they never commit. On leaving the block the
history entries are written and the transaction commits (or, on any error or a dry run, rolls
back). Search updates ride along: the outbox rows are written by the session's flush hook in the
same transaction, and drained right after the commit.
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from gi_registry.extensions import db
from gi_registry.models import User, WriteLock, now_utc
from gi_registry.services.errors import BusyError, ConflictError
from gi_registry.services.history import History
from gi_registry.services.upsert import insert_unless_present

if TYPE_CHECKING:
    from gi_registry.services.writer import RecordWriter

IMPORT_LOCK = "import"
# Seconds between tries at a busy SQLite database; each try itself waits up to its busy_timeout
# (5 s, set in create_app) before it says "database is locked".
SQLITE_RETRY_PAUSE = 0.2
IMPORT_BUSY = (
    "另一个导入正在写入登记数据，等待 {timeout:g} 秒后仍未结束；未写入任何数据，请稍后重试。"
)


@dataclass
class Work:
    """Who is writing, and what this unit has written so far (history, the writer's lookups)."""

    actor: str
    user: User | None = None
    dry_run: bool = False
    history: History = field(init=False)
    writer: RecordWriter | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.history = History(self.actor, self.user.id if self.user else None)


def command_actor() -> str:
    """Who ran a command, for the audit trail: the login name where the system knows it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def actor_for(user: User | None, actor: str | None) -> str:
    if actor:
        return actor[:254]
    return user.email if user is not None else "system"


@contextmanager
def unit_of_work(
    *,
    user: User | None = None,
    actor: str | None = None,
    exclusive: str | None = None,
    dry_run: bool = False,
) -> Iterator[Work]:
    """One transaction: commit on success, roll back on any error or when ``dry_run``.

    ``exclusive`` names a write lock (``IMPORT_LOCK``) taken before anything is read, so two
    whole-file imports run one after the other instead of merging. A version conflict found at flush
    time becomes ``ConflictError``; a lock not had in time becomes ``BusyError``.
    """
    work = Work(actor=actor_for(user, actor), user=user, dry_run=dry_run)
    try:
        if exclusive:
            take_write_lock(exclusive, work.actor)
        yield work
        work.history.write()
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ConflictError() from None
    except BaseException:
        db.session.rollback()
        raise


def take_write_lock(
    name: str, holder: str, *, timeout: float | None = None, busy: str | None = None
) -> None:
    """Hold the named lock until this transaction ends; wait up to ``timeout`` seconds
    (WRITE_LOCK_TIMEOUT by default), then raise ``BusyError`` with the ``busy`` message.

    PostgreSQL: the UPDATE waits for the row (``lock_timeout`` bounds the wait), then later reads
    in this READ COMMITTED transaction see what the previous holder committed. SQLite: the UPDATE
    takes the database's write lock; a busy database is retried until the deadline. Take it before
    reading anything the lock guards: only reads after it see the previous holder's commit.
    """
    if timeout is None:
        timeout = float(current_app.config["WRITE_LOCK_TIMEOUT"])
    deadline = time.monotonic() + timeout
    while True:
        try:
            _update_lock_row(name, holder, timeout)
            break
        except OperationalError as error:
            db.session.rollback()
            if not _is_lock_wait(error) or time.monotonic() >= deadline:
                raise BusyError(busy or IMPORT_BUSY.format(timeout=timeout)) from None
            time.sleep(SQLITE_RETRY_PAUSE)
    # Objects loaded before the lock may predate the previous holder's commit.
    db.session.expire_all()


def _update_lock_row(name: str, holder: str, timeout: float) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # SET LOCAL takes no bind parameters; the value is a number we computed.
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = {int(timeout * 1000)}"))
    values = {"holder": holder[:254], "taken_at": now_utc()}
    update = sa.update(WriteLock).where(WriteLock.name == name).values(**values)
    if db.session.execute(update).rowcount == 0:
        # A lock's first use (or a database older than its row): two first users may race to
        # create the row, so create it only if absent, then take it as usual.
        insert_unless_present(WriteLock, "name", name=name, **values)
        db.session.execute(update)


def _is_lock_wait(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    # SQLite: "database is locked"; PostgreSQL: lock_timeout ("canceling statement due to lock timeout").
    return "database is locked" in text or "lock timeout" in text
