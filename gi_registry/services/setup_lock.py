"""One database setup at a time: ``init-db`` and ``load-sample`` started twice must not race.

Two processes setting up the same fresh database (a deploy script run twice, two hosts starting
together) both ran the migrations: the slower one failed on a table the faster had just made
("table audit_entries already exists"), and both then loaded the reference data. The setup now
runs under a lock that the second process waits for; by then the schema is at head and the
reference data is there, so its own pass changes nothing.

PostgreSQL: a session-level advisory lock, so processes on different hosts wait for each other.
SQLite: an exclusive ``flock`` on a file beside the database (SQLite is one host's database).
"""

from __future__ import annotations

import fcntl
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from gi_registry.extensions import db

# Any fixed 64-bit number names the lock; this one is derived from a readable name.
ADVISORY_KEY = zlib.crc32(b"gi_registry database setup")
WAIT_SECONDS = 600  # a long migration of a big registry may hold it this long
POLL_SECONDS = 0.2


class SetupBusy(RuntimeError):
    """Another setup held the lock for longer than WAIT_SECONDS."""


@contextmanager
def setup_lock(wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(wait_seconds):
            yield
    else:
        with _file_lock(Path(db.engine.url.database or "gi_registry.sqlite"), wait_seconds):
            yield


@contextmanager
def _advisory_lock(wait_seconds: float) -> Iterator[None]:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"SET lock_timeout = {int(wait_seconds * 1000)}"))
        try:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        except sa.exc.OperationalError:
            raise SetupBusy(_busy_message(wait_seconds)) from None
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


@contextmanager
def _file_lock(database: Path, wait_seconds: float) -> Iterator[None]:
    path = database.with_name(database.name + ".setup-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    with open(path, "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SetupBusy(_busy_message(wait_seconds)) from None
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _busy_message(wait_seconds: float) -> str:
    return f"另一个进程正在初始化或升级数据库，等待 {wait_seconds:g} 秒后仍未结束；请稍后重试。"
