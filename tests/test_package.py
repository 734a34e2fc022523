"""Package-wide rules: every module declares __all__, importing has no side effects."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import hiddenwork

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(hiddenwork.__path__, "hiddenwork.") if not m.ispkg
)


def test_import_hiddenwork_is_light() -> None:
    code = (
        "import sys, hiddenwork; "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_all_and_documents_it(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no module docstring"
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    for symbol in exported:
        obj = getattr(module, symbol)
        assert getattr(obj, "__doc__", None), f"{name}.{symbol} has no docstring"


@pytest.mark.parametrize("name", MODULES)
def test_importing_a_module_writes_nothing(name: str, tmp_path: Path) -> None:
    code = f"import {name}"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True)
    assert list(tmp_path.iterdir()) == []
