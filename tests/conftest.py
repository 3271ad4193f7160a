"""Fixtures: every test gets its own instance folder and its own database.

A database is built once per session (migrations + reference data, and once more with the sample)
and copied for each test: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. Tests
may therefore commit freely, which the import and CLI tests need.

``GI_TEST_DB=postgresql`` runs the suite on the PostgreSQL server at ``GI_TEST_PG_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). Without a server those tests
skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gi_registry import create_app
from gi_registry.extensions import db

PG_URL = os.environ.get("GI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("GI_TEST_DB", "sqlite")
# GI_* variables the harness reads itself; every other one is meant for a real instance.
HARNESS_VARIABLES = frozenset(
    {"GI_TEST_DB", "GI_TEST_PG_URL", "GI_SCREENSHOT_DIR", "GI_TEST_BROWSER_ON_POSTGRESQL"}
)


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run in the SQLite suite only, unless GI_TEST_BROWSER_ON_POSTGRESQL=1.

    They check what only a browser sees (layout on a phone, the CSP as Chromium enforces it, scripts,
    axe); every server answer they drive is also tested through the test client on both databases.
    Run twice, they were the largest share of CI's time on its two cores.
    """
    if BACKEND != "postgresql" or os.environ.get("GI_TEST_BROWSER_ON_POSTGRESQL") == "1":
        return
    skip = pytest.mark.skip(
        reason="browser tests run in the SQLite suite (GI_TEST_BROWSER_ON_POSTGRESQL=1 to run them here)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def no_gi_environment() -> Iterator[None]:
    """Remove the shell's GI_* variables for the whole run.

    create_app reads every GI_* variable (from_prefixed_env), so a developer's GI_PER_PAGE or
    GI_SEARCH_INDEX_PATH would change what the tests run against, or write into a real index.
    Session-scoped and autouse, so it runs before the session templates are built; a test may still
    set a GI_* variable through ``monkeypatch`` (or pass one to a subprocess) on purpose.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("GI_") and name not in HARNESS_VARIABLES:
                patch.delenv(name)
        yield


def pg_admin_engine() -> sa.Engine:
    # NullPool: a connection closes when released, so no socket outlives the admin statement.
    return sa.create_engine(
        PG_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": 3},
    )


def require_postgresql() -> None:
    """Skip when no server answers, except in CI where a missing server is a failure."""
    try:
        with pg_admin_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {error}")
        pytest.skip("PostgreSQL is not reachable")


def pg_url(name: str) -> str:
    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


class Databases:
    """Creates databases for one backend: from scratch, or as copies of a template."""

    def __init__(self, backend: str, root: Path):
        self.backend = backend
        self.root = root
        self.created: list[str] = []
        self.tag = uuid.uuid4().hex[:8]

    def new_url(self, instance: Path, template: str | None = None) -> str:
        if self.backend == "sqlite":
            target = instance / "gi_registry.sqlite"
            if template:
                shutil.copyfile(template, target)
            return "sqlite:///" + str(target)
        name = f"gi_test_{self.tag}_{len(self.created)}"
        with pg_admin_engine().connect() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return pg_url(name)

    def template_from(self, app, instance: Path) -> str:
        """Freeze the app's database as a template for copies."""
        with app.app_context():
            db.engine.dispose()
        if self.backend == "sqlite":
            return str(instance / "gi_registry.sqlite")
        return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database

    def drop(self, url: str) -> None:
        """Drop one test's database as soon as the test is done with it.

        A whole run creates several hundred; kept until the end of the run, they fill the cluster's
        disk, and every DROP then waits behind the others' checkpoints.
        """
        if self.backend == "sqlite":
            return
        name = sa.engine.make_url(url).database
        with pg_admin_engine().connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def drop_all(self) -> None:
        if self.backend == "sqlite" or not self.created:
            return
        with pg_admin_engine().connect() as conn:
            for name in reversed(self.created):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def make_app(instance: Path, url: str, **extra):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": None,
    }
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[Databases]:
    if BACKEND == "postgresql":
        require_postgresql()
    dbs = Databases(BACKEND, tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def empty_template(databases, tmp_path_factory) -> tuple[str, Path]:
    """A migrated database with reference data (regions, categories) and nothing else."""
    from gi_registry.cli import init_database

    instance = tmp_path_factory.mktemp("template-empty")
    app = make_app(instance, databases.new_url(instance))
    with app.app_context():
        init_database()
    return databases.template_from(app, instance), instance


@pytest.fixture(scope="session")
def sample_template(databases, empty_template, tmp_path_factory) -> tuple[str, Path]:
    """The empty template plus the shipped sample data and its images."""
    from gi_registry.interchange.sample import load_sample

    instance = tmp_path_factory.mktemp("template-sample")
    # The empty template's index comes with its database: only a rebuild creates an index.
    shutil.copytree(empty_template[1] / "search", instance / "search")
    app = make_app(instance, databases.new_url(instance, empty_template[0]))
    with app.app_context():
        load_sample()
    return databases.template_from(app, instance), instance


def _app_from(template, databases, tmp_path):
    source, source_instance = template
    instance = tmp_path / f"instance-{uuid.uuid4().hex[:6]}"
    instance.mkdir()
    # The template's media files and search index belong with its database: copy them too.
    for folder in ("media", "search"):
        if (source_instance / folder).exists():
            shutil.copytree(source_instance / folder, instance / folder)
    app = make_app(instance, databases.new_url(instance, source))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def app(empty_template, databases, tmp_path):
    yield from _app_from(empty_template, databases, tmp_path)


@pytest.fixture
def sample_app(sample_template, databases, tmp_path):
    yield from _app_from(sample_template, databases, tmp_path)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def sample_ctx(sample_app):
    with sample_app.app_context():
        yield sample_app


@pytest.fixture
def client(sample_app):
    return sample_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
