"""Jilin GI & Brand Registry: the registry and public site of a GI showcase and promotion centre."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gi_registry.config import (
    MIGRATIONS_DIR,
    REPO_ROOT,
    Defaults,
    check_private_media,
    check_timezone,
    instance_path_from_env,
    load_or_create_secret_key,
    resolve_database_url,
)
from gi_registry.extensions import babel, csrf, db, migrate

__all__ = ["MIGRATIONS_DIR", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build an application. Config order: defaults, instance/config.py, GI_* variables, test_config."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or instance_path_from_env()
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("GI")
    if test_config:
        app.config.update(test_config)

    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = resolve_database_url(app.config, app.instance_path)
    app.config.setdefault("MEDIA_ROOT", str(Path(app.instance_path) / "media"))
    # Business licences and other files only staff and their owners may open: never under MEDIA_ROOT.
    app.config.setdefault("PRIVATE_MEDIA_ROOT", str(Path(app.instance_path) / "private"))
    check_private_media(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    check_timezone(app.config["TIMEZONE"])
    # JSON_AS_ASCII is ignored since Flask 2.3; the provider's own switch keeps Chinese readable.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    _trust_proxies(app)
    _init_extensions(app)
    _init_templates(app)
    _init_routing(app)
    _register_blueprints(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address from X-Forwarded-For, as set by PROXY_HOPS proxies we run: the
    guidance form's rate limit counts per client, not per proxy. Host and scheme headers are still
    not trusted."""
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0
        )


def _init_extensions(app: Flask) -> None:
    from gi_registry import models  # noqa: F401  (every table must be known before migrations run)

    db.init_app(app)
    from gi_registry.models.base import render_migration_type

    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS_DIR,
        render_as_batch=True,
        render_item=render_migration_type,
    )
    csrf.init_app(app)
    from gi_registry import accounts, search

    search.init_app(app)
    accounts.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys and use WAL so readers never block the writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _init_templates(app: Flask) -> None:
    from gi_registry import caching, i18n, web

    # Every user-facing string goes through _(); Chinese is written in the source and English comes
    # from the catalogue under gi_registry/translations (see docs/i18n.md).
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(i18n.TRANSLATIONS_DIR),
    )
    web.init_app(app)
    # After web: its after_request (security headers) then runs after caching's, on stored answers too.
    caching.init_app(app)
    i18n.init_app(app)  # after web: its ``vocab`` global replaces web's with translated labels


def _init_routing(app: Flask) -> None:
    from gi_registry.catalog.converters import CONVERTERS

    # Before the blueprints: a rule looks its converters up when it is added.
    app.url_map.converters.update(CONVERTERS)


def _register_blueprints(app: Flask) -> None:
    from gi_registry import cli, errors
    from gi_registry.accounts import bp as accounts_bp
    from gi_registry.api import bp as api_bp
    from gi_registry.catalog import bp as catalog_bp
    from gi_registry.i18n import bp as i18n_bp
    from gi_registry.inquiries import bp as inquiries_bp
    from gi_registry.listings import bp as listings_bp
    from gi_registry.matching import bp as matching_bp
    from gi_registry.media_files import bp as media_bp
    from gi_registry.opendata import bp as opendata_bp
    from gi_registry.organisations import bp as organisations_bp
    from gi_registry.places import bp as places_bp
    from gi_registry.portal import bp as portal_bp
    from gi_registry.promotion import bp as promotion_bp
    from gi_registry.reports import bp as reports_bp
    from gi_registry.reports import staff_bp as report_staff_bp
    from gi_registry.search_pages import bp as search_bp
    from gi_registry.seo import bp as seo_bp
    from gi_registry.staff import bp as staff_bp
    from gi_registry.stations import bp as stations_bp
    from gi_registry.trace import bp as trace_bp
    from gi_registry.verify import bp as verify_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(seo_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(promotion_bp)
    app.register_blueprint(stations_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(trace_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(listings_bp)
    app.register_blueprint(inquiries_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(report_staff_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # read-only JSON API: GET only, no cookies needed
    errors.init_app(app)
    cli.init_app(app)
