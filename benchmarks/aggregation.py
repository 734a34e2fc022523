"""Benchmark: majority vote and Dawid-Skene, ours against crowd-kit's.

Run from the repository root::

    .venv/bin/python benchmarks/aggregation.py            # everything (about a minute)
    .venv/bin/python benchmarks/aggregation.py --quick    # skip crowd-kit on 10k tasks

Prints, for a lab-sized case (800 tasks x 5 answers, 20 workers) and a larger one (10,000
tasks x 5 answers, 200 workers): the median wall time over several repeats of ``fit``, the
peak memory that ``fit`` allocates (tracemalloc, measured in a separate run because tracing
slows Python down), the number of EM rounds, and crowd-kit 1.4.2's figures on the same answers
as the baseline, with the ratio. Then the lesson of lab 2 over many seeds: the accuracy of
majority vote and Dawid-Skene at redundancy 1, 3 and 5 on a simulated crowd.

Timing numbers depend on the machine; nothing here is asserted (the tests check behaviour,
not speed).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hiddenwork.aggregation import DawidSkene, MajorityVote, accuracy
from hiddenwork.crowd import HELPDESK_SIMILAR, simulate_crowd

TOPICS = sorted(HELPDESK_SIMILAR)


def crowd(
    n_tasks: int, n_workers: int, redundancy: int, seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    truth = pd.Series(rng.choice(TOPICS, n_tasks), index=[f"m{i:05d}" for i in range(n_tasks)])
    answers = simulate_crowd(truth, n_workers=n_workers, redundancy=redundancy, random_state=seed)
    return answers[["task", "worker", "label"]], truth


def measure(fit: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Median seconds over ``repeats`` runs, peak MiB of one traced run, last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fit()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fit()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, result


def rounds(model: Any) -> str:
    if hasattr(model, "n_iter_"):
        return str(model.n_iter_)
    if hasattr(model, "loss_history_"):
        return str(len(model.loss_history_))
    return "-"


def timings(quick: bool) -> None:
    ck: Any
    try:
        from crowdkit import aggregation as ck
    except ImportError:
        ck = None
        print(
            "crowd-kit is not installed: no baseline (pip install --no-deps crowd-kit==1.4.2 nltk)"
        )
    warnings.filterwarnings("ignore", module="crowdkit")

    cases = [("800 tasks x 5", 800, 20, 7), ("10,000 tasks x 5", 10_000, 200, 3)]
    header = f"{'case':<17} {'method':<12} {'ours s':>9} {'ours MiB':>9} {'rounds':>6}"
    header += f" {'crowd-kit s':>12} {'ck MiB':>8} {'ck rounds':>9} {'ck / ours':>10}"
    print(header)
    print("-" * len(header))
    for name, n_tasks, n_workers, repeats in cases:
        answers, _ = crowd(n_tasks, n_workers, 5, seed=1)
        for method, ours, theirs in (
            ("MajorityVote", MajorityVote, None if ck is None else ck.MajorityVote),
            ("DawidSkene", DawidSkene, None if ck is None else ck.DawidSkene),
        ):
            seconds, mib, model = measure(lambda o=ours, a=answers: o().fit(a), repeats)
            line = f"{name:<17} {method:<12} {seconds:>9.4f} {mib:>9.1f} {rounds(model):>6}"
            skip = theirs is None or (quick and n_tasks > 1000)
            if skip:
                line += f" {'skipped':>12}"
            else:
                ck_repeats = max(1, repeats // 2)
                ck_seconds, ck_mib, ck_model = measure(
                    lambda t=theirs, a=answers: t().fit(a), ck_repeats
                )
                line += f" {ck_seconds:>12.4f} {ck_mib:>8.1f} {rounds(ck_model):>9}"
                line += f" {ck_seconds / seconds:>9.1f}x"
            print(line, flush=True)


def lesson(n_seeds: int) -> None:
    print()
    print(f"Lab 2's lesson over {n_seeds} seeds: 800 tasks, 7 topics, simulate_crowd defaults")
    print("(20 workers, default mix); accuracy against the true labels, and requester cost")
    rows = []
    for seed in range(n_seeds):
        rng = np.random.default_rng(seed)
        truth = pd.Series(rng.choice(TOPICS, 800), index=[f"m{i:03d}" for i in range(800)])
        for redundancy in (1, 3, 5):
            answers = simulate_crowd(truth, redundancy=redundancy, random_state=seed)
            mv = accuracy(MajorityVote().fit_predict(answers), truth)
            ds = accuracy(DawidSkene().fit_predict(answers), truth)
            rows.append((seed, redundancy, mv, ds, answers["cost"].sum()))
    table = pd.DataFrame(rows, columns=["seed", "redundancy", "mv", "ds", "cost"])
    table["ds_minus_mv"] = table["ds"] - table["mv"]
    summary = table.groupby("redundancy").agg(
        mv_mean=("mv", "mean"),
        ds_mean=("ds", "mean"),
        gain_min=("ds_minus_mv", "min"),
        gain_mean=("ds_minus_mv", "mean"),
        gain_max=("ds_minus_mv", "max"),
        ds_below_mv=("ds_minus_mv", lambda d: int((d < 0).sum())),
        cost_usd=("cost", "mean"),
    )
    with pd.option_context(
        "display.float_format", "{:.3f}".format, "display.width", 160, "display.max_columns", None
    ):
        print(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip crowd-kit on 10k tasks")
    parser.add_argument("--seeds", type=int, default=30, help="seeds for the lesson table")
    args = parser.parse_args()
    timings(args.quick)
    lesson(args.seeds)


if __name__ == "__main__":
    main()
