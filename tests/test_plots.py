"""Tests for hiddenwork.plots: the artists drawn, not the pixels."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex

from hiddenwork.pay import REFERENCE_WAGES
from hiddenwork.plots import (
    FONT_SIZE,
    OKABE_ITO,
    accuracy_vs_redundancy,
    wage_histogram,
)

PALETTE = {v.lower() for v in OKABE_ITO.values()}


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def results(repeats: int = 1) -> pd.DataFrame:
    rows = []
    for seed in range(repeats):
        for r, cost in ((1, 19.2), (3, 57.6), (5, 96.0)):
            rows.append(("majority vote", r, 0.6 + 0.06 * r + 0.01 * seed, cost, r * 2.5))
            rows.append(("Dawid-Skene", r, 0.62 + 0.07 * r - 0.01 * seed, cost, r * 2.5))
    table = pd.DataFrame(rows, columns=["method", "redundancy", "accuracy", "cost", "hours"])
    table.attrs["currency"] = "USD"
    return table


def test_accuracy_vs_redundancy_draws_one_line_per_method() -> None:
    ax = accuracy_vs_redundancy(results())
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["majority vote", "Dawid-Skene"]
    np.testing.assert_allclose(lines[0].get_xdata(), [1, 3, 5])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.69, 0.83, 0.97])
    assert {to_hex(line.get_color()) for line in lines} <= PALETTE
    assert len({to_hex(line.get_color()) for line in lines}) == 2
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert list(ax.get_xticks()) == [1, 3, 5]
    assert ax.get_ylim()[1] == 1.0
    assert ax.xaxis.label.get_fontsize() == FONT_SIZE
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["majority vote", "Dawid-Skene"]
    # no error bars for single runs
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]


def test_accuracy_vs_redundancy_cost_axis() -> None:
    ax = accuracy_vs_redundancy(results())
    top = ax.top_axis  # type: ignore[attr-defined]
    assert top in ax.figure.axes
    assert top.get_xlabel() == "Requester cost (USD)"  # currency from results.attrs
    assert [t.get_text() for t in top.get_xticklabels()] == ["19.20", "57.60", "96.00"]
    assert top.get_xlim() == ax.get_xlim()
    hours = accuracy_vs_redundancy(results(), top="hours").top_axis  # type: ignore[attr-defined]
    assert hours.get_xlabel() == "Hours"
    assert [t.get_text() for t in hours.get_xticklabels()] == ["2.5", "7.5", "12.5"]
    assert accuracy_vs_redundancy(results(), top=None).top_axis is None  # type: ignore[attr-defined]


def test_accuracy_vs_redundancy_repeats_are_averaged_with_ranges() -> None:
    ax = accuracy_vs_redundancy(results(repeats=3).drop(columns=["cost", "hours"]))
    mv = ax.get_lines()[0]
    np.testing.assert_allclose(mv.get_ydata(), [0.67, 0.79, 0.91])  # mean of seeds 0, 1, 2
    ranges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(ranges) == 2
    segment = ranges[0].get_segments()[0]
    np.testing.assert_allclose(segment[:, 1], [0.66, 0.68])
    assert ax.top_axis is None  # type: ignore[attr-defined]


def test_accuracy_vs_redundancy_uses_the_given_axes() -> None:
    fig, given = plt.subplots()
    assert accuracy_vs_redundancy(results(), ax=given) is given
    assert len(fig.axes) == 2  # the main axes and its cost twin


def test_accuracy_vs_redundancy_errors() -> None:
    with pytest.raises(ValueError, match="no column 'accuracy'"):
        accuracy_vs_redundancy(results().drop(columns="accuracy"))
    with pytest.raises(ValueError, match="'hours'"):
        accuracy_vs_redundancy(results().drop(columns="hours"), top="hours")
    with pytest.raises(ValueError, match="empty"):
        accuracy_vs_redundancy(results().iloc[:0])
    with pytest.raises(TypeError):
        accuracy_vs_redundancy([1, 2, 3])  # type: ignore[arg-type]


def test_wage_histogram_bars_and_reference_lines() -> None:
    wages = pd.Series([0.5, 1.0, 1.8, 2.2, 3.0, 4.0, 6.0, 9.0, 12.0, 20.0])
    wages.attrs["currency"] = "USD"
    refs = ["us_federal_minimum", REFERENCE_WAGES["hara_2018_median"]]
    ax = wage_histogram(wages, refs, bins=5)
    heights = [patch.get_height() for patch in ax.patches]
    assert len(heights) == 5 and sum(heights) == len(wages)
    assert to_hex(ax.patches[0].get_facecolor()) == OKABE_ITO["sky blue"].lower()
    lines = ax.get_lines()
    assert [line.get_xdata()[0] for line in lines] == [7.25, 2.0]
    assert lines[0].get_label() == (
        "US federal minimum wage (2009): 7.25 USD/h, 70 % of workers below"
    )
    assert lines[1].get_label().endswith("2.00 USD/h, 30 % of workers below")
    assert {to_hex(line.get_color()) for line in lines} <= PALETTE
    assert ax.get_xlabel() == "Hourly wage (USD/h)"
    assert ax.get_ylabel() == "Workers"
    assert len(ax.get_legend().get_texts()) == 3  # the bars and two references


def test_wage_histogram_without_references() -> None:
    ax = wage_histogram([1.0, 2.0, 3.0], bins=3)
    assert ax.get_lines() == [] and ax.get_legend() is None
    assert ax.get_xlabel() == "Hourly wage"


def test_wage_histogram_refuses_to_mix_currencies() -> None:
    wages = pd.Series([1.0, 2.0])
    with pytest.raises(ValueError, match="no currency conversion"):
        wage_histogram(wages, ["smic_2025"], currency="USD")
    with pytest.raises(ValueError, match="currency of the wages unknown"):
        wage_histogram(wages, ["smic_2025"])
    with pytest.raises(ValueError, match="empty"):
        wage_histogram([])
    with pytest.raises(ValueError, match="missing values"):
        wage_histogram([1.0, float("nan")])
    with pytest.raises(KeyError, match="known keys"):
        wage_histogram(wages, ["minimum"], currency="USD")
