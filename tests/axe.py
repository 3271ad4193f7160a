"""axe-core in the browser tests: the npm package (tests/js), read from disk and evaluated in the page.

It is evaluated through the DevTools protocol, not added as a <script>, so the site's
Content-Security-Policy (no inline scripts) stays as strict under test as in production, and the
site itself never serves it. Install it with ``npm ci --prefix tests/js`` (CI does).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
# What fails a test: axe's two highest impacts. Moderate and minor ones are reported, not failed.
FAILING_IMPACTS = ("serious", "critical")


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        message = f"{AXE_SCRIPT} is missing: run `npm ci --prefix tests/js`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands; the violations of the WCAG 2.x A and AA rules."""
    page.evaluate(axe_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def assert_accessible(page, where: str) -> None:
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"{where}: axe found " + "; ".join(
        f"{v['id']} ({v['impact']}: {v['help']}) at {v['targets']}" for v in serious
    )
