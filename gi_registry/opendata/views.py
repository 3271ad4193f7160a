"""/data/: the page that describes the downloads, and the downloads themselves."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, send_file

from gi_registry.caching import exempt
from gi_registry.opendata import files
from gi_registry.opendata.package import TABLES

bp = Blueprint("opendata", __name__)


@bp.route("/data/")
def index():
    found = files.downloads()
    return render_template(
        "opendata/index.html",
        downloads=found,
        tables=TABLES,
        license=current_app.config.get("OPEN_DATA_LICENSE"),
        json_name=files.JSON_NAME,
        zip_name=files.ZIP_NAME,
    )


def _send(found: files.Downloads, name: str, mimetype: str, *, packed: bool = False):
    """A built file with the version as its ETag, revalidated on every use (it changes with the registry)."""
    response = send_file(
        found.path(name + (".gz" if packed else "")),
        mimetype=mimetype,
        etag=found.version,
        last_modified=found.updated,
        conditional=True,
        max_age=0,
    )
    if packed:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.cache_control.no_cache = True
    return response


@bp.route("/data/gi-registry.json")
@exempt  # served from the built file, with its own ETag
def registry_json():
    found = files.downloads()
    gzip_ok = request.accept_encodings["gzip"] > 0
    return _send(found, files.JSON_NAME, "application/json", packed=gzip_ok)


@bp.route("/data/gi-registry-csv.zip")
@exempt
def registry_csv():
    response = _send(files.downloads(), files.ZIP_NAME, "application/zip")
    response.headers["Content-Disposition"] = f"attachment; filename={files.ZIP_NAME}"
    return response
