"""The built wheel carries the datasets: install it in a fresh venv and load every one.

Builds the wheel from the checkout, installs it (without dependencies) into a new virtual
environment, gives that environment the test environment's third-party packages through a
plain path line in a ``.pth`` file (so pandas and numpy need not be installed again, while the
checkout itself stays invisible), then loads every dataset from a working directory outside the
repository and checks that both the package and the data files come from the installed copy.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from hiddenwork import datasets

SCRIPT = """
import json, sys
import hiddenwork
from hiddenwork import datasets
frames = {name: datasets.load(name) for name in datasets.names()}
print(json.dumps({
    "module": hiddenwork.__file__,
    "root": str(datasets.data_root()),
    "loaded": {n: [str(f.attrs["path"]), len(f), f.attrs["sha256"]] for n, f in frames.items()},
}))
"""


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # pip and the build tools may write caches and settings under HOME (pip even runs
    # `rustc --version`, and rustup then writes ~/.rustup): give them a temporary one.
    home.mkdir(exist_ok=True)
    env["HOME"] = str(home)
    env["PIP_NO_CACHE_DIR"] = "1"
    return env


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = _clean_env(cwd / "home")
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_ships_and_loads_every_dataset(repo_root: Path, tmp_path: Path) -> None:
    # 1. Build the wheel; without build isolation when hatchling is at hand (fast, offline).
    dist = tmp_path / "dist"
    build = [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist)]
    if importlib.util.find_spec("hatchling") is not None:
        build.append("--no-isolation")
    _run([*build, str(repo_root)], cwd=tmp_path)
    (wheel,) = dist.glob("hiddenwork-*.whl")

    members = set(zipfile.ZipFile(wheel).namelist())
    for name in datasets.names():
        shipped = datasets.path(name, root=Path("hiddenwork/_data"))
        for member in (shipped, shipped.with_name("schema.json"), shipped.with_name("SHA256SUMS")):
            assert member.as_posix() in members, f"{member} missing from {wheel.name}"

    # 2. A fresh venv with the wheel installed, and the test env's third-party packages.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        cwd=tmp_path,
    )  # fmt: skip
    purelib = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
             cwd=tmp_path).stdout.strip()
    )  # fmt: skip
    (purelib / "zz_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    # 3. Load every dataset from outside the repository.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    report = json.loads(_run([str(python), "-c", SCRIPT], cwd=outside).stdout)

    installed = purelib / "hiddenwork"
    assert Path(report["module"]).parent == installed
    assert Path(report["root"]) == installed / "_data"
    assert sorted(report["loaded"]) == datasets.names()
    for name, (path, rows, sha256) in report["loaded"].items():
        assert Path(path).is_relative_to(installed / "_data"), (name, path)
        assert not Path(path).is_relative_to(repo_root)
        from_checkout = datasets.load(name)
        assert rows == len(from_checkout), name
        assert sha256 == from_checkout.attrs["sha256"], name
