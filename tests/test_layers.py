"""The house has layers (docs/architecture.md): imports point down, never up, and never in a cycle.

Every ``import`` in gi_registry/ is read with ``ast``, including those inside functions and under
``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "gi_registry"

# Rank of each unit (a top-level module or package of gi_registry). A unit may import units of a
# lower rank, and units of its own rank only where that forms no cycle.
RANKS = {
    # Leaves: no registry data, no web.
    "config": 0,
    "extensions": 0,
    "vocab": 0,
    "credit_code": 0,
    "placenames": 0,
    "naming": 0,
    "numbers": 0,
    "paging": 0,  # ?page= and ?per_page=, bounded
    "media": 0,  # Pillow in, bytes and facts out
    # The data model.
    "models": 1,
    "localtime": 1,
    # The search engine: documents from models, no web code.
    "search": 2,
    # Every write.
    "services": 3,
    # The interchange format: import (through services) and export.
    "interchange": 4,
    # Web features.
    "web": 5,
    "links": 5,  # URLs of records and pages, absolute where they leave the site
    "sharing": 5,  # QR codes, JSON-LD and Open Graph tags
    "errors": 5,
    "catalog": 5,
    "api": 5,
    "search_pages": 5,
    "media_files": 5,
    "stations": 5,
    "i18n": 5,
    "verify": 5,  # 专用标志核验: lookups, pages, QR labels
    "places": 5,  # the region map and /stats; uses catalog's queries
    "caching": 5,
    "seo": 5,
    "opendata": 5,
    "promotion": 5,
    "accounts": 5,  # sign-in, registration, password reset; access checks for owned pages
    "portal": 5,  # the producer dashboard: lays out the features' panels
    "matching": 5,  # 产销对接: scoring, candidates from indexes, /matching
    "trace": 5,  # batch trace codes (溯源): portal batches, QR label sheets, the scan page
    "organisations": 5,  # producer organisations in the portal: create, verify, members
    "listings": 5,  # supply and demand: boards, the portal's listing pages, its panel
    "reports": 5,  # misuse reports (侵权投诉举报): the public form, tracking, /staff/reports
    "inquiries": 5,  # questions about a listing and their threads
    "staff": 5,  # the staff area /staff/: dashboard, moderation, guidance requests
    # Wiring.
    "cli": 6,
    "__init__": 6,
}
# Web machinery that the engine layers must not touch: they are used by commands and workers too.
WEB_NAMES = {"Blueprint", "url_for", "request", "render_template", "redirect", "abort", "session"}
NO_WEB_UNITS = {"media", "models", "search", "services", "interchange"}


def unit_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return parts[0]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["gi_registry", *parts])


def imported_units(tree: ast.AST, this_module: str, root: Path) -> list[tuple[str, int]]:
    """(unit, line) for every import of a gi_registry unit, absolute or relative."""
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = this_module.split(".")[: -node.level or None]
                base = ".".join([*package, base]) if base else ".".join(package)
            names = [base]
            if base == "gi_registry":  # from gi_registry import search, vocab, MIGRATIONS_DIR
                names = [
                    f"gi_registry.{alias.name}" if is_unit(root, alias.name) else base
                    for alias in node.names
                ]
        for name in names:
            parts = name.split(".")
            if parts[0] == "gi_registry":
                found.append((parts[1] if len(parts) > 1 else "__init__", node.lineno))
    return found


def is_unit(root: Path, name: str) -> bool:
    return (root / name).is_dir() or (root / f"{name}.py").is_file()


def web_uses(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "markupsafe"):
            for alias in node.names:
                if alias.name in WEB_NAMES or node.module == "markupsafe":
                    found.append((f"{node.module}.{alias.name}", node.lineno))
    return found


def violations(root: Path) -> list[str]:
    """Every import that breaks the layers, and every cycle between units, as readable lines."""
    problems: list[str] = []
    edges: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = unit_of(path, root)
        if source not in RANKS:
            problems.append(f"{path.relative_to(root)}: unit {source!r} has no rank in RANKS")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(root)
        for target, line in imported_units(tree, module_name(path, root), root):
            if target == source:
                continue
            if target not in RANKS:
                problems.append(f"{where}:{line}: imports unknown unit {target!r}")
            elif RANKS[target] > RANKS[source]:
                problems.append(
                    f"{where}:{line}: {source} (rank {RANKS[source]}) imports {target} "
                    f"(rank {RANKS[target]})"
                )
            else:
                edges.setdefault(source, set()).add(target)
        if source in NO_WEB_UNITS:
            for name, line in web_uses(tree):
                problems.append(f"{where}:{line}: {source} uses web code {name}")
    problems += [f"import cycle: {' → '.join(cycle)}" for cycle in cycles(edges)]
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            found.append([*trail[trail.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(edges.get(node, ())):
            visit(target, [*trail, node])
        done.add(node)

    for node in sorted(edges):
        visit(node, [])
    return found


def test_the_package_keeps_its_layers():
    assert violations(PACKAGE_ROOT) == []


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"models/x.py": "def f():\n    from gi_registry.services import unit\n"},
            "models/x.py:2: models (rank 1) imports services (rank 3)",
        ),
        (
            {"services/x.py": "from gi_registry.interchange import import_document\n"},
            "services/x.py:1: services (rank 3) imports interchange (rank 4)",
        ),
        (
            {"search/x.py": "from flask import url_for\n"},
            "search/x.py:1: search uses web code flask.url_for",
        ),
        (
            {"media.py": "from markupsafe import Markup\n"},
            "media.py:1: media uses web code markupsafe.Markup",
        ),
        (
            {
                "catalog/a.py": "from gi_registry import api\n",
                "api/b.py": "import gi_registry.catalog\n",
            },
            "import cycle: api → catalog → api",
        ),
        ({"newthing.py": "x = 1\n"}, "newthing.py: unit 'newthing' has no rank in RANKS"),
        (
            {"services/deep/y.py": "from ... import catalog\n", "catalog/__init__.py": ""},
            "services/deep/y.py:1: services (rank 3) imports catalog (rank 5)",
        ),
    ],
)
def test_a_forbidden_import_is_reported(tmp_path, files, expected):
    root = write_tree(tmp_path / "gi_registry", files)
    assert expected in violations(root)


# Session calls that write. Only services write registry data; search commits its own outbox rows
# (derived data) after the registry's commit.
WRITE_CALLS = {"commit", "add", "add_all", "delete", "merge", "bulk_save_objects"}
WRITERS = {"services", "search"}


def session_writes(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or unit_of(path, root) in WRITERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_CALLS
                and isinstance(node.func.value, ast.Attribute | ast.Name)
                and getattr(node.func.value, "attr", getattr(node.func.value, "id", ""))
                == "session"
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}: session.{node.func.attr}")
    return found


def test_only_services_write_through_the_session():
    assert session_writes(PACKAGE_ROOT) == []


def test_a_write_outside_the_services_is_reported(tmp_path):
    root = write_tree(
        tmp_path / "gi_registry",
        {"catalog/views.py": "def save(obj):\n    db.session.add(obj)\n    db.session.commit()\n"},
    )
    assert session_writes(root) == [
        "catalog/views.py:2: session.add",
        "catalog/views.py:3: session.commit",
    ]
