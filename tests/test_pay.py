"""Tests for hiddenwork.pay."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from hiddenwork.crowd import HELPDESK_SIMILAR, simulate_crowd, worker_types
from hiddenwork.pay import (
    FAIRWORK_FAIR_PAY,
    REFERENCE_WAGES,
    ReferenceWage,
    effective_wage,
    hourly_wage,
    reference_wage,
    share_below,
)


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task": [1, 2, 3, 1, 2],
            "worker": ["ann", "ann", "ann", "bob", "bob"],
            "label": ["x", "y", "x", "x", "y"],
            "seconds": [30.0, 45.0, 45.0, 10.0, 8.0],
            "pay": [0.05, 0.05, 0.0, 0.05, 0.05],
        }
    )


def test_hourly_wage_scalars_arrays_series() -> None:
    assert hourly_wage(0.02, 30) == pytest.approx(2.4)
    assert isinstance(hourly_wage(0.02, 30), float)
    np.testing.assert_allclose(hourly_wage(0.1, np.array([36.0, 72.0])), [10.0, 5.0])
    series = hourly_wage(pd.Series([0.1, 0.2], index=["a", "b"]), 36.0)
    assert isinstance(series, pd.Series) and series.to_dict() == pytest.approx({"a": 10, "b": 20})


@pytest.mark.parametrize(
    ("rate", "seconds"), [(0.1, 0.0), (0.1, -5.0), (-0.1, 10.0), (0.1, np.nan)]
)
def test_hourly_wage_rejects_bad_values(rate: float, seconds: float) -> None:
    with pytest.raises(ValueError):
        hourly_wage(rate, seconds)


def test_reference_wages_are_dated_and_sourced() -> None:
    smic = reference_wage("smic_2025")
    assert (smic.amount, smic.currency, smic.year, smic.valid_from) == (
        11.88,
        "EUR",
        2025,
        "2024-11-01",
    )
    assert "2024-951" in smic.source
    assert reference_wage("smic_2026").amount == 12.02
    us = reference_wage("us_federal_minimum")
    assert (us.amount, us.currency, us.valid_from) == (7.25, "USD", "2009-07-24")
    hara = reference_wage("hara_2018_median")
    assert (hara.amount, hara.currency, hara.year) == (2.0, "USD", 2018)
    assert "4 %" in hara.note and "unpaid" in hara.note
    for ref in REFERENCE_WAGES.values():
        assert ref.source and ref.currency in {"EUR", "USD"} and ref.amount > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        smic.amount = 20.0  # type: ignore[misc]
    with pytest.raises(KeyError, match="known keys: smic_2025"):
        reference_wage("smic")
    assert us.label() == "US federal minimum wage (2009): 7.25 USD/h"


def test_fairwork_principle() -> None:
    assert "minimum wage" in FAIRWORK_FAIR_PAY.statement
    assert "platform fees" in FAIRWORK_FAIR_PAY.statement
    assert "Oxford Internet Institute" in FAIRWORK_FAIR_PAY.source


def test_effective_wage_counts_time_and_rejections() -> None:
    wages = effective_wage(table())
    # ann: 0.10 earned in 120 s (her third, rejected answer still took 45 s)
    assert wages.loc["ann", "hourly_wage"] == pytest.approx(0.10 * 3600 / 120)
    assert wages.loc["bob", "hourly_wage"] == pytest.approx(0.10 * 3600 / 18)
    assert wages.loc["ann", "n_answers"] == 3 and wages.loc["ann", "earned"] == pytest.approx(0.1)
    assert wages.loc["ann", "paid_hours"] == pytest.approx(120 / 3600)
    assert (wages["unpaid_hours"] == 0).all()


def test_effective_wage_with_unpaid_time() -> None:
    per_task = effective_wage(table(), unpaid_seconds_per_task=10)
    assert per_task.loc["ann", "hourly_wage"] == pytest.approx(0.10 * 3600 / 150)
    assert per_task.loc["bob", "unpaid_hours"] == pytest.approx(20 / 3600)
    extra = pd.Series({"bob": 342.0})
    both = effective_wage(table(), unpaid_seconds_per_task=10, unpaid_seconds=extra)
    assert both.loc["bob", "hourly_wage"] == pytest.approx(0.10 * 3600 / (18 + 20 + 342))
    assert both.loc["ann", "hourly_wage"] == per_task.loc["ann", "hourly_wage"]


def test_effective_wage_errors() -> None:
    with pytest.raises(ValueError, match="no column 'seconds'"):
        effective_wage(table().drop(columns="seconds"))
    negative = table()
    negative.loc[2, "seconds"] = -1.0
    with pytest.raises(ValueError, match=r"'seconds' has negative value\(s\) at row\(s\) 2"):
        effective_wage(negative)
    with pytest.raises(ValueError, match="must hold numbers"):
        effective_wage(table().astype({"pay": str}))
    with pytest.raises(ValueError, match="no answer"):
        effective_wage(table(), unpaid_seconds=pd.Series({"zoe": 10.0}))
    with pytest.raises(ValueError, match="unpaid_seconds_per_task"):
        effective_wage(table(), unpaid_seconds_per_task=-1)
    with pytest.raises(ValueError, match="spent no time"):
        effective_wage(table().assign(seconds=0.0))


def test_simulated_crowd_wages_and_currency() -> None:
    rng = np.random.default_rng(0)
    truth = pd.Series(rng.choice(sorted(HELPDESK_SIMILAR), 500), index=range(500))
    answers = simulate_crowd(truth, redundancy=3, piece_rate=0.02, random_state=0)
    wages = effective_wage(answers)
    assert wages.attrs["currency"] == "USD"
    assert wages["hourly_wage"].attrs["currency"] == "USD"
    assert wages["n_answers"].sum() == len(answers)
    expected = answers.groupby("worker").apply(
        lambda g: g["pay"].sum() * 3600 / g["seconds"].sum(), include_groups=False
    )
    np.testing.assert_allclose(wages["hourly_wage"], expected.loc[wages.index])
    # the fastest clickers earn the most per hour: a piece rate rewards speed, not care
    kinds = worker_types(answers)
    by_kind = wages["hourly_wage"].groupby(kinds).median()
    assert by_kind.idxmax() == "spammer" and by_kind.idxmin() == "diligent"
    below = share_below(wages["hourly_wage"], "us_federal_minimum")
    assert below == pytest.approx((wages["hourly_wage"] < 7.25).mean())


def test_share_below_never_converts_currencies() -> None:
    wages = pd.Series([5.0, 10.0, 15.0])
    assert share_below(wages, "smic_2025", currency="EUR") == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="no currency conversion"):
        share_below(wages, "smic_2025", currency="USD")
    with pytest.raises(ValueError, match="currency of the wages unknown"):
        share_below(wages, "us_federal_minimum")
    custom = ReferenceWage("living wage", 14.0, "GBP", 2025, "2025-01-01", "made up for a test")
    assert share_below([10.0, 20.0], custom, currency="GBP") == 0.5
    with pytest.raises(ValueError, match="empty"):
        share_below([], custom, currency="GBP")
