"""Fixtures of the browser tests: one JupyterLab server and one Chromium per test worker.

The browser tests need the python package ``playwright`` (a dev dependency) and Debian's
Chromium (``make test`` installs it with apt when it runs as root). When either is missing they
are skipped with the reason, except under CI (the variable ``CI`` is set), where a missing
browser is a failure: CI must run them.

Every test gets its own folder under the server's root, its own notebook, kernel and browser
context (so its own page), and leaves a screenshot in ``tests/artifacts/`` when it fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from harness import (
    ARTIFACTS,
    LabServer,
    NotebookPage,
    OpenNotebook,
    launch_chromium,
    unavailable_reason,
    write_notebook,
)

VIEWPORT = {"width": 1280, "height": 1000}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def browser_available() -> None:
    """Skip (or, under CI, fail) when the browser tests cannot run here."""
    reason = unavailable_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def lab_server(
    browser_available: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    """A JupyterLab server of the tests' own, on a temporary root folder."""
    root = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    server = LabServer(root, home=home)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def browser(browser_available: None) -> Iterator[Any]:
    """Debian's Chromium, headless, driven by playwright."""
    with launch_chromium() as chromium:
        yield chromium


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def open_notebook(
    request: pytest.FixtureRequest, lab_server: LabServer, browser: Any
) -> Iterator[OpenNotebook]:
    """``open_notebook(cells, folder=..., name=...)``: write a notebook and open it in the lab.

    ``cells`` is a list of code-cell sources, or ``None`` to open a notebook already in
    ``folder``. Returns a :class:`NotebookPage` whose kernel is connected and idle. Each call
    gets a new browser context; all are closed and their kernels shut down after the test.
    """
    pages: list[NotebookPage] = []
    contexts: list[Any] = []
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def _open(
        cells: Sequence[str] | None, folder: str | None = None, name: str = "labelling.ipynb"
    ) -> NotebookPage:
        folder = folder or test_name
        path = Path(lab_server.root) / folder / name
        if cells is not None:
            write_notebook(path, cells)
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        notebook = NotebookPage(lab_server, context.new_page(), f"{folder}/{name}")
        pages.append(notebook)
        return notebook.open()

    try:
        yield _open
    finally:
        if request.node.stash.get(_FAILED, False):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for i, notebook in enumerate(pages):
                try:
                    notebook.screenshot(f"FAILED-{test_name}-{i}")
                    (ARTIFACTS / f"FAILED-{test_name}-{i}.console.txt").write_text(
                        "\n".join(notebook.console), encoding="utf-8"
                    )
                except Exception as error:  # the page may be gone: the failure matters more
                    print(f"no failure screenshot for {test_name}: {error}")
        for context in contexts:
            try:
                context.close()
            except Exception as error:
                print(f"closing a browser context failed: {error}")
        for notebook in pages:  # shut its kernel down: memory for the next test
            try:
                for session in lab_server.api("GET", "/api/sessions"):
                    if session.get("path") == notebook.notebook:
                        lab_server.api("DELETE", f"/api/sessions/{session['id']}")
            except OSError as error:
                print(f"shutting down the kernel of {notebook.notebook} failed: {error}")
