"""Binder installs exactly what pyproject.toml declares (no drift), and opens on labs/."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _normalise(lines: list[str]) -> set[str]:
    reqs = (Requirement(line) for line in lines)
    return {f"{r.name.lower().replace('_', '-')}{r.extras or ''}{r.specifier}" for r in reqs}


def test_binder_requirements_equal_the_package_dependencies() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    binder = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert _normalise(binder) == _normalise(declared), (
        "binder/requirements.txt differs from pyproject.toml's dependencies: copy them over"
    )


def test_binder_installs_the_kit_and_the_readme_opens_labs() -> None:
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps ." in post
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.1")
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/" in readme and "urlpath=lab/tree/labs" in readme
