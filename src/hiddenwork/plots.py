"""Figures for the crowd-labelling lab: what redundancy buys, and what the work pays.

Each helper draws on a matplotlib ``Axes`` (a new one unless ``ax`` is given), returns it,
and never calls ``plt.show()``: the notebook shows the figure. Colours come from the
Okabe-Ito palette, readable with the common forms of colour blindness, and lines also differ
by marker and dash so that the figures survive black-and-white printing.

Reference: M. Okabe and K. Ito (2008). *Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people.* J*FLY. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hiddenwork.pay import ReferenceWage, reference_wage

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["FONT_SIZE", "OKABE_ITO", "accuracy_vs_redundancy", "wage_histogram"]

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
"""The Okabe-Ito colour-blind-safe palette, by colour name."""

FONT_SIZE = 12
"""Font size (points) of axis labels, ticks and legends."""

# Order in which lines and bars take the colours; yellow comes last (weak on white).
_SERIES = ("blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue", "black")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_DASHES = ("-", "--", "-.", ":", "-", "--", "-.")


def _colour(i: int) -> str:
    return OKABE_ITO[_SERIES[i % len(_SERIES)]]


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or the axes of a new figure with constrained layout."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _style(ax: Axes) -> None:
    ax.tick_params(labelsize=FONT_SIZE)
    ax.grid(True, color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def accuracy_vs_redundancy(
    results: pd.DataFrame,
    *,
    top: str | None = "auto",
    currency: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Accuracy of each aggregation method against the number of answers per task.

    Parameters
    ----------
    results : pandas.DataFrame
        One row per (method, redundancy) run, with columns ``method`` (e.g. "majority
        vote"), ``redundancy`` and ``accuracy`` (0 to 1), and optionally ``cost`` (what the
        requester paid for the run) and ``hours`` (worker hours). Repeated runs of the same
        method and redundancy are averaged, with their range drawn as an error bar.
    top : {"auto", "cost", "hours"} or None, default "auto"
        Column shown on a second horizontal axis along the top, one tick per redundancy
        (its mean over the rows of that redundancy). "auto" takes ``cost`` if present, else
        ``hours``; ``None`` draws no second axis.
    currency : str, optional
        Currency of ``cost``, for the axis label (default: ``results.attrs["currency"]``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The main axes; the cost axis is ``ax.figure.axes`` 's twin, also stored as
        ``ax.top_axis`` (``None`` when not drawn).

    Examples
    --------
    >>> import pandas as pd
    >>> results = pd.DataFrame({
    ...     "method": ["majority vote"] * 3 + ["Dawid-Skene"] * 3,
    ...     "redundancy": [1, 3, 5] * 2,
    ...     "accuracy": [0.70, 0.82, 0.93, 0.70, 0.86, 0.95],
    ...     "cost": [19.2, 57.6, 96.0] * 2,
    ... })
    >>> ax = accuracy_vs_redundancy(results, currency="USD")
    >>> [line.get_label() for line in ax.get_lines()]
    ['majority vote', 'Dawid-Skene']
    >>> ax.top_axis.get_xlabel()
    'Requester cost (USD)'
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame, got {type(results).__name__}")
    missing = [c for c in ("method", "redundancy", "accuracy") if c not in results.columns]
    if missing:
        raise ValueError(
            f"results has no column {', '.join(repr(c) for c in missing)}; it needs one row "
            "per run with columns method, redundancy, accuracy (and optionally cost, hours)"
        )
    if results.empty:
        raise ValueError("results is empty: nothing to plot")
    if top == "auto":
        top = "cost" if "cost" in results.columns else "hours" if "hours" in results else None
    if top is not None and top not in results.columns:
        raise ValueError(f"results has no column {top!r} to show on the top axis")

    ax = _new_axes(ax, (7.0, 4.5))
    for i, (method, runs) in enumerate(results.groupby("method", sort=False)):
        stats = runs.groupby("redundancy")["accuracy"].agg(["mean", "min", "max"]).sort_index()
        x = stats.index.to_numpy(dtype=float)
        colour = _colour(i)
        ax.plot(
            x,
            stats["mean"],
            color=colour,
            marker=_MARKERS[i % len(_MARKERS)],
            linestyle=_DASHES[i % len(_DASHES)],
            linewidth=2,
            markersize=7,
            label=str(method),
        )
        if bool((stats["max"] > stats["min"]).any()):  # repeated runs: show their range
            ax.vlines(x, stats["min"], stats["max"], color=colour, linewidth=1.5, alpha=0.8)
    levels = np.sort(results["redundancy"].unique())
    ax.set_xticks(levels)
    ax.set_xlabel("Answers per task (redundancy)", fontsize=FONT_SIZE)
    ax.set_ylabel("Accuracy against the true labels", fontsize=FONT_SIZE)
    low = float(results["accuracy"].min())
    ax.set_ylim(max(0.0, low - 0.05), 1.0)
    _style(ax)
    ax.legend(fontsize=FONT_SIZE, loc="lower right")

    second = None
    if top is not None:
        per_level = results.groupby("redundancy")[top].mean().reindex(levels)
        second = ax.twiny()
        second.set_xlim(ax.get_xlim())
        second.set_xticks(levels)
        if top == "cost":
            unit = currency or results.attrs.get("currency")
            second.set_xticklabels([_money(v) for v in per_level])
            second.set_xlabel(
                f"Requester cost ({unit})" if unit else "Requester cost", fontsize=FONT_SIZE
            )
        else:
            second.set_xticklabels([f"{v:,.1f}" for v in per_level])
            second.set_xlabel(f"{top.capitalize()}", fontsize=FONT_SIZE)
        second.tick_params(labelsize=FONT_SIZE)
    ax.top_axis = second  # type: ignore[attr-defined]
    return ax


def wage_histogram(
    wages: pd.Series | Iterable[float],
    references: Iterable[ReferenceWage | str] = (),
    *,
    currency: str | None = None,
    bins: int | Iterable[float] = 20,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of hourly wages, with a vertical line for each reference wage.

    Parameters
    ----------
    wages : pandas.Series or iterable of float
        Hourly wages, one per worker (e.g. ``effective_wage(answers)["hourly_wage"]``).
    references : iterable of ReferenceWage or str
        Reference wages (or their keys in :data:`hiddenwork.pay.REFERENCE_WAGES`), all in
        the wages' currency: nothing is converted, and a reference in another currency is an
        error. Each legend entry says the share of workers below the line.
    currency : str, optional
        Currency of the wages (default: ``wages.attrs["currency"]``).
    bins : int or sequence, default 20
        As for ``matplotlib.axes.Axes.hist``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> wages = pd.Series([1.2, 2.0, 2.5, 3.1, 8.0])
    >>> ax = wage_histogram(wages, ["us_federal_minimum", "hara_2018_median"], currency="USD")
    >>> [line.get_label() for line in ax.get_lines()]  # doctest: +NORMALIZE_WHITESPACE
    ['US federal minimum wage (2009): 7.25 USD/h, 80 % of workers below',
     'Median on Mechanical Turk (Hara et al.) (2018): 2.00 USD/h, 20 % of workers below']
    """
    values = wages if isinstance(wages, pd.Series) else pd.Series(list(wages), dtype=float)
    if values.empty:
        raise ValueError("wages is empty: nothing to plot")
    if values.isna().any():
        raise ValueError("wages has missing values; drop them first (wages.dropna())")
    unit = currency or values.attrs.get("currency")
    refs = [reference_wage(r) if isinstance(r, str) else r for r in references]
    for ref in refs:
        if unit is None:
            raise ValueError(
                "currency of the wages unknown: pass currency='USD' (or 'EUR', ...) to draw "
                "reference wages"
            )
        if ref.currency != unit:
            raise ValueError(
                f"the wages are in {unit} but {ref.name!r} is in {ref.currency}: no currency "
                "conversion is done here; pick references in the wages' currency"
            )

    from matplotlib.ticker import MaxNLocator

    ax = _new_axes(ax, (7.0, 5.5 if refs else 4.5))
    ax.hist(
        values.to_numpy(dtype=float),
        bins=bins,  # type: ignore[arg-type]
        color=OKABE_ITO["sky blue"],
        edgecolor="white",
        label="workers",
    )
    dashes = ("--", "-.", ":", (0, (5, 1, 1, 1)))
    colours = ("vermillion", "black", "bluish green", "reddish purple", "blue", "orange")
    for i, ref in enumerate(refs):
        below = float((values < ref.amount).mean())
        ax.axvline(
            ref.amount,
            color=OKABE_ITO[colours[i % len(colours)]],
            linestyle=dashes[i % len(dashes)],
            linewidth=2.5,
            label=f"{ref.label()}, {below:.0%} of workers below".replace("%", " %"),
        )
    ax.set_xlabel(f"Hourly wage ({unit}/h)" if unit else "Hourly wage", fontsize=FONT_SIZE)
    ax.set_ylabel("Workers", fontsize=FONT_SIZE)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _style(ax)
    if refs:  # below the axes, so that it never hides a bar
        ax.legend(fontsize=FONT_SIZE - 1, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return ax
