"""axe-core, the accessibility checker, run in the browser tests' pages (issue #5).

axe-core's JavaScript comes from the ``axe-playwright-python`` package, which bundles it: it is
put into the page and run there, with no network. Reports go to ``tests/artifacts/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import ARTIFACTS, NotebookPage

# WCAG 2.x A and AA rules, and axe's best practices (reported, not all failing).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}


def axe_script() -> str:
    """axe-core's JavaScript, as bundled by the axe-playwright-python package (no network)."""
    from axe_playwright_python import base

    return Path(base.AXE_FILE_PATH).read_text(encoding="utf-8")


# JupyterLab's <body> is 0 px high with overflow hidden (the shell inside it is absolutely
# positioned over the whole window). axe-core 4.12 then takes everything in a notebook for
# clipped away and silently skips its checks that need visible text (colour contrast above
# all). While axe runs, the body gets the window's height: nothing moves on screen.
AXE_RUN_JS = """async ([target, opts]) => {
  const body = document.body, height = body.style.height;
  body.style.height = '100vh';
  try { return await axe.run(target || document, opts); }
  finally { body.style.height = height; }
}"""


def run_axe(notebook: NotebookPage, root: Any | None = None) -> dict[str, Any]:
    """axe-core's results for ``root`` (a locator) or the whole page."""
    page = notebook.page
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    target = None if root is None else root.element_handle()
    return dict(page.evaluate(AXE_RUN_JS, [target, AXE_OPTIONS]))


def summary(results: dict[str, Any]) -> list[str]:
    lines = []
    for violation in results["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:3]
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} node(s)): "
            f"{violation['help']} -> {targets}"
        )
    return lines


def save_report(name: str, results: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(
        json.dumps({"summary": summary(results), "violations": results["violations"]}, indent=1),
        encoding="utf-8",
    )


def assert_no_serious(name: str, results: dict[str, Any]) -> None:
    save_report(name, results)
    serious = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not serious, "axe-core finds serious violations in the widget:\n" + "\n".join(
        summary({"violations": serious})
    )
