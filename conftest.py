"""Shared test set-up.

Jupyter, IPython and matplotlib keep their config, data and runtime files in a temporary
folder for the whole run, never in the user's home; HOME itself points there too, so a tool
that writes under ``~`` anyway (pip, rustup, a browser) cannot touch the real one. This runs
before any test module imports those libraries, and the variables are inherited by every
kernel and subprocess the tests start.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

sys.path.insert(0, str(ROOT / "grading" / "tools"))

import make_labs  # noqa: E402  (the one definition of the sandboxed environment)

_SANDBOX = Path(tempfile.mkdtemp(prefix="hiddenwork-tests-"))
os.environ.update(make_labs.sandbox_env(_SANDBOX))


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the repository checkout."""
    return ROOT
