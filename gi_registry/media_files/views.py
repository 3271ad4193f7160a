"""``/media/<file>``: the JPEG sizes written under MEDIA_ROOT, by their content-hash names."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

from gi_registry.caching import exempt

# Named "media" so that url_for("media.file", filename=…) reads as what it serves.
bp = Blueprint("media", __name__)


@bp.route("/media/<path:filename>")
@exempt  # content-hash names: the file's own ETag and lifetime say everything
def file(filename: str):
    # Content-hash names never change meaning, so browsers and WeChat may cache them for a year.
    # send_from_directory refuses paths that leave MEDIA_ROOT (404), whatever their encoding.
    return send_from_directory(current_app.config["MEDIA_ROOT"], filename, max_age=31536000)
