"""Configuration: defaults here, then ``instance/config.py``, then ``GI_*`` variables, then tests.

Environment variables use the ``GI_`` prefix and the key without it, e.g. ``GI_DATABASE_URL`` or
``GI_PER_PAGE``. Values are parsed as JSON where they can be (so ``GI_DEBUG=true`` is a bool).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO_ROOT = Path(__file__).resolve().parent.parent
# Alembic's scripts live inside the package so that the top level stays as the design card says.
MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")

# The province whose centre runs this deployment (GB/T 2260 code): 吉林省.
DEFAULT_HOME_REGION = "220000"


class Defaults:
    # None means "SQLite inside the instance"; resolved in resolve_database_url().
    DATABASE_URL: str | None = None
    HOME_REGION_CODE = DEFAULT_HOME_REGION
    PER_PAGE = 24
    # Seconds an import waits for another import to finish before it gives up and writes nothing.
    WRITE_LOCK_TIMEOUT = 60
    API_MAX_PER_PAGE = 100
    # The site's public address (https://gi.jl.gov.cn), for the absolute URLs in the API. Unset, the
    # API gives root-relative URLs: the request's Host header is never trusted for them.
    PUBLIC_URL: str | None = None
    # Search: the index lives in instance/search unless GI_SEARCH_INDEX_PATH says otherwise.
    SEARCH_DRAIN_ON_COMMIT = (
        True  # index a write right after its commit (else: `flask search sync`)
    )
    SEARCH_LOCK_TIMEOUT = 0.5  # seconds a request waits for the index writer before leaving rows
    SEARCH_REBUILD_PROCS = 2  # processes that analyse documents during `flask search rebuild`
    SEARCH_ENGINE = "whoosh"  # the engine behind search(); see docs/search.md, "The engine seam"
    SEARCH_PARALLEL_FROM = 5000  # documents: a rebuild of more is analysed by SEARCH_REBUILD_PROCS
    SEARCH_PENDING_GRACE = 5.0  # seconds an outbox row may wait before `search check` fails
    SEARCH_RETRY_AFTER = 30  # seconds, told to API clients while the index is being rebuilt
    # Uploads: a phone photo is rarely over 12 MB; anything larger is refused before Pillow sees it.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MEDIA_MAX_BYTES = 12 * 1024 * 1024
    MEDIA_MAX_PIXELS = 40_000_000
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = (
        None  # tokens live as long as the session; a form left open must still submit
    )
    # gzip text answers (pages, JSON, CSS, JS, SVG). Turn off behind a proxy that compresses itself.
    COMPRESS_RESPONSES = True
    COMPRESS_MIN_BYTES = 1024  # smaller bodies gain less than the header and the CPU cost
    # Finished public answers kept in memory per worker, per registry change (docs/caching.md).
    # 0 turns the store off; ETags and 304s still work.
    ANSWER_CACHE_BYTES = 64 * 1024 * 1024
    # The open data's licence as a Data Package licence ({"name": "CC-BY-4.0", "path": "https://…",
    # "title": "…"}); left unset, the /data/ page says none has been declared. Only the publisher
    # can choose it, so no default is guessed.
    OPEN_DATA_LICENSE: ClassVar[dict | None] = None
    # Where the registry's users are: "today" (may a producer use the GI mark?) and the dates pages
    # show follow this zone, not the server's. GI_TIMEZONE overrides it.
    TIMEZONE = "Asia/Shanghai"
    # The public guidance request form: at most this many requests per client address in the window
    # (seconds). Counted in the database, so the limit is the same whichever worker answers.
    GUIDANCE_RATE_LIMIT = 5
    GUIDANCE_RATE_WINDOW = 3600
    # The misuse report form (侵权投诉举报), counted the same way.
    REPORT_RATE_LIMIT = 5
    REPORT_RATE_WINDOW = 3600
    # Session cookies carry Secure when this is true; None (the default) means "when PUBLIC_URL is
    # https://" (docs/accounts.md). Set it to true behind TLS without a PUBLIC_URL.
    SESSION_COOKIE_SECURE: bool | None = None
    # Accounts (docs/accounts.md): login throttling per e-mail address, password-reset links.
    LOGIN_MAX_FAILURES = 5  # failed passwords within LOGIN_FAILURE_WINDOW before a lock-out
    LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
    LOGIN_LOCKOUT = 15 * 60  # seconds refused after the limit is reached, right password included
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid (and it works once)
    # Outgoing mail (password resets). Without MAIL_SERVER the link is written to the log instead.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the start (port 465)
    MAIL_FROM = "noreply@localhost"
    MAIL_TIMEOUT = 10  # seconds
    # Inquiries (docs/accounts.md): per user, counted in the database over the last hour.
    INQUIRY_MESSAGES_PER_HOUR = 20
    INQUIRY_THREADS_PER_HOUR = 5
    # A batch's scan page warns that its code may have been copied once it was scanned more often.
    TRACE_SCAN_WARNING = 50
    # Reverse proxies in front of the application that append the client's address to
    # X-Forwarded-For. 0: trust no header (the client's address is the connection's).
    PROXY_HOPS = 0


def instance_path_from_env() -> str:
    """The instance folder: ``GI_INSTANCE_PATH`` or ``<repo>/instance``; Flask needs it absolute."""
    configured = os.environ.get("GI_INSTANCE_PATH")
    path = Path(configured) if configured else REPO_ROOT / "instance"
    return str(path.resolve())


def resolve_database_url(config: dict, instance_path: str) -> str:
    url = config.get("DATABASE_URL") or config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "gi_registry.sqlite")
    # Accept the URLs people copy from hosting dashboards; we only ship the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_private_media(config: dict) -> None:
    """Refuse to start when private files (business licences) would lie under the public media
    folder, which /media/ and a web server in front serve to anyone."""
    private = Path(config["PRIVATE_MEDIA_ROOT"]).resolve()
    media = Path(config["MEDIA_ROOT"]).resolve()
    if private.is_relative_to(media) or media.is_relative_to(private):
        raise RuntimeError(
            f"PRIVATE_MEDIA_ROOT（{private}）不能与 MEDIA_ROOT（{media}）重叠：营业执照等文件会被公开"
        )


def check_timezone(name: str) -> None:
    """Refuse to start with a zone the system does not know, rather than fail on the first page."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise RuntimeError(
            f"TIMEZONE {name!r} 不是可识别的时区名称（例如 Asia/Shanghai）；"
            "若系统缺少时区数据，请安装 tzdata"
        ) from None


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, generating it on first start (never committed)."""
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        _write_new_key(key_file)
    key = key_file.read_text(encoding="ascii").strip()
    if not key:
        # An old crash may have left an empty file; an empty key would break every session and form.
        raise RuntimeError(f"{key_file} 是空文件：请删除它，下次启动时会重新生成密钥")
    return key


def _write_new_key(key_file: Path) -> None:
    # Written in full under a temporary name (mode 0600), then linked into place: when two workers
    # start at once, exactly one link succeeds and the other reads a complete key, never an empty file.
    fd, temp = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temp, key_file)
    finally:
        os.unlink(temp)
