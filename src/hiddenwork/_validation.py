"""Shared input checks for crowd tables (private).

Every aggregator, agreement measure and pay helper in :mod:`hiddenwork` takes the same long
table: one row per answer, with the columns ``task``, ``worker`` and ``label`` (and, for pay,
``seconds`` and ``pay``). The checks live here so that every function meets bad input with the
same clear message, naming the column, the row or the pair at fault.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ANSWER_COLUMNS", "check_answers", "check_truth", "factorize", "sorted_labels"]

ANSWER_COLUMNS: tuple[str, str, str] = ("task", "worker", "label")
"""The three columns every crowd table must have."""

_SHOW = 5  # how many offending rows or pairs an error message lists


def _show(value: Any) -> str:
    """repr of a value, with numpy scalars shown as plain Python values (1, not np.int64(1))."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _rows(index: Iterable[Hashable]) -> str:
    items = list(index)
    shown = ", ".join(_show(i) for i in items[:_SHOW])
    more = f" (and {len(items) - _SHOW} more)" if len(items) > _SHOW else ""
    return shown + more


def check_answers(
    answers: Any,
    *,
    columns: Sequence[str] = ANSWER_COLUMNS,
    numeric: Sequence[str] = (),
    name: str = "answers",
) -> pd.DataFrame:
    """Check a crowd table and return it unchanged.

    Parameters
    ----------
    answers : pandas.DataFrame
        One row per answer.
    columns : sequence of str
        Columns that must be present (``task``, ``worker`` and ``label`` by default).
    numeric : sequence of str
        Columns among ``columns`` that must hold non-negative numbers (``seconds``, ``pay``).
    name : str
        What to call the table in error messages.

    Returns
    -------
    pandas.DataFrame
        The same object, so that calls can be chained.

    Raises
    ------
    TypeError
        If ``answers`` is not a DataFrame.
    ValueError
        If the table is empty, misses a column, has a missing value in one of ``columns``
        (the message names the column and the rows), a negative or non-numeric value in a
        ``numeric`` column, the same worker answering the same task twice (the message names
        the pairs), or labels of types that cannot be sorted together (``1`` and ``"1"``).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"task": [1, 1], "worker": ["a", "a"], "label": ["x", "y"]})
    >>> check_answers(answers)
    Traceback (most recent call last):
        ...
    ValueError: answers: worker 'a' answered task 1 more than once (rows 0, 1); ...duplicated...
    """
    if not isinstance(answers, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame with columns {', '.join(columns)}; "
            f"got {type(answers).__name__}"
        )
    missing = [c for c in columns if c not in answers.columns]
    if missing:
        present = ", ".join(repr(str(c)) for c in answers.columns) or "none"
        raise ValueError(
            f"{name} has no column {', '.join(repr(c) for c in missing)} "
            f"(columns present: {present}); a crowd table needs one row per answer "
            f"with columns {', '.join(columns)}"
        )
    if answers.empty:
        raise ValueError(f"{name} is empty: there are no answers to work with")
    for column in columns:
        nulls = answers.index[answers[column].isna().to_numpy()]
        if len(nulls):
            raise ValueError(
                f"{name}: column {column!r} has {len(nulls)} missing value(s), "
                f"at row(s) {_rows(nulls)}; drop or fill these rows first"
            )
    for column in numeric:
        values = answers[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise ValueError(f"{name}: column {column!r} must hold numbers, not {values.dtype}")
        negative = answers.index[(values < 0).to_numpy()]
        if len(negative):
            raise ValueError(
                f"{name}: column {column!r} has negative value(s) at row(s) {_rows(negative)}"
            )
    duplicated = answers.duplicated(subset=["task", "worker"], keep=False).to_numpy()
    if duplicated.any():
        dups = answers.loc[duplicated, ["task", "worker"]]
        first = dups.iloc[0]
        rows = dups.index[(dups["task"] == first["task"]) & (dups["worker"] == first["worker"])]
        n_pairs = len(dups.drop_duplicates())
        raise ValueError(
            f"{name}: worker {_show(first['worker'])} answered task {_show(first['task'])} "
            "more than once "
            f"(rows {_rows(rows)}); {n_pairs} (task, worker) pair(s) are duplicated in all. "
            "Keep one answer per worker and task, e.g. with "
            "answers.drop_duplicates(['task', 'worker'], keep='last')"
        )
    sorted_labels(answers["label"], name=name)
    return answers


def sorted_labels(labels: pd.Series, *, name: str = "answers") -> np.ndarray:
    """The distinct labels of ``labels`` in sort order.

    Raises a clear ``ValueError`` if the labels mix types that do not sort together, such as
    ``1`` and ``"1"``, which would otherwise count as two different answers.
    """
    uniques = pd.unique(labels.to_numpy())
    try:
        order = np.argsort(uniques, kind="stable")
    except TypeError as error:
        types = sorted({type(v).__name__ for v in uniques})
        raise ValueError(
            f"{name}: the labels mix types ({', '.join(types)}) that cannot be compared, "
            "e.g. 1 and '1'; convert them to one type first, e.g. with "
            "answers['label'].astype(str)"
        ) from error
    return np.asarray(uniques[order])


def check_truth(truth: Any, *, name: str = "truth") -> pd.Series:
    """Check a Series of labels indexed by task (true labels or gold answers).

    Raises
    ------
    TypeError
        If ``truth`` is not a pandas Series.
    ValueError
        If it is empty, has a missing label (the message names the task), or names the
        same task twice.
    """
    if not isinstance(truth, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series of labels indexed by task; got {type(truth).__name__}"
        )
    if truth.empty:
        raise ValueError(f"{name} is empty: give at least one task with its label")
    nulls = truth.index[truth.isna().to_numpy()]
    if len(nulls):
        raise ValueError(f"{name} has no label for task(s) {_rows(nulls)}")
    dup = truth.index[truth.index.duplicated()]
    if len(dup):
        raise ValueError(f"{name} lists task(s) {_rows(dup.unique())} more than once")
    return truth


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and distinct values, sorted when the values can be sorted.

    Ids of mixed types (``1`` and ``"a"``) cannot be sorted; they keep the order in which
    they first appear.
    """
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques)
