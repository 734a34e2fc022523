"""Tests for hiddenwork.agreement."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from hiddenwork.agreement import (
    krippendorff_alpha,
    pairwise_kappa,
    reliability_matrix,
    worker_accuracy,
)
from hiddenwork.crowd import HELPDESK_SIMILAR, simulate_crowd, worker_types

# Krippendorff's worked example: 4 observers, 12 units, values 1-5, gaps for missing.
# K. Krippendorff (2011), Computing Krippendorff's alpha-reliability, example C.
GRID = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
WORDS = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}


def example(words: bool = False) -> pd.DataFrame:
    rows = [
        (unit, observer, WORDS[v] if words else v)
        for observer, values in GRID.items()
        for unit, v in enumerate(values, start=1)
        if v is not None
    ]
    return pd.DataFrame(rows, columns=["task", "worker", "label"])


def simulated(seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    topics = sorted(HELPDESK_SIMILAR)
    truth = pd.Series(rng.choice(topics, 400), index=[f"m{i:03d}" for i in range(400)])
    return simulate_crowd(truth, n_workers=10, redundancy=3, random_state=seed), truth


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_reproduces_krippendorffs_worked_example(level: str, expected: float) -> None:
    assert krippendorff_alpha(example(), level) == pytest.approx(expected, abs=5e-4)  # type: ignore[arg-type]


def test_alpha_with_text_labels() -> None:
    answers = example(words=True)
    assert krippendorff_alpha(answers) == pytest.approx(0.743, abs=5e-4)
    order = [WORDS[i] for i in range(1, 6)]
    assert krippendorff_alpha(answers, "ordinal", order=order) == pytest.approx(0.815, abs=5e-4)


def test_alpha_matches_the_package_on_the_reliability_matrix() -> None:
    answers, _ = simulated(1)
    grid = reliability_matrix(answers)
    codes = {label: i for i, label in enumerate(sorted(answers["label"].unique()))}
    data = grid.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(answers) == pytest.approx(expected, abs=1e-12)


def test_alpha_perfect_agreement_is_one() -> None:
    answers = pd.DataFrame(
        {"task": [1, 1, 2, 2, 3], "worker": ["a", "b", "a", "b", "a"], "label": list("xxyyx")}
    )
    assert krippendorff_alpha(answers) == pytest.approx(1.0)


def test_reliability_matrix_layout() -> None:
    grid = reliability_matrix(example())
    assert grid.shape == (4, 12)
    assert grid.isna().sum().sum() == 4 * 12 - len(example())
    assert grid.loc["B", 12] == 3


@pytest.mark.parametrize(
    ("answers", "kwargs", "message"),
    [
        (
            pd.DataFrame({"task": [1, 2], "worker": ["a", "a"], "label": ["x", "y"]}),
            {},
            "two workers or more",
        ),
        (
            pd.DataFrame({"task": [1, 1], "worker": ["a", "b"], "label": ["x", "x"]}),
            {},
            "same label",
        ),
        (example(words=True), {"level": "ordinal"}, "needs order"),
        (example(words=True), {"level": "interval"}, "numeric labels"),
        (example(words=True), {"level": "ordinal", "order": ["low", "mid"]}, "does not place"),
        (example(), {"level": "nominal", "order": [1, 2, 3, 4, 5]}, "only used with"),
        (example(), {"level": "fuzzy"}, "level must be"),
    ],
)
def test_alpha_errors(answers: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(answers, **kwargs)


def test_pairwise_kappa_matches_sklearn_pair_by_pair() -> None:
    answers, _ = simulated(2)
    kappa = pairwise_kappa(answers, min_overlap=5)
    assert kappa.shape == (10, 10)
    assert np.isnan(np.diag(kappa.to_numpy())).all()
    np.testing.assert_array_equal(kappa.to_numpy(), kappa.to_numpy().T)
    grid = reliability_matrix(answers)
    labels = sorted(answers["label"].unique())
    checked = 0
    for a in grid.index[:4]:
        for b in grid.index[4:8]:
            both = grid.loc[a].notna() & grid.loc[b].notna()
            if both.sum() < 5:
                assert np.isnan(kappa.loc[a, b])
                continue
            expected = cohen_kappa_score(grid.loc[a, both], grid.loc[b, both], labels=labels)
            assert kappa.loc[a, b] == pytest.approx(expected)
            checked += 1
    assert checked >= 10


def test_pairwise_kappa_min_overlap_and_undefined_pairs() -> None:
    answers = pd.DataFrame(
        {
            "task": [1, 1, 2, 2, 3, 3, 3],
            "worker": ["a", "b", "a", "b", "a", "b", "c"],
            "label": ["x", "x", "y", "y", "x", "x", "y"],
        }
    )
    kappa = pairwise_kappa(answers, min_overlap=3)  # only a and b share 3 tasks
    assert kappa.loc["a", "b"] == pytest.approx(1.0)
    assert kappa.isna().to_numpy().sum() == 7
    assert pairwise_kappa(answers, min_overlap=4).isna().all().all()
    assert kappa.loc["a", "c"] != kappa.loc["a", "c"]  # NaN: 1 shared task < 3
    assert pairwise_kappa(answers, min_overlap=1).loc["a", "c"] == pytest.approx(0.0)
    same = answers.assign(label="x")
    same.loc[6, "label"] = "y"
    assert np.isnan(pairwise_kappa(same, min_overlap=1).loc["a", "b"])  # all "x": 0/0
    with pytest.raises(ValueError, match="min_overlap"):
        pairwise_kappa(answers, min_overlap=0)


def test_spammers_agree_with_nobody() -> None:
    answers, _ = simulated(3)
    kappa = pairwise_kappa(answers, min_overlap=10)
    kinds = worker_types(answers)
    mean_kappa = kappa.mean(axis=1)
    spammers = kinds.index[kinds == "spammer"]
    diligent = kinds.index[kinds == "diligent"]
    assert mean_kappa[spammers].max() < mean_kappa[diligent].min()


def test_worker_accuracy_against_gold() -> None:
    answers, truth = simulated(4)
    gold = truth.iloc[:100]
    table = worker_accuracy(answers, gold)
    on_gold = answers[answers["task"].isin(gold.index)]
    right = on_gold["label"].to_numpy() == gold.loc[on_gold["task"]].to_numpy()
    expected = pd.Series(right, index=on_gold["worker"].to_numpy()).groupby(level=0).mean()
    pd.testing.assert_series_equal(
        table["accuracy"].dropna(), expected, check_names=False, check_index_type=False
    )
    assert table["n_gold"].sum() == len(on_gold)
    kinds = worker_types(answers)
    assert table.loc[kinds == "spammer", "accuracy"].max() < 0.4


def test_worker_accuracy_errors() -> None:
    answers = example()
    with pytest.raises(ValueError, match="none of the answered tasks is in gold"):
        worker_accuracy(answers, pd.Series({"zz": 1}))
    with pytest.raises(TypeError, match="Series"):
        worker_accuracy(answers, {1: 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no column 'label'"):
        worker_accuracy(answers.drop(columns="label"), pd.Series({1: 1}))
