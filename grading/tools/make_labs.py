"""Regenerate the student notebooks in ``labs/`` from the instructor notebooks.

``labs/<lab>/`` is what students and Binder users open. It is never edited by hand: this
script runs ``nbgrader generate_assignment`` on a temporary copy of the course (so your
gradebook is untouched) and copies each release into ``labs/<lab>/``.

Usage (from the repository root)::

    python grading/tools/make_labs.py           # regenerate labs/
    python grading/tools/make_labs.py --check   # exit 1 and list what is stale

``make labs`` runs the first form; the test suite runs the check.
"""

from __future__ import annotations

import argparse
import filecmp
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["check", "generate_releases", "lab_names", "sync"]

ROOT = Path(__file__).resolve().parents[2]
GRADING = ROOT / "grading"
LABS = ROOT / "labs"

# What may sit in labs/<lab>/ without being generated: a student's own work and editor clutter.
LOCAL_FILES = [".ipynb_checkpoints", "__pycache__", "*.jsonl", ".~*", ".DS_Store"]


def lab_names(grading: Path = GRADING) -> list[str]:
    """The labs of the course: the folders of ``grading/source``, in order."""
    return sorted(p.name for p in (grading / "source").iterdir() if p.is_dir())


def sandbox_env(tmp: Path) -> dict[str, str]:
    """An environment whose Jupyter, IPython and matplotlib state lives under ``tmp``.

    HOME points there too, so that nothing a command starts (nbgrader, a kernel, a browser)
    writes into the user's home. The running Python's ``bin`` folder comes first on PATH, as
    in an activated virtualenv.
    """
    env = dict(os.environ)
    for var, sub in {
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }.items():
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / sub)
    env["HOME"] = str(tmp)
    env["MPLBACKEND"] = "Agg"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # nbgrader runs `alembic` (installed beside it) through PATH to manage its gradebook.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader(
    args: list[str], course: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run one nbgrader command in ``course``; raise with its log when it fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"`nbgrader {' '.join(args)}` failed in {course} (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return proc


def copy_course(dest: Path, grading: Path = GRADING) -> Path:
    """Copy the course's config and instructor notebooks (nothing generated) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(grading / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(
        grading / "source",
        dest / "source",
        ignore=shutil.ignore_patterns(*LOCAL_FILES),
        dirs_exist_ok=True,
    )
    return dest


def generate_releases(tmp: Path, grading: Path = GRADING) -> Path:
    """Generate every lab's student version in a copy of the course under ``tmp``.

    Returns the ``release`` folder of that copy.
    """
    course = copy_course(tmp / "course", grading)
    env = sandbox_env(tmp / "home")
    for lab in lab_names(grading):
        nbgrader(["generate_assignment", lab, "--force"], course, env)
    return course / "release"


def _is_local(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pat) for pat in LOCAL_FILES)


def _files(folder: Path) -> set[str]:
    out: set[str] = set()
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not any(_is_local(part) for part in rel.parts):
            out.add(rel.as_posix())
    return out


def check(release: Path, labs: Path = LABS) -> list[str]:
    """List how ``labs/`` differs from freshly generated releases (empty when up to date)."""
    problems: list[str] = []
    expected = {p.name for p in release.iterdir() if p.is_dir()}
    present = {p.name for p in labs.iterdir() if p.is_dir()} if labs.exists() else set()
    problems += [f"labs/{name}/ is missing" for name in sorted(expected - present)]
    problems += [f"labs/{name}/ has no instructor notebook" for name in sorted(present - expected)]
    for name in sorted(expected & present):
        new, old = _files(release / name), _files(labs / name)
        problems += [f"labs/{name}/{f} is missing" for f in sorted(new - old)]
        problems += [f"labs/{name}/{f} is not generated (remove it)" for f in sorted(old - new)]
        for f in sorted(new & old):
            if not filecmp.cmp(release / name / f, labs / name / f, shallow=False):
                problems.append(f"labs/{name}/{f} is stale")
    return problems


def sync(release: Path, labs: Path = LABS) -> None:
    """Make ``labs/`` match ``release``, keeping students' local files (labels, checkpoints)."""
    labs.mkdir(exist_ok=True)
    for lab in sorted(p for p in release.iterdir() if p.is_dir()):
        target = labs / lab.name
        target.mkdir(exist_ok=True)
        for rel in _files(target) - _files(lab):
            (target / rel).unlink()
        for rel in _files(lab):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(lab / rel, target / rel)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hiddenwork-labs-") as tmp:
        release = generate_releases(Path(tmp))
        if args.check:
            problems = check(release)
            for line in problems:
                print(line)
            if problems:
                print("labs/ is stale: run `make labs` and commit the result.")
                return 1
            print("labs/ is up to date.")
            return 0
        sync(release)
    print(f"Regenerated {', '.join(lab_names())} in labs/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
