"""How much do workers agree, with each other and with the right answers?

Three measures on the long crowd table (columns ``task``, ``worker``, ``label``):

- :func:`krippendorff_alpha`: agreement of the whole crowd beyond chance, for any number of
  workers and with missing answers (computed by the ``krippendorff`` package);
- :func:`pairwise_kappa`: Cohen's kappa for every pair of workers who answered enough tasks in
  common (computed by scikit-learn's ``cohen_kappa_score``);
- :func:`worker_accuracy`: each worker's share of right answers on the tasks whose answer is
  known ("gold" questions).

Agreement is not accuracy: two spammers who always click the same button agree perfectly.

References
----------
K. Krippendorff (2019). *Content Analysis: An Introduction to Its Methodology*, 4th ed.
Thousand Oaks, CA: SAGE, chapter 12.

J. Cohen (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20(1), 37-46.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Literal

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from hiddenwork._validation import check_answers, check_truth, factorize, sorted_labels

__all__ = ["krippendorff_alpha", "pairwise_kappa", "reliability_matrix", "worker_accuracy"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]


def reliability_matrix(answers: pd.DataFrame) -> pd.DataFrame:
    """The crowd table as a grid: one row per worker, one column per task.

    A cell holds the label the worker gave to the task, or is empty (``NaN``) when they did
    not answer it. This is the "reliability data" layout of Krippendorff.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({
    ...     "task": ["t1", "t1", "t2", "t2", "t3"],
    ...     "worker": ["ann", "bob", "ann", "cat", "bob"],
    ...     "label": ["spam", "spam", "ham", "spam", "ham"],
    ... })
    >>> reliability_matrix(answers)
    task      t1   t2   t3
    worker
    ann     spam  ham  NaN
    bob     spam  NaN  ham
    cat      NaN spam  NaN
    """
    check_answers(answers)
    # pivot, not pivot_table: each (worker, task) cell holds one answer (checked above),
    # and text labels must be kept as they are, not aggregated
    return answers.pivot(index="worker", columns="task", values="label")  # noqa: PD010


def _value_counts(answers: pd.DataFrame, classes: np.ndarray) -> np.ndarray:
    """Number of answers per task (rows) and label (columns, in the order of ``classes``)."""
    task_codes, tasks = factorize(answers["task"])
    label_codes = pd.Index(classes).get_indexer(answers["label"].to_numpy())
    k = len(classes)
    flat = np.bincount(task_codes * k + label_codes, minlength=len(tasks) * k)
    return flat.reshape(len(tasks), k)


def krippendorff_alpha(
    answers: pd.DataFrame,
    level: Level = "nominal",
    *,
    order: Sequence[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha for a crowd table.

    Alpha is 1 when workers always agree, 0 when they agree no more than chance would
    predict, and can go below 0 when they disagree systematically. Tasks answered by a single
    worker carry no information about agreement and are left out by the formula.

    Parameters
    ----------
    answers : pandas.DataFrame
        Columns ``task``, ``worker``, ``label``.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement of the labels. Topics are nominal (no order); an urgency scale
        would be ordinal; "interval" and "ratio" need numeric labels.
    order : sequence, optional
        For ``level="ordinal"``: all labels from lowest to highest. Numeric labels default to
        their numerical order; text labels need ``order``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If no task has two answers or more, if every answer is the same label (alpha is then
        undefined: there is no variation to agree on), or if ``level``/``order`` do not fit
        the labels.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({
    ...     "task":   [1, 1, 2, 2, 3, 3, 4, 4],
    ...     "worker": ["a", "b"] * 4,
    ...     "label":  ["x", "x", "y", "y", "x", "y", "y", "y"],
    ... })
    >>> round(krippendorff_alpha(answers), 3)
    0.533
    """
    check_answers(answers)
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(
            f"level must be 'nominal', 'ordinal', 'interval' or 'ratio', got {level!r}"
        )
    per_task = answers.groupby("task", sort=False).size()
    if per_task.max() < 2:
        raise ValueError(
            "Krippendorff's alpha needs at least one task answered by two workers or more; "
            "every task here has a single answer"
        )
    classes = sorted_labels(answers["label"])
    numeric = pd.api.types.is_numeric_dtype(answers["label"]) and not pd.api.types.is_bool_dtype(
        answers["label"]
    )
    if order is not None:
        if level != "ordinal":
            raise ValueError("order is only used with level='ordinal'")
        domain = pd.Index(list(order))
        if domain.has_duplicates:
            raise ValueError("order lists the same label more than once")
        missing = [c for c in classes if c not in domain]
        if missing:
            raise ValueError(f"order does not place the label(s) {missing}")
        classes = domain.to_numpy()
    elif level == "ordinal" and not numeric:
        raise ValueError(
            "level='ordinal' with text labels needs order=[...], from lowest to highest "
            f"(labels seen: {list(classes)})"
        )
    if level in ("interval", "ratio") and not numeric:
        raise ValueError(f"level={level!r} needs numeric labels, got {answers['label'].dtype}")
    if len(pd.unique(answers["label"])) < 2:
        raise ValueError(
            "every answer is the same label: Krippendorff's alpha is undefined "
            "(there is no variation to agree on)"
        )
    counts = _value_counts(answers, classes)
    domain_values = classes.astype(float) if level in ("interval", "ratio") else None
    if domain_values is None:
        domain_values = np.arange(len(classes), dtype=float)
    return float(
        krippendorff.alpha(
            value_counts=counts, value_domain=domain_values, level_of_measurement=level
        )
    )


def pairwise_kappa(answers: pd.DataFrame, min_overlap: int = 10) -> pd.DataFrame:
    """Cohen's kappa for every pair of workers, on the tasks both answered.

    Parameters
    ----------
    answers : pandas.DataFrame
        Columns ``task``, ``worker``, ``label``.
    min_overlap : int, default 10
        Pairs of workers with fewer tasks in common get ``NaN``: kappa on a handful of tasks
        says little. With 20 workers and 3 answers per task, two workers share about
        ``n_tasks * 3 * 2 / (20 * 19)`` tasks (about 13 for 800 tasks).

    Returns
    -------
    pandas.DataFrame
        Workers x workers, symmetric. The diagonal is ``NaN`` (a worker's agreement with
        themselves says nothing), and so is a pair whose shared answers all use one and the
        same label (kappa is undefined there).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({
    ...     "task":   [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
    ...     "worker": ["a", "b", "c"] * 4,
    ...     "label":  ["x", "x", "y", "y", "y", "y", "x", "x", "x", "y", "y", "x"],
    ... })
    >>> pairwise_kappa(answers, min_overlap=4)
    worker    a    b    c
    worker
    a       NaN  1.0  0.0
    b       1.0  NaN  0.0
    c       0.0  0.0  NaN
    """
    check_answers(answers)
    if not isinstance(min_overlap, int | np.integer) or min_overlap < 1:
        raise ValueError(f"min_overlap must be a positive integer, got {min_overlap!r}")
    classes = sorted_labels(answers["label"])
    worker_codes, workers = factorize(answers["worker"])
    task_codes, tasks = factorize(answers["task"])
    codes = np.full((len(workers), len(tasks)), -1)
    codes[worker_codes, task_codes] = pd.Index(classes).get_indexer(answers["label"].to_numpy())
    answered = (codes >= 0).astype(float)
    overlap = answered @ answered.T
    n = len(workers)
    kappa = np.full((n, n), np.nan)
    all_codes = np.arange(len(classes))
    for i in range(n):
        for j in range(i + 1, n):
            if overlap[i, j] < min_overlap:
                continue
            shared = (codes[i] >= 0) & (codes[j] >= 0)
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore")  # one shared label only: kappa is 0/0
                value = cohen_kappa_score(codes[i, shared], codes[j, shared], labels=all_codes)
            kappa[i, j] = kappa[j, i] = value if np.isfinite(value) else np.nan
    index = pd.Index(workers, name="worker")
    return pd.DataFrame(kappa, index=index, columns=index)


def worker_accuracy(answers: pd.DataFrame, gold: pd.Series) -> pd.DataFrame:
    """Each worker's share of right answers on the gold tasks (tasks with a known answer).

    Parameters
    ----------
    answers : pandas.DataFrame
        Columns ``task``, ``worker``, ``label``.
    gold : pandas.Series
        Known right labels, indexed by task; it may cover only some of the tasks.

    Returns
    -------
    pandas.DataFrame
        One row per worker (sorted), with ``n_gold`` (answers given on gold tasks),
        ``n_correct`` and ``accuracy`` (``NaN`` for a worker who answered no gold task).

    Raises
    ------
    ValueError
        If no answered task is in ``gold``.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({
    ...     "task": [1, 1, 2, 2, 3],
    ...     "worker": ["a", "b", "a", "b", "c"],
    ...     "label": ["x", "y", "y", "y", "x"],
    ... })
    >>> worker_accuracy(answers, pd.Series({1: "x", 2: "y"}))
            n_gold  n_correct  accuracy
    worker
    a            2          2       1.0
    b            2          1       0.5
    c            0          0       NaN
    """
    check_answers(answers)
    check_truth(gold, name="gold")
    expected = answers["task"].map(gold)
    on_gold = expected.notna().to_numpy()
    if not on_gold.any():
        raise ValueError(
            "none of the answered tasks is in gold: check that gold is indexed by task "
            f"(gold index starts {list(gold.index[:3])}, tasks start "
            f"{list(answers['task'].unique()[:3])})"
        )
    correct = on_gold & (answers["label"].to_numpy() == expected.to_numpy())
    table = (
        pd.DataFrame(
            {"worker": answers["worker"].to_numpy(), "n_gold": on_gold, "n_correct": correct}
        )
        .groupby("worker")
        .sum()
        .astype(int)
    )
    table["accuracy"] = table["n_correct"] / table["n_gold"].where(table["n_gold"] > 0)
    return table
