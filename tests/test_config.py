"""Configuration: where each setting comes from, where the instance lives, the secret key, SQLite."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from gi_registry import create_app
from gi_registry.config import DEFAULT_HOME_REGION, REPO_ROOT, Defaults
from gi_registry.extensions import db
from tests.conftest import HARNESS_VARIABLES

# The shell's GI_* variables are removed for the whole run by conftest.no_gi_environment; these
# tests set the ones they need through monkeypatch.


def build(instance: Path, **config):
    return create_app({"INSTANCE_PATH": str(instance), **config})


def write_instance_config(instance: Path, text: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text, encoding="utf-8")


def test_defaults_apply_without_any_configuration(tmp_path):
    app = build(tmp_path)
    assert app.config["PER_PAGE"] == 24
    assert app.config["HOME_REGION_CODE"] == "220000"
    assert app.config["MEDIA_ROOT"] == str(tmp_path / "media")


def test_instance_config_overrides_defaults(tmp_path):
    write_instance_config(tmp_path, "PER_PAGE = 5\nHOME_REGION_CODE = '220500'\n")
    app = build(tmp_path)
    assert (app.config["PER_PAGE"], app.config["HOME_REGION_CODE"]) == (5, "220500")


def test_environment_overrides_instance_config_and_is_parsed_as_json(tmp_path, monkeypatch):
    write_instance_config(tmp_path, "PER_PAGE = 5\nHOME_REGION_CODE = '220500'\n")
    monkeypatch.setenv("GI_PER_PAGE", "7")
    monkeypatch.setenv("GI_SESSION_COOKIE_SECURE", "true")
    app = build(tmp_path)
    assert app.config["PER_PAGE"] == 7
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["HOME_REGION_CODE"] == "220500"  # not set in the environment: kept


def test_test_config_overrides_everything(tmp_path, monkeypatch):
    write_instance_config(tmp_path, "PER_PAGE = 5\n")
    monkeypatch.setenv("GI_PER_PAGE", "7")
    assert build(tmp_path, PER_PAGE=9).config["PER_PAGE"] == 9


def test_gi_instance_path_moves_the_instance(tmp_path, monkeypatch):
    repo_instance = sorted(p.name for p in (REPO_ROOT / "instance").iterdir())
    instance = tmp_path / "elsewhere" / "instance"
    monkeypatch.setenv("GI_INSTANCE_PATH", str(instance))
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'gi_registry.sqlite'}"
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE probe (id INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    assert (instance / "gi_registry.sqlite").is_file()
    assert (instance / "secret_key").is_file()
    assert app.config["MEDIA_ROOT"] == str(instance / "media")
    assert sorted(p.name for p in (REPO_ROOT / "instance").iterdir()) == repo_instance


def test_gi_instance_path_reads_config_py_from_the_moved_instance(tmp_path, monkeypatch):
    write_instance_config(tmp_path / "moved", "PER_PAGE = 3\n")
    monkeypatch.setenv("GI_INSTANCE_PATH", str(tmp_path / "moved"))
    assert create_app().config["PER_PAGE"] == 3


def test_secret_key_is_generated_once_private_and_reused(tmp_path):
    first = build(tmp_path).config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert len(first) == 64 and key_file.read_text(encoding="ascii") == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert build(tmp_path).config["SECRET_KEY"] == first
    assert build(tmp_path / "other").config["SECRET_KEY"] != first


def test_a_configured_secret_key_writes_no_file(tmp_path):
    assert build(tmp_path, SECRET_KEY="given").config["SECRET_KEY"] == "given"
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_secret_key_file_is_never_used_as_the_key(tmp_path):
    # What a crash between creating the file and writing the key leaves behind.
    (tmp_path / "secret_key").write_text("", encoding="ascii")
    with pytest.raises(RuntimeError, match="secret_key"):
        build(tmp_path)


def test_a_worker_that_loses_the_race_reads_the_winners_key(tmp_path, monkeypatch):
    real_link = os.link

    def another_worker_wins(source, target):
        Path(target).write_text("the-winners-key", encoding="ascii")
        real_link(source, target)

    monkeypatch.setattr(os, "link", another_worker_wins)
    assert build(tmp_path).config["SECRET_KEY"] == "the-winners-key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary file left


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        (
            "postgresql://u:p@h:5433/db?sslmode=require",
            "postgresql+psycopg://u:p@h:5433/db?sslmode=require",
        ),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////srv/gi/gi.sqlite", "sqlite:////srv/gi/gi.sqlite"),
    ],
)
def test_database_urls_from_the_environment(tmp_path, monkeypatch, given, expected):
    monkeypatch.setenv("GI_DATABASE_URL", given)
    app = build(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    assert not (tmp_path / "gi_registry.sqlite").exists()


def test_default_database_is_sqlite_in_the_instance(tmp_path):
    app = build(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'gi_registry.sqlite'}"


def pragma(name: str):
    return db.session.execute(sa.text(f"PRAGMA {name}")).scalar()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    app = build(tmp_path)
    with app.app_context():
        try:
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") == 5000
            db.session.execute(sa.text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
            db.session.execute(
                sa.text("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))")
            )
            with pytest.raises(sa.exc.IntegrityError):
                db.session.execute(sa.text("INSERT INTO child VALUES (42)"))
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def test_the_time_zone_defaults_to_china_and_follows_gi_timezone(tmp_path, monkeypatch):
    assert build(tmp_path).config["TIMEZONE"] == "Asia/Shanghai"
    monkeypatch.setenv("GI_TIMEZONE", "Asia/Urumqi")
    assert build(tmp_path).config["TIMEZONE"] == "Asia/Urumqi"


@pytest.mark.parametrize("name", ["Asia/Nowhere", "../etc/passwd", "", 8])
def test_an_unknown_time_zone_stops_the_start(tmp_path, name):
    with pytest.raises(RuntimeError, match="TIMEZONE"):
        build(tmp_path, TIMEZONE=name)


def test_json_responses_keep_chinese_characters(tmp_path):
    app = build(tmp_path)
    with app.app_context():
        assert app.json.dumps({"name": "梅河大米"}) == '{"name": "梅河大米"}'


# What a developer's shell might hold; none of it may reach the apps the fixtures build.
SHELL_VARIABLES = {
    "GI_PER_PAGE": "3",
    "GI_HOME_REGION_CODE": '"220500"',
    "GI_SEARCH_DRAIN_ON_COMMIT": "false",
}


def test_the_fixture_app_is_built_from_defaults_and_test_settings_only(app):
    """Also run on its own, with SHELL_VARIABLES set, by the next test."""
    assert app.config["PER_PAGE"] == Defaults.PER_PAGE
    assert app.config["HOME_REGION_CODE"] == DEFAULT_HOME_REGION
    assert app.config["SEARCH_DRAIN_ON_COMMIT"] is True
    assert app.config["SEARCH_INDEX_PATH"] == str(Path(app.instance_path) / "search")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == app.config["DATABASE_URL"]
    assert {n for n in os.environ if n.startswith("GI_")} <= HARNESS_VARIABLES


def test_gi_variables_in_the_shell_do_not_reach_the_fixture_apps(tmp_path):
    leaked_index, leaked_db = tmp_path / "leaked-index", tmp_path / "leaked.sqlite"
    shell = {
        **os.environ,
        **SHELL_VARIABLES,
        "GI_SEARCH_INDEX_PATH": str(leaked_index),
        "GI_DATABASE_URL": f"sqlite:///{leaked_db}",
    }
    probe = f"{__file__}::test_the_fixture_app_is_built_from_defaults_and_test_settings_only"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", probe],
        cwd=REPO_ROOT,
        env=shell,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    assert not leaked_index.exists() and not leaked_db.exists()
