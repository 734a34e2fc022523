"""Tests for hiddenwork.crowd: the simulated crowd."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hiddenwork._validation import check_answers
from hiddenwork.crowd import (
    DEFAULT_MIX,
    HELPDESK_SIMILAR,
    WORKER_TYPES,
    WorkerType,
    mix_table,
    simulate_crowd,
    worker_types,
)

TOPICS = sorted(HELPDESK_SIMILAR)


def truth_of(n: int, seed: int = 0, labels: list[str] | None = None) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        rng.choice(TOPICS if labels is None else labels, n), index=[f"m{i:04d}" for i in range(n)]
    )


def test_table_shape_and_assignment() -> None:
    truth = truth_of(300)
    answers = simulate_crowd(truth, n_workers=12, redundancy=4, random_state=1)
    assert list(answers.columns) == ["task", "worker", "label", "seconds", "pay", "cost"]
    assert len(answers) == 300 * 4
    check_answers(answers)  # no duplicate (task, worker), no missing value
    per_task = answers.groupby("task")["worker"].nunique()
    assert (per_task == 4).all() and set(per_task.index) == set(truth.index)
    assert answers["worker"].nunique() == 12
    assert set(answers["label"]) <= set(TOPICS)
    assert (answers["seconds"] > 0).all()
    assert answers["task"].tolist() == sorted(answers["task"])  # ordered by task


def test_random_state_reproducible_and_global_seed_untouched() -> None:
    truth = truth_of(100)
    saved = np.random.get_state()  # noqa: NPY002 (checking the legacy global state)
    try:
        first = simulate_crowd(truth, random_state=7)
        after = np.random.get_state()  # noqa: NPY002
        assert np.array_equal(after[1], saved[1]) and after[2] == saved[2]  # type: ignore[index]
        np.random.seed(123)  # noqa: NPY002 (the global seed must not matter)
        second = simulate_crowd(truth, random_state=np.random.default_rng(7))
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs
    other = simulate_crowd(truth, random_state=8)
    assert not first["label"].equals(other["label"])


def test_mix_is_split_by_largest_remainder_and_recorded() -> None:
    answers = simulate_crowd(truth_of(50), n_workers=20, random_state=0)
    counts = worker_types(answers).value_counts().to_dict()
    # 20 workers x (0.20, 0.35, 0.20, 0.10, 0.15)
    assert counts == {"diligent": 4, "competent": 7, "sloppy": 4, "incompetent": 2, "spammer": 3}
    assert worker_types(answers).index.tolist() == [f"w{i:02d}" for i in range(1, 21)]
    assert worker_types(answers.copy()).equals(worker_types(answers))


def test_archetypes_behave_as_parametrised() -> None:
    """Large crowd: each archetype's observed accuracy and median time match its parameters."""
    truth = truth_of(4000, seed=3)
    answers = simulate_crowd(truth, n_workers=40, redundancy=5, worker_spread=0, random_state=3)
    kinds = answers["worker"].map(worker_types(answers))
    right = answers["label"].to_numpy() == truth.loc[answers["task"]].to_numpy()
    for name, kind in WORKER_TYPES.items():
        mine = (kinds == name).to_numpy()
        n = mine.sum()
        expected = 1 / len(TOPICS) if kind.accuracy is None else kind.accuracy
        # 4 standard errors of a proportion: fails by chance with probability < 1e-4
        assert abs(right[mine].mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
        median = float(np.median(answers.loc[mine, "seconds"]))
        assert median == pytest.approx(kind.median_seconds, rel=0.1)
    by_type = answers.groupby(kinds)["seconds"].median()
    assert by_type.idxmin() == "spammer"


def test_workers_of_one_archetype_differ_in_speed() -> None:
    steady = WorkerType("steady", accuracy=0.9, errors="uniform", median_seconds=20, spread=0.0)
    truth = truth_of(600, seed=6)
    same = simulate_crowd(truth, n_workers=12, mix={steady: 1}, worker_spread=0, random_state=6)
    assert (same["seconds"] == 20.0).all()
    varied = simulate_crowd(truth, n_workers=12, mix={steady: 1}, random_state=6)
    medians = varied.groupby("worker")["seconds"].median()
    assert medians.nunique() == 12  # each worker has a pace of their own
    assert varied.groupby("worker")["seconds"].nunique().max() == 1  # spread 0 per task
    # log-normal factor with spread 0.3: the log of the medians has a standard deviation near 0.3
    assert 0.1 < np.log(medians).std() < 0.6
    pd.testing.assert_series_equal(same["label"], varied["label"])  # labels are unaffected


def test_similar_errors_stay_among_lookalikes() -> None:
    truth = truth_of(2000, seed=4)
    careless = WorkerType("careless", accuracy=0.5, errors="similar", median_seconds=5, spread=0)
    answers = simulate_crowd(
        truth, n_workers=5, redundancy=2, mix={careless: 1.0}, similar=HELPDESK_SIMILAR
    )
    true = truth.loc[answers["task"]].to_numpy()
    given = answers["label"].to_numpy()
    wrong = given != true
    assert wrong.mean() == pytest.approx(0.5, abs=0.05)
    assert all(g in HELPDESK_SIMILAR[t] for t, g in zip(true[wrong], given[wrong], strict=True))
    assert answers.groupby("worker")["seconds"].nunique().max() == 1  # spread 0 per task


def test_uniform_errors_without_similar_mapping() -> None:
    truth = truth_of(3000, seed=5)
    careless = WorkerType("careless", accuracy=0.0, errors="similar", median_seconds=5, spread=0.1)
    answers = simulate_crowd(truth, n_workers=3, redundancy=1, mix={careless: 1}, random_state=5)
    true = truth.loc[answers["task"]].to_numpy()
    assert (answers["label"].to_numpy() != true).all()
    pairs = pd.crosstab(true, answers["label"].to_numpy())
    assert (np.diag(pairs.loc[TOPICS, TOPICS].to_numpy()) == 0).all()
    assert (pairs.to_numpy().sum() - np.trace(pairs.to_numpy())) == 3000
    off = pairs.to_numpy()[~np.eye(len(TOPICS), dtype=bool)]
    assert off.min() > 0  # every wrong label turns up


def test_constant_spammers_always_click_the_same_label() -> None:
    clicker = WorkerType("clicker", accuracy=None, errors="constant", median_seconds=2, spread=0.2)
    answers = simulate_crowd(truth_of(200), n_workers=6, mix={clicker: 1}, random_state=2)
    assert all(len(set(labels)) == 1 for _, labels in answers.groupby("worker")["label"])


def test_pay_cost_and_attrs() -> None:
    answers = simulate_crowd(
        truth_of(10), redundancy=2, piece_rate=0.05, platform_fee=0.4, currency="EUR"
    )
    assert (answers["pay"] == 0.05).all()
    np.testing.assert_allclose(answers["cost"], 0.07)
    assert answers.attrs["currency"] == "EUR"
    assert answers.attrs["platform_fee"] == 0.4 and answers.attrs["redundancy"] == 2


def test_integer_labels_and_extra_labels() -> None:
    truth = pd.Series([0, 1, 1, 0] * 25, index=range(100))
    answers = simulate_crowd(truth, labels=[0, 1, 2], mix={"spammer": 1}, random_state=0)
    assert answers["label"].dtype.kind == "i"
    assert set(answers["label"]) == {0, 1, 2}  # spammers also click the label no task has
    assert answers["task"].dtype.kind == "i"


def test_mix_table() -> None:
    table = mix_table()
    assert list(table.index) == list(DEFAULT_MIX)
    assert table["share"].sum() == pytest.approx(1.0)
    assert np.isnan(table.loc["spammer", "accuracy"])
    custom = mix_table({"spammer": 1, "diligent": 3})
    assert custom["share"].tolist() == [0.25, 0.75]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_workers": 2, "redundancy": 3}, "at least equal to redundancy"),
        ({"redundancy": 0}, "redundancy must be a positive integer"),
        ({"mix": {"lazy": 1.0}}, "unknown worker type 'lazy'"),
        ({"mix": {"spammer": -1.0}}, "must be >= 0"),
        ({"mix": {}}, "mix is empty"),
        ({"similar": {"housing": ["castles"]}}, "castles"),
        ({"piece_rate": -0.01}, "piece_rate"),
        ({"platform_fee": float("nan")}, "platform_fee"),
        ({"worker_spread": -0.1}, "worker_spread"),
        ({"labels": ["housing"]}, "not in labels"),
    ],
)
def test_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate_crowd(truth_of(20), **kwargs)


def test_bad_truth() -> None:
    with pytest.raises(TypeError, match="Series"):
        simulate_crowd(["housing", "health"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no label for task"):
        simulate_crowd(pd.Series(["housing", None], index=["a", "b"]))
    with pytest.raises(ValueError, match="more than once"):
        simulate_crowd(pd.Series(["housing", "health"], index=["a", "a"]))
    with pytest.raises(ValueError, match="empty"):
        simulate_crowd(pd.Series([], dtype=str))


def test_worker_type_validation() -> None:
    with pytest.raises(ValueError, match="accuracy must be None"):
        WorkerType("x", accuracy=0.5, errors="random", median_seconds=1, spread=0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        WorkerType("x", accuracy=1.5, errors="uniform", median_seconds=1, spread=0)
    with pytest.raises(ValueError, match="median_seconds"):
        WorkerType("x", accuracy=0.5, errors="uniform", median_seconds=0, spread=0)
    with pytest.raises(ValueError, match="errors must be"):
        WorkerType("x", accuracy=0.5, errors="weird", median_seconds=1, spread=0)  # type: ignore[arg-type]


def test_worker_types_needs_a_simulated_table() -> None:
    plain = pd.DataFrame({"task": [1], "worker": ["a"], "label": ["x"]})
    with pytest.raises(ValueError, match="no record of worker types"):
        worker_types(plain)
