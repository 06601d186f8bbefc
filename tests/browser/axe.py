"""axe-core in the journeys: the engine comes from tests/browser/node_modules (npm ci in tests/browser).

The Content-Security-Policy runs no inline script, so the engine is not added as a <script>: it is
evaluated through the DevTools protocol (page.evaluate), which the policy does not govern.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# What a page may not have: «critical» and «serious» violations (issue 12).
BLOCKING = ("critical", "serious")


def axe_source() -> str:
    if not AXE_JS.exists():
        message = "axe-core не установлен: выполните `npm ci` в tests/browser"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, source: str) -> list[dict]:
    """The blocking violations of the page as it stands (WCAG 2.1 A/AA and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(0, 2).join(" ")
                ),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def describe(page_name: str, found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{page_name}: [{v['impact']}] {v['id']} — {v['help']}")
        lines += [f"    {node}" for node in v["nodes"]]
    return "\n".join(lines)
