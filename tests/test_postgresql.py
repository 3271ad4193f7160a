"""A PostgreSQL pass inside the default (SQLite) run, so that one command exercises both databases.

The whole suite also runs on PostgreSQL with GI_TEST_DB=postgresql (see README and .ci/run).
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from gi_registry import MIGRATIONS_DIR
from gi_registry.extensions import db
from gi_registry.interchange import export_document, import_document
from gi_registry.interchange.sample import load_sample
from gi_registry.services.reference import ensure_reference_data
from gi_registry.services.unit import unit_of_work
from tests.conftest import BACKEND, Databases, make_app, require_postgresql

pytestmark = pytest.mark.postgresql


@pytest.fixture
def pg_databases(tmp_path):
    if BACKEND == "postgresql":
        pytest.skip("the whole suite is running on PostgreSQL already")
    require_postgresql()
    dbs = Databases("postgresql", tmp_path)
    yield dbs
    dbs.drop_all()


def test_sample_loads_and_round_trips_on_postgresql(pg_databases, tmp_path):
    instance = tmp_path / "pg"
    instance.mkdir()
    app = make_app(instance, pg_databases.new_url(instance))
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        with unit_of_work(actor="test") as work:
            ensure_reference_data(work)
        load_sample()
        exported = export_document()
        assert len(exported["products"]) >= 24
        assert import_document(exported).ok
        assert export_document() == exported
        db.session.remove()
        db.engine.dispose()
