"""Benchmark: run each lab's solution notebook several times; print time and memory.

For every lab in ``grading/source/`` (and a one-cell notebook that only starts a kernel and
imports the kit's libraries, the baseline), each run executes the notebook top to bottom in a
fresh process and a fresh kernel, after the simulated student has done the lab's hand work
(labelling, not timed). It prints the median wall time, the peak resident memory
(RSS) of the kernel, each lab's ratio to the baseline, and the budget from the issues.

Usage::

    .venv/bin/python benchmarks/labs.py            # 5 runs each
    .venv/bin/python benchmarks/labs.py --runs 3 01-train-a-classifier

Figures depend on the machine: run it on a quiet one. Budgets (Binder: 1 CPU, 2 GB):
Lab 1 under 20 s and 600 MB; Lab 2 under 30 s and 800 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "grading" / "source"
sys.path.insert(0, str(ROOT / "grading" / "tools"))

import make_labs  # noqa: E402  (the course tools' sandboxed environment)
from simulated_student import prepare  # noqa: E402  (the labelling a student does by hand)

BUDGETS = {"01-train-a-classifier": (20.0, 600.0), "02-the-trainer": (30.0, 800.0)}
BASELINE = "baseline (kernel + imports)"
BASELINE_CODE = "import numpy, pandas, sklearn, matplotlib.pyplot, hiddenwork"


def _one_run(notebook: str, workdir: str) -> None:
    """Child mode: execute one notebook, print wall time and the kernel's peak RSS as JSON."""
    import nbformat
    from nbclient import NotebookClient

    if notebook == BASELINE:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASELINE_CODE)])
    else:
        nb = nbformat.read(notebook, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": workdir}}
    ).execute()
    wall = time.perf_counter() - start
    # The kernel was our child and has been waited for: its peak RSS is in RUSAGE_CHILDREN.
    kernel_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"wall": wall, "kernel_mb": kernel_kb / 1024}))


def _measure(lab: str, runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    walls, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="hiddenwork-bench-") as tmp:
            if lab == BASELINE:
                target, workdir = BASELINE, tmp
            else:
                workdir = str(Path(tmp) / lab)
                shutil.copytree(SOURCE / lab, workdir)
                prepare(lab, Path(workdir))
                target = str(Path(workdir) / f"{lab}.ipynb")
            out = subprocess.run(
                [sys.executable, __file__, "--child", target, workdir],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            walls.append(result["wall"])
            peaks.append(result["kernel_mb"])
    return walls, peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="labs to run (default: all)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _one_run(*args.child)
        return 0
    labs = args.labs or sorted(p.name for p in SOURCE.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="hiddenwork-bench-home-") as home:
        env = make_labs.sandbox_env(Path(home))
        print(f"{args.runs} runs each, on {os.cpu_count()} CPUs; median wall time, peak kernel RSS")
        header = f"{'notebook':<28} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8}"
        print(header + f" {'x base (s)':>10} {'x base (MB)':>11}  budget")
        base_walls, base_peaks = _measure(BASELINE, args.runs, env)
        base_wall, base_peak = statistics.median(base_walls), max(base_peaks)
        rows = [(BASELINE, base_walls, base_peaks)]
        for lab in labs:
            rows.append((lab, *_measure(lab, args.runs, env)))
        failed = False
        for name, walls, peaks in rows:
            wall, peak = statistics.median(walls), max(peaks)
            budget = BUDGETS.get(name)
            verdict = ""
            if budget:
                ok = wall < budget[0] and peak < budget[1]
                failed |= not ok
                verdict = f"{budget[0]:.0f} s / {budget[1]:.0f} MB: {'within' if ok else 'OVER'}"
            print(
                f"{name:<28} {wall:>9.2f} {min(walls):>7.2f} {max(walls):>7.2f} {peak:>8.0f}"
                f" {wall / base_wall:>10.1f} {peak / base_peak:>11.2f}  {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
