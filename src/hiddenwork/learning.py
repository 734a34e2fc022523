"""Learning curves: how a model's accuracy grows with the number of human labels.

A learning curve answers a labour question with a machine-learning tool: *how many
examples labelled by people does a model need to reach a given accuracy?* Each point of
the curve trains a fresh copy of a model on the first ``n`` labels of a random labelling
order and scores it on a fixed test set; repeating this for several orders gives a mean
and a spread.

The helpers here serve the labs' set-up cells, plots and closing checks. The labs still
ask students to write their own training loop.

Examples
--------
>>> from sklearn.datasets import load_digits
>>> from sklearn.neighbors import KNeighborsClassifier
>>> X, y = load_digits(return_X_y=True)
>>> curve = learning_curve(
...     KNeighborsClassifier(n_neighbors=3),
...     X[:1000], y[:1000], X[1000:], y[1000:],
...     sizes=[20, 100, 500], n_repeats=3, random_state=0,
... )
>>> list(curve.columns)
['n_labels', 'accuracy', 'accuracy_std']
>>> bool(curve["accuracy"].iloc[-1] > curve["accuracy"].iloc[0])
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hiddenwork.plots import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["labels_needed", "learning_curve", "plot_learning_curve"]

# Okabe-Ito colours (colour-blind safe) for the target lines, in order.
_TARGET_COLOURS = ("orange", "vermillion", "bluish green", "reddish purple", "sky blue", "black")


def _n_rows(data: Any, name: str) -> int:
    try:
        return len(data)
    except TypeError:
        raise TypeError(
            f"{name} must be a sequence or an array, got {type(data).__name__}"
        ) from None


def _take(data: Any, index: np.ndarray) -> Any:
    """Rows ``index`` of an array, a list or a pandas object."""
    if hasattr(data, "iloc"):
        return data.iloc[index]
    return np.asarray(data)[index]


def _check_sizes(sizes: Iterable[int], n_train: int) -> list[int]:
    checked: set[int] = set()
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int | np.integer):
            raise TypeError(f"sizes must hold whole numbers of labels, got {size!r}")
        if size < 1:
            raise ValueError(f"sizes must be at least 1 label, got {size}")
        if size > n_train:
            raise ValueError(
                f"sizes asks for {size} labels but the training set only has {n_train} rows"
            )
        checked.add(int(size))
    if not checked:
        raise ValueError("sizes is empty: give at least one number of labels")
    return sorted(checked)


def learning_curve(
    estimator: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    sizes: Iterable[int],
    *,
    n_repeats: int = 5,
    random_state: int | np.random.Generator | None = None,
    progress: bool = False,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Test accuracy of ``estimator`` trained on growing numbers of labelled examples.

    For each repeat, the training rows are put in a random order (the order in which
    people might have labelled them). For each size ``n`` a fresh clone of ``estimator``
    is fitted on the first ``n`` rows of that order and scored on the whole test set, so
    within a repeat every larger training set contains the smaller ones.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Any object that :func:`sklearn.base.clone` accepts, with ``fit`` and ``predict``.
        It is never fitted itself.
    X_train, y_train : array-like
        Features and human labels available for training.
    X_test, y_test : array-like
        Held-out features and labels used to measure accuracy.
    sizes : iterable of int
        Numbers of labels to try. Duplicates are dropped and the sizes are sorted;
        each must be between 1 and ``len(X_train)``.
    n_repeats : int, default 5
        How many random labelling orders to average over.
    random_state : int, numpy Generator or None
        Seed or generator for the labelling orders.
    progress : bool, default False
        Show a tqdm progress bar.
    n_threads : int or None, default 1
        Threads the fits and predictions may use (OpenMP and BLAS, through
        threadpoolctl). One thread suits the labs' many tiny fits: starting threads costs
        more than it saves, and on a busy 1- or 2-CPU machine (Binder, a classroom server)
        competing threads slow everything down. ``None`` keeps the libraries' default.

    Returns
    -------
    pandas.DataFrame
        One row per size, columns ``n_labels``, ``accuracy`` (mean over repeats) and
        ``accuracy_std`` (standard deviation over repeats, 0 with one repeat).

    Raises
    ------
    ValueError
        If the training or test features and labels differ in length, if a size is out of
        range, if ``n_repeats`` is below 1, or if fitting fails for one subset (for
        example a model that needs two classes given a subset with a single class).

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X = [[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]]
    >>> y = [0, 0, 0, 1, 1, 1]
    >>> learning_curve(
    ...     KNeighborsClassifier(n_neighbors=1), X, y, [[0.05], [1.05]], [0, 1],
    ...     sizes=[6], n_repeats=2, random_state=0,
    ... )
       n_labels  accuracy  accuracy_std
    0         6       1.0           0.0
    """
    from sklearn.base import clone
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    n_train = _n_rows(X_train, "X_train")
    if _n_rows(y_train, "y_train") != n_train:
        raise ValueError(
            f"X_train has {n_train} rows but y_train has {_n_rows(y_train, 'y_train')} labels"
        )
    n_test = _n_rows(X_test, "X_test")
    if _n_rows(y_test, "y_test") != n_test:
        raise ValueError(
            f"X_test has {n_test} rows but y_test has {_n_rows(y_test, 'y_test')} labels"
        )
    if n_test == 0:
        raise ValueError("the test set is empty: accuracy cannot be measured")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int | np.integer):
        raise TypeError(f"n_repeats must be a whole number, got {n_repeats!r}")
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be at least 1, got {n_repeats}")
    if n_threads is not None and (
        isinstance(n_threads, bool) or not isinstance(n_threads, int | np.integer) or n_threads < 1
    ):
        raise ValueError(
            f"n_threads must be a whole number of at least 1 or None, got {n_threads!r}"
        )
    checked_sizes = _check_sizes(sizes, n_train)

    rng = np.random.default_rng(random_state)
    truth = np.asarray(y_test)
    scores = np.empty((int(n_repeats), len(checked_sizes)))
    limits = threadpool_limits(limits=int(n_threads)) if n_threads is not None else nullcontext()
    with (
        limits,
        tqdm(total=scores.size, desc="training models", unit="model", disable=not progress) as bar,
    ):
        for repeat in range(int(n_repeats)):
            order = rng.permutation(n_train)
            for column, size in enumerate(checked_sizes):
                rows = order[:size]
                model = clone(estimator)
                try:
                    model.fit(_take(X_train, rows), _take(y_train, rows))
                except ValueError as error:
                    raise ValueError(
                        f"fitting on {size} labels (repeat {repeat}) failed: {error}"
                    ) from error
                predicted = np.asarray(model.predict(X_test))
                scores[repeat, column] = float(np.mean(predicted == truth))
                bar.update(1)

    return pd.DataFrame(
        {
            "n_labels": np.array(checked_sizes, dtype=int),
            "accuracy": scores.mean(axis=0),
            "accuracy_std": scores.std(axis=0),
        }
    )


def _check_curve(curve: pd.DataFrame, column: str) -> None:
    if not isinstance(curve, pd.DataFrame):
        raise TypeError(f"curve must be a pandas DataFrame, got {type(curve).__name__}")
    for needed in ("n_labels", column):
        if needed not in curve.columns:
            raise ValueError(
                f"curve has no column {needed!r}; its columns are {list(curve.columns)}"
            )


def labels_needed(curve: pd.DataFrame, target: float, *, column: str = "accuracy") -> int | None:
    """Smallest number of labels whose accuracy reaches ``target``.

    Parameters
    ----------
    curve : pandas.DataFrame
        A learning curve with a ``n_labels`` column and an accuracy column, such as the
        output of :func:`learning_curve`.
    target : float
        Accuracy to reach, as a share between 0 and 1 (0.9 means 90 %).
    column : str, default "accuracy"
        The column holding the accuracies.

    Returns
    -------
    int or None
        The smallest ``n_labels`` with ``accuracy >= target``, or ``None`` when no point
        of the curve reaches it.

    Raises
    ------
    ValueError
        If ``target`` is not between 0 and 1 or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"n_labels": [10, 100, 1000], "accuracy": [0.3, 0.91, 0.97]})
    >>> labels_needed(curve, 0.9)
    100
    >>> labels_needed(curve, 0.99) is None
    True
    """
    _check_curve(curve, column)
    if not 0.0 <= float(target) <= 1.0:
        raise ValueError(f"target must be an accuracy between 0 and 1, got {target}")
    ordered = curve.sort_values("n_labels")
    reached = ordered.loc[ordered[column] >= target, "n_labels"]
    if reached.empty:
        return None
    return int(reached.iloc[0])


def plot_learning_curve(
    curve: pd.DataFrame,
    targets: Sequence[float] = (0.9, 0.95),
    *,
    mark_needed: bool = True,
    ax: Axes | None = None,
    label: str = "mean test accuracy",
) -> Axes:
    """Draw a learning curve with horizontal lines at target accuracies.

    Parameters
    ----------
    curve : pandas.DataFrame
        Columns ``n_labels`` and ``accuracy``; ``accuracy_std``, when present, is drawn
        as a band of plus or minus one standard deviation.
    targets : sequence of float, default (0.9, 0.95)
        Accuracies to draw as dashed horizontal lines.
    mark_needed : bool, default True
        Also mark, with a dotted vertical line named in the legend, the number of labels
        at which each target is first reached.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    label : str
        Legend entry for the curve.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"n_labels": [10, 100, 1000], "accuracy": [0.3, 0.91, 0.97]})
    >>> ax = plot_learning_curve(curve)
    >>> ax.get_xlabel()
    'number of human labels used for training'
    """
    _check_curve(curve, "accuracy")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4))
    ordered = curve.sort_values("n_labels")
    n = ordered["n_labels"].to_numpy()
    accuracy = ordered["accuracy"].to_numpy(dtype=float)
    if "accuracy_std" in ordered.columns:
        spread = ordered["accuracy_std"].to_numpy(dtype=float)
        ax.fill_between(
            n,
            accuracy - spread,
            np.minimum(accuracy + spread, 1.0),
            color=OKABE_ITO["blue"],
            alpha=0.2,
            linewidth=0,
            label="spread (± 1 standard deviation)",
        )
    ax.plot(n, accuracy, marker="o", color=OKABE_ITO["blue"], label=label)
    for index, target in enumerate(targets):
        colour = OKABE_ITO[_TARGET_COLOURS[index % len(_TARGET_COLOURS)]]
        ax.axhline(
            target, color=colour, linestyle="--", linewidth=1.2, label=f"target {target:.0%}"
        )
        needed = labels_needed(ordered, target) if mark_needed else None
        if needed is not None:
            ax.axvline(
                needed,
                color=colour,
                linestyle=":",
                linewidth=1.5,
                label=f"{target:.0%} first reached with {needed:,} labels",
            )
    ax.set_xlabel("number of human labels used for training")
    ax.set_ylabel("accuracy on the test images")
    ax.set_ylim(0.0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    return ax
