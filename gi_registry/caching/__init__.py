"""HTTP caching: ETags and 304s, stored answers per registry change, gzip, digest-named static files.

See docs/caching.md. The marker that decides when a stored answer is stale is written by
services/changes.py on every commit that changes registry data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from gi_registry.caching import static_files
from gi_registry.caching.http import after_request, before_request, exempt
from gi_registry.caching.marker import Schedule, code_version, registry_marker
from gi_registry.caching.store import AnswerStore
from gi_registry.services import changes


@dataclass
class CacheState:
    store: AnswerStore
    code_version: str
    schedule: Schedule | None = field(default=None)


def init_app(app: Flask) -> None:
    changes.install()
    package = Path(__file__).resolve().parent.parent
    folders = [package, Path(app.template_folder or ""), Path(app.static_folder or "")]
    app.extensions["caching"] = CacheState(
        store=AnswerStore(int(app.config["ANSWER_CACHE_BYTES"])),
        code_version=code_version(*folders),
    )
    static_files.init_app(app)
    app.before_request(before_request)
    app.after_request(after_request)


__all__ = ["exempt", "init_app", "registry_marker"]
