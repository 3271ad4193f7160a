"""The migrations build the schema the models describe, on SQLite and on PostgreSQL, and go back down."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from gi_registry import MIGRATIONS_DIR
from gi_registry.extensions import db
from tests.conftest import make_app


def fresh_app(databases, tmp_path):
    instance = tmp_path / "fresh"
    instance.mkdir()
    return make_app(instance, databases.new_url(instance))


def schema_diff() -> list:
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), db.metadata)


def test_upgrade_on_an_empty_database_matches_the_models(databases, tmp_path):
    app = fresh_app(databases, tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {
            "gi_products",
            "protections",
            "brands",
            "producers",
            "authorizations",
            "listings",
            "regions",
            "categories",
            "media_assets",
            "users",
        } <= tables
        assert schema_diff() == []
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_again(databases, tmp_path):
    app = fresh_app(databases, tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_diff() == []
        db.engine.dispose()


def test_constraints_have_predictable_names(ctx):
    inspector = sa.inspect(db.engine)
    foreign_keys = {fk["name"] for fk in inspector.get_foreign_keys("gi_products")}
    assert "fk_gi_products_category_id_categories" in foreign_keys
    uniques = {u["name"] for u in inspector.get_unique_constraints("producers")}
    assert "uq_producers_credit_code" in uniques


def test_init_db_is_idempotent(databases, tmp_path):
    from gi_registry.models import Region

    app = fresh_app(databases, tmp_path)  # not the fixture app: that one is initialised already
    runner = app.test_cli_runner()
    with app.app_context():
        first = runner.invoke(args=["init-db"])
        assert first.exit_code == 0, first.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 3348
        db.session.remove()
        second = runner.invoke(args=["init-db"])
        assert second.exit_code == 0, second.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 3348
        db.session.remove()
        db.engine.dispose()


def test_two_setups_started_at_once_both_succeed_and_load_everything_once(databases, tmp_path):
    """A deploy script run twice, or two hosts starting together, on one fresh database."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from gi_registry.models import AuditEntry, Category, Region

    app = fresh_app(databases, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GI_")} | {
        "GI_INSTANCE_PATH": app.instance_path,
        "GI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    command = [sys.executable, "-m", "flask", "--app", "gi_registry", "init-db"]
    root = Path(__file__).resolve().parent.parent
    setups = [
        subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [setup.communicate(timeout=300)[0].decode() for setup in setups]
    # Before the setup lock, the slower one failed: "table audit_entries already exists".
    assert [setup.returncode for setup in setups] == [0, 0], outputs
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 3348
        # Each region and category was created once: one history entry each, none from the second.
        reference = 3348 + db.session.scalar(sa.select(sa.func.count()).select_from(Category))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == reference
        db.session.remove()
        db.engine.dispose()
