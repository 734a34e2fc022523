"""Tests for hiddenwork.learning: learning curves and the labels they cost."""

from __future__ import annotations

from typing import Any, ClassVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from hiddenwork import learning, plots


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    return X_train, X_test, y_train, y_test


def _toy() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two well separated groups: any sensible classifier gets the test set right."""
    X_train = np.array([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1], [5.2], [5.3]])
    y_train = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    X_test = np.array([[0.05], [0.25], [5.05], [5.25]])
    y_test = np.array([0, 0, 1, 1])
    return X_train, y_train, X_test, y_test


class _Recorder(ClassifierMixin, BaseEstimator):
    """Remembers which training labels each fit received; predicts the first class."""

    fits: ClassVar[list[list[int]]] = []

    def fit(self, X: Any, y: Any) -> _Recorder:
        _Recorder.fits.append([int(v) for v in np.asarray(y)])
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.classes_[0])


# --- learning_curve -----------------------------------------------------------------


def test_one_row_per_size_sorted_and_deduplicated() -> None:
    X_train, y_train, X_test, y_test = _toy()
    curve = learning.learning_curve(
        KNeighborsClassifier(n_neighbors=1),
        X_train,
        y_train,
        X_test,
        y_test,
        sizes=[8, 2, 4, 4],
        n_repeats=3,
        random_state=0,
    )
    assert list(curve.columns) == ["n_labels", "accuracy", "accuracy_std"]
    assert curve["n_labels"].tolist() == [2, 4, 8]
    assert curve["accuracy"].between(0, 1).all()
    assert (curve["accuracy_std"] >= 0).all()


def test_all_labels_gives_the_full_model_accuracy() -> None:
    X_train, y_train, X_test, y_test = _toy()
    curve = learning.learning_curve(
        KNeighborsClassifier(n_neighbors=1),
        X_train,
        y_train,
        X_test,
        y_test,
        sizes=[len(X_train)],
        n_repeats=4,
        random_state=1,
    )
    assert curve["accuracy"].iloc[0] == 1.0
    assert curve["accuracy_std"].iloc[0] == 0.0


def test_accuracy_is_the_share_of_correct_test_predictions() -> None:
    # One training label of class 0: a 1-NN model predicts 0 everywhere, so half the
    # test set (the two 0s) is right, whatever the random order.
    X_train = np.array([[0.0], [0.1]])
    y_train = np.array([0, 0])
    X_test = np.array([[0.0], [1.0], [2.0], [3.0]])
    y_test = np.array([0, 0, 1, 1])
    curve = learning.learning_curve(
        KNeighborsClassifier(n_neighbors=1),
        X_train,
        y_train,
        X_test,
        y_test,
        sizes=[1],
        n_repeats=3,
        random_state=0,
    )
    assert curve["accuracy"].iloc[0] == pytest.approx(0.5)


def test_subsets_are_nested_within_a_repeat() -> None:
    X = np.arange(10, dtype=float).reshape(-1, 1)
    y = np.arange(10)
    _Recorder.fits.clear()
    learning.learning_curve(_Recorder(), X, y, X[:2], y[:2], sizes=[3, 6, 10], n_repeats=2)
    assert len(_Recorder.fits) == 6
    for first in (0, 3):
        small, medium, full = _Recorder.fits[first : first + 3]
        assert len(small) == 3 and len(medium) == 6 and len(full) == 10
        assert medium[:3] == small
        assert sorted(full) == list(range(10))
        assert full[:6] == medium


def test_repeats_use_different_orders() -> None:
    X = np.arange(50, dtype=float).reshape(-1, 1)
    y = np.arange(50)
    _Recorder.fits.clear()
    learning.learning_curve(_Recorder(), X, y, X[:2], y[:2], sizes=[5], n_repeats=3, random_state=3)
    assert len({tuple(f) for f in _Recorder.fits}) > 1


def test_same_seed_same_curve_and_generator_accepted(digits_split: Any) -> None:
    X_train, X_test, y_train, y_test = digits_split
    args = (KNeighborsClassifier(n_neighbors=3), X_train, y_train, X_test, y_test)
    first = learning.learning_curve(*args, sizes=[20, 60], n_repeats=3, random_state=7)
    second = learning.learning_curve(*args, sizes=[20, 60], n_repeats=3, random_state=7)
    pd.testing.assert_frame_equal(first, second)
    from_generator = learning.learning_curve(
        *args, sizes=[20, 60], n_repeats=3, random_state=np.random.default_rng(7)
    )
    pd.testing.assert_frame_equal(first, from_generator)


def test_estimator_itself_is_not_fitted() -> None:
    X_train, y_train, X_test, y_test = _toy()
    model = KNeighborsClassifier(n_neighbors=1)
    learning.learning_curve(model, X_train, y_train, X_test, y_test, sizes=[4], random_state=0)
    assert not hasattr(model, "classes_")


def test_pandas_inputs_work() -> None:
    X_train, y_train, X_test, y_test = _toy()
    X_frame = pd.DataFrame(X_train, columns=["x"], index=range(100, 108))
    y_series = pd.Series(y_train, index=range(100, 108))
    curve = learning.learning_curve(
        KNeighborsClassifier(n_neighbors=1),
        X_frame,
        y_series,
        pd.DataFrame(X_test, columns=["x"]),
        pd.Series(y_test),
        sizes=[8],
        random_state=0,
    )
    assert curve["accuracy"].iloc[0] == 1.0


def test_progress_bar_does_not_change_results(capsys: pytest.CaptureFixture[str]) -> None:
    X_train, y_train, X_test, y_test = _toy()
    args = (KNeighborsClassifier(n_neighbors=1), X_train, y_train, X_test, y_test)
    quiet = learning.learning_curve(*args, sizes=[2, 8], n_repeats=2, random_state=0)
    loud = learning.learning_curve(*args, sizes=[2, 8], n_repeats=2, random_state=0, progress=True)
    pd.testing.assert_frame_equal(quiet, loud)
    assert "training models" in capsys.readouterr().err


def test_accuracy_rises_with_labels_on_digits(digits_split: Any) -> None:
    X_train, X_test, y_train, y_test = digits_split
    curve = learning.learning_curve(
        KNeighborsClassifier(n_neighbors=3),
        X_train,
        y_train,
        X_test,
        y_test,
        sizes=[10, 50, 100, 200, 400, 800, 1400],
        n_repeats=5,
        random_state=0,
    )
    accuracy = curve["accuracy"].to_numpy()
    assert accuracy[-1] > accuracy[0] + 0.4
    assert accuracy[-1] > 0.95
    n_90 = learning.labels_needed(curve, 0.90)
    n_95 = learning.labels_needed(curve, 0.95)
    assert n_90 is not None and n_95 is not None
    assert n_95 > n_90


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": []}, "sizes is empty"),
        ({"sizes": [0]}, "at least 1 label"),
        ({"sizes": [9]}, "only has 8 rows"),
        ({"sizes": [2.5]}, "whole numbers"),
        ({"sizes": [True]}, "whole numbers"),
        ({"sizes": [2], "n_repeats": 0}, "n_repeats must be at least 1"),
        ({"sizes": [2], "n_repeats": 1.5}, "n_repeats must be a whole number"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], message: str) -> None:
    X_train, y_train, X_test, y_test = _toy()
    with pytest.raises((ValueError, TypeError), match=message):
        learning.learning_curve(
            KNeighborsClassifier(n_neighbors=1), X_train, y_train, X_test, y_test, **kwargs
        )


def test_length_mismatch_is_reported() -> None:
    X_train, y_train, X_test, y_test = _toy()
    model = KNeighborsClassifier(n_neighbors=1)
    with pytest.raises(ValueError, match="X_train has 8 rows but y_train has 7"):
        learning.learning_curve(model, X_train, y_train[:-1], X_test, y_test, sizes=[2])
    with pytest.raises(ValueError, match="X_test has 4 rows but y_test has 3"):
        learning.learning_curve(model, X_train, y_train, X_test, y_test[:-1], sizes=[2])
    with pytest.raises(ValueError, match="test set is empty"):
        learning.learning_curve(model, X_train, y_train, X_test[:0], y_test[:0], sizes=[2])


def test_failed_fit_names_the_subset() -> None:
    X_train, y_train, X_test, y_test = _toy()
    # A single label has a single class, which logistic regression refuses.
    with pytest.raises(ValueError, match="fitting on 1 labels"):
        learning.learning_curve(
            LogisticRegression(), X_train, y_train, X_test, y_test, sizes=[1], random_state=0
        )


class _ThreadSpy(ClassifierMixin, BaseEstimator):
    """Records how many threads each loaded threading library allows during fit."""

    seen: ClassVar[list[int]] = []

    def fit(self, X: Any, y: Any) -> _ThreadSpy:
        from threadpoolctl import threadpool_info

        _ThreadSpy.seen.extend(int(lib["num_threads"]) for lib in threadpool_info())
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.classes_[0])


def test_fits_run_single_threaded_by_default() -> None:
    X_train, y_train, X_test, y_test = _toy()
    _ThreadSpy.seen.clear()
    learning.learning_curve(_ThreadSpy(), X_train, y_train, X_test, y_test, sizes=[4])
    assert _ThreadSpy.seen, "numpy's BLAS at least should be reported"
    assert set(_ThreadSpy.seen) == {1}


def test_thread_setting_does_not_change_results(digits_split: Any) -> None:
    X_train, X_test, y_train, y_test = digits_split
    args = (KNeighborsClassifier(n_neighbors=3), X_train, y_train, X_test, y_test)
    one = learning.learning_curve(*args, sizes=[30, 300], n_repeats=2, random_state=5)
    default = learning.learning_curve(
        *args, sizes=[30, 300], n_repeats=2, random_state=5, n_threads=None
    )
    pd.testing.assert_frame_equal(one, default)
    with pytest.raises(ValueError, match="n_threads"):
        learning.learning_curve(*args, sizes=[30], n_threads=0)


# --- labels_needed ------------------------------------------------------------------


def test_labels_needed_finds_the_first_size_reaching_the_target() -> None:
    curve = pd.DataFrame({"n_labels": [10, 50, 100, 500], "accuracy": [0.4, 0.89, 0.9, 0.96]})
    assert learning.labels_needed(curve, 0.9) == 100
    assert learning.labels_needed(curve, 0.95) == 500
    assert learning.labels_needed(curve, 0.3) == 10
    assert learning.labels_needed(curve, 0.97) is None
    assert isinstance(learning.labels_needed(curve, 0.9), int)


def test_labels_needed_sorts_and_uses_another_column() -> None:
    curve = pd.DataFrame({"n_labels": [500, 10, 100], "score": [0.99, 0.2, 0.95]})
    assert learning.labels_needed(curve, 0.9, column="score") == 100


def test_labels_needed_rejects_bad_input() -> None:
    curve = pd.DataFrame({"n_labels": [10], "accuracy": [0.5]})
    with pytest.raises(ValueError, match="between 0 and 1"):
        learning.labels_needed(curve, 90)
    with pytest.raises(ValueError, match="no column 'score'"):
        learning.labels_needed(curve, 0.9, column="score")
    with pytest.raises(TypeError, match="DataFrame"):
        learning.labels_needed([(10, 0.5)], 0.9)  # type: ignore[arg-type]


# --- plot_learning_curve ------------------------------------------------------------


def _curve() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n_labels": [10, 100, 300, 1000],
            "accuracy": [0.3, 0.91, 0.955, 0.98],
            "accuracy_std": [0.05, 0.02, 0.01, 0.005],
        }
    )


def test_plot_draws_curve_targets_and_marks() -> None:
    ax = learning.plot_learning_curve(_curve())
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "90% first reached with 100 labels" in legend
    assert "95% first reached with 300 labels" in legend
    assert "target 90%" in legend and "target 95%" in legend
    # one curve line, two horizontal target lines, two vertical marks
    assert len(ax.lines) == 5
    marks = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in marks] == [100, 300]
    assert ax.lines[0].get_color() == plots.OKABE_ITO["blue"]
    assert list(ax.lines[0].get_xdata()) == [10, 100, 300, 1000]
    assert ax.get_ylabel() == "accuracy on the test images"
    assert len(ax.collections) == 1  # the spread band


def test_plot_without_marks_and_unreached_target() -> None:
    _fig, ax = plt.subplots()
    returned = learning.plot_learning_curve(
        _curve().drop(columns="accuracy_std"), targets=(0.9, 0.99), mark_needed=False, ax=ax
    )
    assert returned is ax
    assert len(ax.lines) == 3  # the curve and two target lines, no marks
    assert not any("first reached" in t.get_text() for t in ax.get_legend().get_texts())
    assert len(ax.collections) == 0
    only_unreached = learning.plot_learning_curve(_curve(), targets=(0.99,))
    assert len(only_unreached.lines) == 2


def test_plot_rejects_a_curve_without_accuracy() -> None:
    with pytest.raises(ValueError, match="no column 'accuracy'"):
        learning.plot_learning_curve(pd.DataFrame({"n_labels": [1]}))
