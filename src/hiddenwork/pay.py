"""What crowd work pays per hour, next to reference wages.

Microtasks are paid by the piece, not by the hour: a piece rate of 0.02 USD looks like
nothing and like a fair deal at once, until it is divided by the time the task takes. This
module turns piece rates and seconds into hourly wages, per worker, counting paid time only or
also the unpaid time that Hara et al. (2018) measured (searching for tasks, work that is
rejected or never submitted), and compares them with reference wages that carry their source
and date.

**Currencies are never converted here**: a wage in USD is compared only with a reference in
USD, a wage in EUR only with one in EUR. Exchange rates and purchasing power change over time
and would need a dated source of their own; mixing them in silently would make the comparison
look more exact than it is.

References
----------
K. Hara, A. Adams, K. Milland, S. Savage, C. Callison-Burch and J. P. Bigham (2018). A
data-driven analysis of workers' earnings on Amazon Mechanical Turk. *Proceedings of the 2018
CHI Conference on Human Factors in Computing Systems*, paper 449.
https://doi.org/10.1145/3173574.3174023

Fairwork (2024). *Cloudwork (online work) principles*, version in effect from June 2024.
Fairwork, Oxford Internet Institute and WZB Berlin Social Science Center. https://fair.work/
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from hiddenwork._validation import check_answers

__all__ = [
    "FAIRWORK_FAIR_PAY",
    "REFERENCE_WAGES",
    "Principle",
    "ReferenceWage",
    "effective_wage",
    "hourly_wage",
    "reference_wage",
    "share_below",
]


@dataclass(frozen=True)
class ReferenceWage:
    """An hourly wage to compare with, and where it comes from.

    Attributes
    ----------
    name : str
        Short name for a plot legend.
    amount : float
        Per hour, in ``currency``.
    currency : str
        ISO 4217 code ("EUR", "USD").
    year : int
        Year the figure applies to (or was measured).
    valid_from : str
        Date (ISO format) from which the figure applies, or the period measured.
    source : str
        Where the figure comes from.
    note : str
        What the figure is and is not (gross or net, what time is counted).
    """

    name: str
    amount: float
    currency: str
    year: int
    valid_from: str
    source: str
    note: str = ""

    def label(self) -> str:
        """``"name (year): amount currency/h"``, for a legend."""
        return f"{self.name} ({self.year}): {self.amount:.2f} {self.currency}/h"


@dataclass(frozen=True)
class Principle:
    """A principle of fair work, paraphrased, with its source."""

    name: str
    statement: str
    source: str
    year: int


REFERENCE_WAGES: Mapping[str, ReferenceWage] = {
    "smic_2025": ReferenceWage(
        name="SMIC (France)",
        amount=11.88,
        currency="EUR",
        year=2025,
        valid_from="2024-11-01",
        source="Décret n° 2024-951 du 23 octobre 2024 portant relèvement du salaire "
        "minimum de croissance (JORF of 24 October 2024)",
        note="French minimum wage, gross per hour, mainland France; in force from "
        "1 November 2024 to 31 December 2025 (no rise on 1 January 2025).",
    ),
    "smic_2026": ReferenceWage(
        name="SMIC (France)",
        amount=12.02,
        currency="EUR",
        year=2026,
        valid_from="2026-01-01",
        source="Décret n° 2025-1228 du 17 décembre 2025 portant relèvement du salaire "
        "minimum de croissance (JORF of 18 December 2025)",
        note="French minimum wage, gross per hour, mainland France, from 1 January 2026 (+1.18 %).",
    ),
    "us_federal_minimum": ReferenceWage(
        name="US federal minimum wage",
        amount=7.25,
        currency="USD",
        year=2009,
        valid_from="2009-07-24",
        source="Fair Labor Standards Act, 29 U.S.C. § 206, as amended by the Fair "
        "Minimum Wage Act of 2007 (last step on 24 July 2009)",
        note="Unchanged since 2009; many US states and cities set a higher minimum.",
    ),
    "hara_2018_median": ReferenceWage(
        name="Median on Mechanical Turk (Hara et al.)",
        amount=2.0,
        currency="USD",
        year=2018,
        valid_from="2014-09/2017-01",
        source="Hara et al. (2018), A data-driven analysis of workers' earnings on Amazon "
        "Mechanical Turk, CHI 2018, abstract",
        note="Rounded figure of the abstract ('~$2/h'): median hourly wage of 2,676 "
        "workers over 3.8 million tasks, counting unpaid time (searching for tasks, "
        "rejected and unsubmitted work); only 4 % earned more than 7.25 USD/h. "
        "A measurement, not a legal minimum.",
    ),
}
"""Reference hourly wages, by key. Amounts are gross and per hour; see each ``note``."""

FAIRWORK_FAIR_PAY = Principle(
    name="Fairwork Principle 1: Fair Pay (cloudwork)",
    statement=(
        "Workers are paid on time and for all completed work, and earn at least the local "
        "minimum wage after work-related costs such as platform fees. For piece-rate work, "
        "the vast majority of workers should reach that minimum, and each worker should see a "
        "reasonable estimate of the time a task takes before accepting it."
    ),
    source="Fairwork, Cloudwork (Online Work) Principles, version in effect from June 2024; "
    "Fairwork project, Oxford Internet Institute and WZB Berlin Social Science Center",
    year=2024,
)
"""Fairwork's fair-pay principle for online platform work, paraphrased."""


def reference_wage(key: str) -> ReferenceWage:
    """Look up a reference wage by key, with a clear error listing the keys.

    Examples
    --------
    >>> reference_wage("us_federal_minimum").label()
    'US federal minimum wage (2009): 7.25 USD/h'
    """
    try:
        return REFERENCE_WAGES[key]
    except KeyError:
        raise KeyError(
            f"no reference wage {key!r}; known keys: {', '.join(REFERENCE_WAGES)}"
        ) from None


@overload
def hourly_wage(piece_rate: float, seconds_per_task: float) -> float: ...
@overload
def hourly_wage(piece_rate: float | pd.Series, seconds_per_task: pd.Series) -> pd.Series: ...
@overload
def hourly_wage(piece_rate: pd.Series, seconds_per_task: float | pd.Series) -> pd.Series: ...
@overload
def hourly_wage(piece_rate: float | np.ndarray, seconds_per_task: np.ndarray) -> np.ndarray: ...


def hourly_wage(
    piece_rate: float | np.ndarray | pd.Series, seconds_per_task: float | np.ndarray | pd.Series
) -> float | np.ndarray | pd.Series:
    """The hourly wage of a piece rate: ``piece_rate * 3600 / seconds_per_task``.

    Parameters
    ----------
    piece_rate : float or array-like
        Pay per task (any currency: the result is in the same currency per hour).
    seconds_per_task : float or array-like
        Time one task takes, in seconds; must be positive.

    Returns
    -------
    float or array-like
        Pay per hour, with the shape of the inputs.

    Examples
    --------
    >>> hourly_wage(0.02, 30)  # 2 cents for a 30-second task
    2.4
    >>> round(0.05 * 3600 / 25, 2) == hourly_wage(0.05, 25)
    True
    """
    rate = np.asarray(piece_rate, dtype=float)
    seconds = np.asarray(seconds_per_task, dtype=float)
    if np.any(~np.isfinite(rate)) or np.any(rate < 0):
        raise ValueError("piece_rate must be zero or positive (and not missing)")
    if np.any(~np.isfinite(seconds)) or np.any(seconds <= 0):
        raise ValueError("seconds_per_task must be positive (and not missing)")
    result = piece_rate * 3600.0 / seconds_per_task
    if isinstance(result, np.floating):
        return float(result)
    return result


def effective_wage(
    answers: pd.DataFrame,
    *,
    unpaid_seconds_per_task: float = 0.0,
    unpaid_seconds: pd.Series | None = None,
) -> pd.DataFrame:
    """Each worker's earnings per hour of work.

    By default only the time spent on the tasks (column ``seconds``) counts, as a platform
    would count it. Hara et al. (2018) showed that this hides unpaid time: finding the next
    task, tasks returned or rejected. Count it in with ``unpaid_seconds_per_task`` (an
    overhead per answer) and/or ``unpaid_seconds`` (a total per worker). Rejected answers are
    rows whose ``pay`` is 0: their time counts, their pay does not.

    Parameters
    ----------
    answers : pandas.DataFrame
        Columns ``task``, ``worker``, ``label``, ``seconds``, ``pay``.
    unpaid_seconds_per_task : float, default 0
        Unpaid seconds added for each answer (e.g. searching for the next task).
    unpaid_seconds : pandas.Series, optional
        Unpaid seconds per worker (index ``worker``), added to their total; workers absent
        from it get 0.

    Returns
    -------
    pandas.DataFrame
        One row per worker (sorted) with ``n_answers``, ``earned`` (sum of ``pay``),
        ``paid_hours`` (time on the tasks), ``unpaid_hours`` and ``hourly_wage``
        (``earned / (paid_hours + unpaid_hours)``). ``attrs["currency"]`` is copied from
        ``answers.attrs`` when present.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({
    ...     "task": [1, 2, 3, 1],
    ...     "worker": ["ann", "ann", "ann", "bob"],
    ...     "label": ["x", "y", "x", "x"],
    ...     "seconds": [30.0, 30.0, 60.0, 10.0],
    ...     "pay": [0.02, 0.02, 0.0, 0.02],   # ann's third answer was rejected
    ... })
    >>> effective_wage(answers)["hourly_wage"].round(2)
    worker
    ann    1.2
    bob    7.2
    Name: hourly_wage, dtype: float64
    >>> effective_wage(answers, unpaid_seconds_per_task=20)["hourly_wage"].round(2)
    worker
    ann    0.8
    bob    2.4
    Name: hourly_wage, dtype: float64
    """
    check_answers(
        answers, columns=("task", "worker", "label", "seconds", "pay"), numeric=("seconds", "pay")
    )
    if not np.isfinite(unpaid_seconds_per_task) or unpaid_seconds_per_task < 0:
        raise ValueError(
            f"unpaid_seconds_per_task must be zero or positive, got {unpaid_seconds_per_task!r}"
        )
    table = answers.groupby("worker").agg(
        n_answers=("task", "size"), earned=("pay", "sum"), seconds=("seconds", "sum")
    )
    unpaid = table["n_answers"] * float(unpaid_seconds_per_task)
    if unpaid_seconds is not None:
        if not isinstance(unpaid_seconds, pd.Series):
            raise TypeError("unpaid_seconds must be a pandas Series indexed by worker")
        strangers = unpaid_seconds.index.difference(table.index)
        if len(strangers):
            raise ValueError(
                f"unpaid_seconds names worker(s) with no answer: {list(strangers[:5])}"
            )
        extra = unpaid_seconds.reindex(table.index).fillna(0.0).astype(float)
        if (extra < 0).any():
            raise ValueError("unpaid_seconds must be zero or positive")
        unpaid = unpaid + extra
    total = table["seconds"] + unpaid
    if (total <= 0).any():
        zero = list(table.index[(total <= 0).to_numpy()][:5])
        raise ValueError(f"worker(s) {zero} spent no time at all: an hourly wage is undefined")
    result = pd.DataFrame(
        {
            "n_answers": table["n_answers"],
            "earned": table["earned"],
            "paid_hours": table["seconds"] / 3600.0,
            "unpaid_hours": unpaid / 3600.0,
            "hourly_wage": table["earned"] * 3600.0 / total,
        }
    )
    if "currency" in answers.attrs:
        result.attrs["currency"] = answers.attrs["currency"]
    return result


def share_below(
    wages: pd.Series | Iterable[float],
    reference: ReferenceWage | str,
    *,
    currency: str | None = None,
) -> float:
    """Share of the wages strictly below a reference wage.

    Parameters
    ----------
    wages : pandas.Series or iterable of float
        Hourly wages, e.g. ``effective_wage(answers)["hourly_wage"]``.
    reference : ReferenceWage or str
        The reference, or its key in :data:`REFERENCE_WAGES`.
    currency : str, optional
        Currency of ``wages``; taken from ``wages.attrs["currency"]`` when absent. It must be
        the reference's currency: nothing is converted.

    Examples
    --------
    >>> import pandas as pd
    >>> share_below(pd.Series([1.5, 3.0, 8.0, 12.0]), "us_federal_minimum", currency="USD")
    0.5
    """
    ref = reference_wage(reference) if isinstance(reference, str) else reference
    values = wages if isinstance(wages, pd.Series) else pd.Series(list(wages), dtype=float)
    if currency is None:
        currency = values.attrs.get("currency")
    if currency is None:
        raise ValueError(
            "currency of the wages unknown: pass currency='USD' (or 'EUR', ...); wages are "
            "only compared with a reference in the same currency"
        )
    if currency != ref.currency:
        raise ValueError(
            f"the wages are in {currency} but {ref.name!r} is in {ref.currency}: no currency "
            "conversion is done here (rates change and would need a dated source); compare "
            "with a reference in the same currency"
        )
    if values.empty:
        raise ValueError("wages is empty")
    if values.isna().any():
        raise ValueError("wages has missing values")
    return float((values < ref.amount).mean())
