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
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

_SANDBOX = Path(tempfile.mkdtemp(prefix="hiddenwork-tests-"))
for _var, _sub in {
    "JUPYTER_CONFIG_DIR": "jupyter-config",
    "JUPYTER_DATA_DIR": "jupyter-data",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
    "IPYTHONDIR": "ipython",
    "MPLCONFIGDIR": "matplotlib",
    "HOME": "home",
}.items():
    (_SANDBOX / _sub).mkdir(parents=True, exist_ok=True)
    os.environ[_var] = str(_SANDBOX / _sub)
os.environ["MPLBACKEND"] = "Agg"
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the repository checkout."""
    return ROOT
