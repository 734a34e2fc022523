"""Simulate a crowd of paid workers labelling tasks.

Data for machine learning is often labelled on microtask platforms: the work is cut into tiny
tasks ("taskification", in Antonio Casilli's word), each paid a piece rate, and each task is
given to several workers whose answers are later aggregated (:mod:`hiddenwork.aggregation`).
This module makes such a crowd on demand, so that a lab can show what redundancy buys, what it
costs, and who earns what.

Workers belong to *archetypes* inspired by Kazai, Kamps and Milic-Frayling (2011), who sorted
the workers of a crowdsourced relevance-labelling task into five types from what they did
(time spent per task, share of usable labels, accuracy): diligent, competent, sloppy,
incompetent and spammer. Each archetype here has a confusion model (how it errs) and a time
per task drawn from a log-normal distribution. **The numbers (accuracies, seconds, shares of
the crowd) are ours, chosen to be plausible for short text-classification tasks; they are not
estimates from that paper**, which studied a different task. Change them with ``mix``.

References
----------
G. Kazai, J. Kamps and N. Milic-Frayling (2011). Worker types and personality traits in
crowdsourcing relevance labels. *Proceedings of the 20th ACM International Conference on
Information and Knowledge Management (CIKM '11)*, 1941-1944.
https://doi.org/10.1145/2063576.2063860

A. A. Casilli (2019). *En attendant les robots. Enquête sur le travail du clic.* Paris: Seuil.
(English translation: *Waiting for Robots: The Hired Hands of Automation*, University of
Chicago Press, 2025.)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from hiddenwork._validation import check_truth, sorted_labels

__all__ = [
    "DEFAULT_MIX",
    "HELPDESK_SIMILAR",
    "WORKER_TYPES",
    "WorkerType",
    "mix_table",
    "simulate_crowd",
    "worker_types",
]

ErrorMode = Literal["uniform", "similar", "random", "constant"]
RandomState = int | np.random.Generator | None


@dataclass(frozen=True)
class WorkerType:
    """A worker archetype: how often it is right, how it errs, how long it takes.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"sloppy"``.
    accuracy : float or None
        Probability of giving the true label. ``None`` for workers whose answers ignore the
        task (``errors="random"`` or ``"constant"``).
    errors : {"uniform", "similar", "random", "constant"}
        How the wrong answers are chosen:

        - ``"uniform"``: any wrong label, all equally likely (a worker who lacks the skill);
        - ``"similar"``: a label that looks like the true one, taken from the ``similar``
          mapping given to :func:`simulate_crowd` (a careless or hurried worker); without a
          mapping, as ``"uniform"``;
        - ``"random"``: the answer does not depend on the task at all, every label equally
          likely (a spammer clicking anything);
        - ``"constant"``: always the same label, drawn once per worker (a spammer
          clicking the same button).
    median_seconds : float
        Median time spent on one task, in seconds.
    spread : float
        Spread of the time per task: the standard deviation of its logarithm (log-normal).
        0.5 means that a third of the tasks take less than 0.6 x or more than 1.65 x the
        median.
    description : str
        One sentence for people.
    """

    name: str
    accuracy: float | None
    errors: ErrorMode
    median_seconds: float
    spread: float
    description: str = ""

    def __post_init__(self) -> None:
        if self.errors not in ("uniform", "similar", "random", "constant"):
            raise ValueError(
                f"WorkerType {self.name!r}: errors must be 'uniform', 'similar', 'random' "
                f"or 'constant', got {self.errors!r}"
            )
        if self.errors in ("random", "constant"):
            if self.accuracy is not None:
                raise ValueError(
                    f"WorkerType {self.name!r}: a worker with errors={self.errors!r} ignores "
                    "the task, so accuracy must be None"
                )
        elif self.accuracy is None or not 0.0 <= self.accuracy <= 1.0:
            raise ValueError(
                f"WorkerType {self.name!r}: accuracy must be between 0 and 1, got {self.accuracy!r}"
            )
        if not self.median_seconds > 0:
            raise ValueError(
                f"WorkerType {self.name!r}: median_seconds must be positive, "
                f"got {self.median_seconds!r}"
            )
        if not self.spread >= 0:
            raise ValueError(
                f"WorkerType {self.name!r}: spread must be zero or positive, got {self.spread!r}"
            )


WORKER_TYPES: Mapping[str, WorkerType] = {
    t.name: t
    for t in (
        WorkerType(
            "diligent",
            accuracy=0.95,
            errors="similar",
            median_seconds=45.0,
            spread=0.35,
            description="reads every message closely; rare mistakes, between look-alike labels",
        ),
        WorkerType(
            "competent",
            accuracy=0.85,
            errors="similar",
            median_seconds=25.0,
            spread=0.4,
            description="knows the task and works at a steady pace",
        ),
        WorkerType(
            "sloppy",
            accuracy=0.6,
            errors="similar",
            median_seconds=10.0,
            spread=0.5,
            description="fast and careless: skims and confuses labels that look alike",
        ),
        WorkerType(
            "incompetent",
            accuracy=0.5,
            errors="uniform",
            median_seconds=40.0,
            spread=0.5,
            description="tries hard but has not understood the labels; errors go anywhere",
        ),
        WorkerType(
            "spammer",
            accuracy=None,
            errors="random",
            median_seconds=4.0,
            spread=0.6,
            description="clicks any label without reading, to be paid as fast as possible",
        ),
    )
}
"""The five archetypes of Kazai, Kamps & Milic-Frayling (2011), with our own parameters."""

DEFAULT_MIX: Mapping[str, float] = {
    "diligent": 0.20,
    "competent": 0.35,
    "sloppy": 0.20,
    "incompetent": 0.10,
    "spammer": 0.15,
}
"""Share of each archetype in a simulated crowd (illustrative, not measured)."""

HELPDESK_SIMILAR: Mapping[str, tuple[str, ...]] = {
    "housing": ("benefits", "family"),
    "benefits": ("housing", "employment", "family"),
    "health": ("family", "other"),
    "employment": ("benefits", "paperwork"),
    "family": ("benefits", "health", "housing"),
    "paperwork": ("benefits", "other"),
    "other": ("paperwork", "health"),
}
"""Look-alike topics of the help-desk corpus, for ``simulate_crowd(similar=...)``.

Our judgement of which topics share vocabulary and situations (rent arrears caused by a
suspended benefit read as housing or benefits; forms and letters appear everywhere).
"""


def _resolve_mix(
    mix: Mapping[str, float] | Mapping[WorkerType, float] | None,
) -> list[tuple[WorkerType, float]]:
    items = (DEFAULT_MIX if mix is None else mix).items()
    if not items:
        raise ValueError("mix is empty: give at least one worker type and its share")
    resolved: list[tuple[WorkerType, float]] = []
    for key, share in items:
        if isinstance(key, WorkerType):
            kind = key
        elif key in WORKER_TYPES:
            kind = WORKER_TYPES[key]
        else:
            raise ValueError(
                f"mix: unknown worker type {key!r}; use one of {sorted(WORKER_TYPES)} "
                "or a WorkerType object"
            )
        if not np.isfinite(share) or share < 0:
            raise ValueError(f"mix: the share of {kind.name!r} must be >= 0, got {share!r}")
        resolved.append((kind, float(share)))
    if sum(s for _, s in resolved) <= 0:
        raise ValueError("mix: the shares add up to zero")
    names = [k.name for k, _ in resolved]
    if len(set(names)) != len(names):
        raise ValueError(f"mix: two worker types share a name: {names}")
    return resolved


def _counts(shares: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` workers by ``shares`` with the largest-remainder rule."""
    exact = shares / shares.sum() * total
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def mix_table(mix: Mapping[str, float] | Mapping[WorkerType, float] | None = None) -> pd.DataFrame:
    """The archetypes of a mix and their parameters, as a table for people.

    Examples
    --------
    >>> mix_table()[["share", "accuracy", "median_seconds"]]
                 share  accuracy  median_seconds
    type
    diligent      0.20      0.95            45.0
    competent     0.35      0.85            25.0
    sloppy        0.20      0.60            10.0
    incompetent   0.10      0.50            40.0
    spammer       0.15       NaN             4.0
    """
    resolved = _resolve_mix(mix)
    total = sum(s for _, s in resolved)
    return pd.DataFrame(
        {
            "share": [s / total for _, s in resolved],
            "accuracy": [np.nan if k.accuracy is None else k.accuracy for k, _ in resolved],
            "errors": [k.errors for k, _ in resolved],
            "median_seconds": [k.median_seconds for k, _ in resolved],
            "spread": [k.spread for k, _ in resolved],
            "description": [k.description for k, _ in resolved],
        },
        index=pd.Index([k.name for k, _ in resolved], name="type"),
    )


def _confusion(
    kind: WorkerType, n_labels: int, similar: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The (true label x answer) probabilities of one worker of this archetype."""
    if kind.errors == "random":
        return np.full((n_labels, n_labels), 1.0 / n_labels)
    if kind.errors == "constant":
        matrix = np.zeros((n_labels, n_labels))
        matrix[:, rng.integers(n_labels)] = 1.0
        return matrix
    assert kind.accuracy is not None  # checked by WorkerType
    others = 1.0 - np.eye(n_labels)
    wrong = similar if kind.errors == "similar" else others
    if n_labels == 1:
        return np.ones((1, 1))
    wrong = wrong / wrong.sum(axis=1, keepdims=True)
    return kind.accuracy * np.eye(n_labels) + (1.0 - kind.accuracy) * wrong


def _similar_matrix(similar: Mapping[Any, Sequence[Any]] | None, labels: pd.Index) -> np.ndarray:
    """Row c: 1 for the labels a hurried worker may give instead of c."""
    n = len(labels)
    matrix = 1.0 - np.eye(n)
    if similar is None:
        return matrix
    for label, lookalikes in similar.items():
        if label not in labels:
            continue  # a mapping may cover more labels than this data set uses
        row = labels.get_loc(label)
        known = [x for x in lookalikes if x in labels and x != label]
        unknown = [x for x in lookalikes if x not in labels]
        if unknown:
            raise ValueError(
                f"similar[{label!r}] names label(s) {unknown} that are not among the "
                f"labels {list(labels)}"
            )
        if known:
            matrix[row] = 0.0
            matrix[row, labels.get_indexer(pd.Index(known))] = 1.0
    return matrix


def simulate_crowd(
    truth: pd.Series,
    *,
    n_workers: int = 20,
    redundancy: int = 3,
    piece_rate: float = 0.02,
    platform_fee: float = 0.20,
    currency: str = "USD",
    mix: Mapping[str, float] | Mapping[WorkerType, float] | None = None,
    similar: Mapping[Any, Sequence[Any]] | None = None,
    labels: Sequence[Hashable] | None = None,
    worker_spread: float = 0.3,
    random_state: RandomState = None,
) -> pd.DataFrame:
    """Simulate a crowd answering labelling tasks.

    Each task is given to ``redundancy`` different workers, drawn at random among
    ``n_workers``; each worker belongs to an archetype of ``mix`` and answers according to
    its confusion model, taking a log-normal time per task.

    Parameters
    ----------
    truth : pandas.Series
        The true label of each task, indexed by task.
    n_workers : int, default 20
        Size of the crowd; at least ``redundancy``.
    redundancy : int, default 3
        Number of different workers who answer each task.
    piece_rate : float, default 0.02
        What a worker receives per answer, in ``currency`` (every answer is paid here;
        set ``pay`` to 0 afterwards to model rejected work).
    platform_fee : float, default 0.20
        The platform's commission, as a share of the piece rate, paid by the requester on top
        (Amazon Mechanical Turk has charged 20 %, and 40 % for tasks with 10 or more
        assignments, since 21 July 2015).
    currency : str, default "USD"
        Currency of ``piece_rate``; kept in ``answers.attrs["currency"]``.
    mix : mapping, optional
        Share of each archetype: names from :data:`WORKER_TYPES` or :class:`WorkerType`
        objects as keys. Default :data:`DEFAULT_MIX`. Shares are normalised, and the number
        of workers of each type is rounded with the largest-remainder rule (not drawn at
        random), so that a 15 % share of 20 workers is exactly 3 workers.
    similar : mapping, optional
        For each label, the labels a hurried worker may confuse it with (e.g.
        :data:`HELPDESK_SIMILAR`). Without it, "similar" errors spread over all wrong labels.
    labels : sequence, optional
        All the labels workers can choose from (default: the labels present in ``truth``).
    worker_spread : float, default 0.3
        How much workers of the same archetype differ in speed: each worker's own median time
        is the archetype's median times a log-normal factor with this spread (0: all workers
        of an archetype share its median).
    random_state : int or numpy.random.Generator, optional
        Seed or generator for every random draw.

    Returns
    -------
    pandas.DataFrame
        One row per answer, ordered by task, with columns ``task``, ``worker``, ``label``,
        ``seconds`` (time spent), ``pay`` (what the worker receives) and ``cost`` (what the
        requester pays: ``pay`` plus the platform fee). ``answers.attrs`` keeps
        ``worker_type`` (worker to archetype name: the answer key for "find the spammers";
        read it with :func:`worker_types`), ``piece_rate``, ``platform_fee``, ``currency``
        and ``redundancy``.

    Examples
    --------
    >>> import pandas as pd
    >>> truth = pd.Series(["spam", "ham", "ham", "spam"], index=["m1", "m2", "m3", "m4"])
    >>> answers = simulate_crowd(truth, n_workers=6, redundancy=3, random_state=0)
    >>> answers.shape
    (12, 6)
    >>> list(answers.columns)
    ['task', 'worker', 'label', 'seconds', 'pay', 'cost']
    >>> answers.groupby("task")["worker"].nunique().tolist()
    [3, 3, 3, 3]
    >>> float(answers["cost"].sum())  # 12 answers x 0.02 USD x 1.20
    0.288
    >>> worker_types(answers).value_counts().sort_index()
    type
    competent    2
    diligent     1
    incompetent  1
    sloppy       1
    spammer      1
    Name: count, dtype: int64
    """
    check_truth(truth)
    if labels is None:
        classes = pd.Index(sorted_labels(truth, name="truth"))
    else:
        classes = pd.Index(sorted_labels(pd.Series(list(labels)), name="labels"))
        if classes.has_duplicates:
            raise ValueError("labels lists the same label more than once")
        absent = sorted(set(truth.unique()) - set(classes), key=str)
        if absent:
            raise ValueError(f"truth has label(s) {absent} that are not in labels")
    if not isinstance(redundancy, int | np.integer) or redundancy < 1:
        raise ValueError(f"redundancy must be a positive integer, got {redundancy!r}")
    if not isinstance(n_workers, int | np.integer) or n_workers < redundancy:
        raise ValueError(
            f"n_workers ({n_workers!r}) must be an integer at least equal to redundancy "
            f"({redundancy}): each task needs {redundancy} different workers"
        )
    if not np.isfinite(piece_rate) or piece_rate < 0:
        raise ValueError(f"piece_rate must be zero or positive, got {piece_rate!r}")
    if not np.isfinite(platform_fee) or platform_fee < 0:
        raise ValueError(f"platform_fee must be zero or positive, got {platform_fee!r}")
    if not np.isfinite(worker_spread) or worker_spread < 0:
        raise ValueError(f"worker_spread must be zero or positive, got {worker_spread!r}")

    rng = np.random.default_rng(random_state)
    kinds = _resolve_mix(mix)
    counts = _counts(np.array([s for _, s in kinds]), n_workers)
    worker_kind = rng.permutation(np.repeat(np.arange(len(kinds)), counts))
    width = max(2, len(str(n_workers)))
    workers = np.array([f"w{i + 1:0{width}d}" for i in range(n_workers)])

    n_labels = len(classes)
    lookalike = _similar_matrix(similar, classes)
    confusions = np.stack([_confusion(kinds[k][0], n_labels, lookalike, rng) for k in worker_kind])

    # Each task draws `redundancy` different workers: the smallest keys of a random row.
    n_tasks = len(truth)
    keys = rng.random((n_tasks, n_workers))
    chosen = np.sort(np.argpartition(keys, redundancy - 1, axis=1)[:, :redundancy], axis=1)
    task_pos = np.repeat(np.arange(n_tasks), redundancy)
    worker_pos = chosen.ravel()

    true_pos = classes.get_indexer(truth.to_numpy())[task_pos]
    cumulative = confusions[worker_pos, true_pos].cumsum(axis=1)
    draw = rng.random(len(task_pos))[:, None]
    answer_pos = np.minimum((cumulative < draw * cumulative[:, -1:]).sum(axis=1), n_labels - 1)

    medians = np.array([kinds[k][0].median_seconds for k in worker_kind])[worker_pos]
    spreads = np.array([kinds[k][0].spread for k in worker_kind])[worker_pos]
    per_task = np.exp(spreads * rng.standard_normal(len(task_pos)))
    per_worker = np.exp(worker_spread * rng.standard_normal(n_workers))
    seconds = np.maximum(np.round(medians * per_worker[worker_pos] * per_task, 1), 0.1)

    answers = pd.DataFrame(
        {
            "task": truth.index.to_numpy()[task_pos],
            "worker": workers[worker_pos],
            "label": classes.take(answer_pos),
            "seconds": seconds,
            "pay": np.full(len(task_pos), float(piece_rate)),
            "cost": np.full(len(task_pos), float(piece_rate) * (1.0 + float(platform_fee))),
        }
    )
    answers.attrs = {
        "worker_type": {w: kinds[k][0].name for w, k in zip(workers, worker_kind, strict=True)},
        "piece_rate": float(piece_rate),
        "platform_fee": float(platform_fee),
        "currency": currency,
        "redundancy": int(redundancy),
    }
    return answers


def worker_types(answers: pd.DataFrame) -> pd.Series:
    """The true archetype of each worker of a simulated crowd.

    Parameters
    ----------
    answers : pandas.DataFrame
        A table returned by :func:`simulate_crowd` (or a copy of it: pandas keeps
        ``attrs`` through copies and most row selections).

    Returns
    -------
    pandas.Series
        Archetype name per worker (index ``worker``, sorted).

    Raises
    ------
    ValueError
        If the table has no record of worker types.
    """
    record = getattr(answers, "attrs", {}).get("worker_type")
    if not isinstance(record, Mapping):
        raise ValueError(
            "this table has no record of worker types: only tables made by simulate_crowd "
            "keep one (in answers.attrs['worker_type']), and some pandas operations such as "
            "merge or groupby drop it; keep the table simulate_crowd returned"
        )
    series = pd.Series(dict(record), name="type", dtype=str)
    series.index.name = "worker"
    return series.sort_index()
