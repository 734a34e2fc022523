"""Turn several workers' answers into one label per task.

A crowdsourcing requester rarely trusts one worker per task: each task is given to several
workers (the *redundancy*) and their answers are *aggregated*. Two classic rules live here,
both as estimators in the scikit-learn style (``fit`` learns, attributes ending in ``_`` hold
what was learned):

- :class:`MajorityVote`: every answer counts the same; the most frequent label wins.
- :class:`DawidSkene`: the model of Dawid & Skene (1979) learns, by expectation-maximisation,
  one confusion matrix per worker (how often they answer each label when the truth is each
  label) together with the true labels, so that careful workers count more than careless ones
  and spammers count for almost nothing.

Both take the long crowd table used throughout :mod:`hiddenwork`: one row per answer, with the
columns ``task``, ``worker`` and ``label``. Labels may be strings or integers.

The Dawid-Skene implementation follows crowd-kit's ``DawidSkene`` (Toloka, version 1.4.2):
same initialisation from majority-vote proportions, same order of steps, same stopping rule,
and a test checks that both give the same answers on the same data. It is written with numpy
and scipy sparse matrices, without a Python loop over answers, so that 800 tasks x 5 answers
take a few milliseconds.

References
----------
A. P. Dawid and A. M. Skene (1979). Maximum likelihood estimation of observer error-rates
using the EM algorithm. *Journal of the Royal Statistical Society, Series C (Applied
Statistics)* 28(1), 20-28. https://doi.org/10.2307/2346806

D. Ustalov, N. Pavlichenko and B. Tseitlin (2024). Learning from crowds with Crowd-Kit.
*Journal of Open Source Software* 9(96), 6227. https://doi.org/10.21105/joss.06227
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from scipy import sparse

from hiddenwork._validation import check_answers, check_truth, factorize

__all__ = ["DawidSkene", "MajorityVote", "accuracy"]

_EPS = 1e-10  # floor for probabilities before taking a log (as in crowd-kit)


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class _Encoded:
    """A crowd table as integer arrays: one entry per answer."""

    task: np.ndarray
    worker: np.ndarray
    label: np.ndarray
    tasks: pd.Index
    workers: pd.Index
    classes: pd.Index

    @classmethod
    def from_answers(cls, answers: pd.DataFrame) -> _Encoded:
        check_answers(answers)
        task, tasks = factorize(answers["task"])
        worker, workers = factorize(answers["worker"])
        label, classes = factorize(answers["label"])
        return cls(
            task,
            worker,
            label,
            tasks.rename("task"),
            workers.rename("worker"),
            classes.rename("label"),
        )

    @property
    def n_tasks(self) -> int:
        return len(self.tasks)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def vote_counts(self) -> np.ndarray:
        """Number of answers per task and label, shape (n_tasks, n_classes)."""
        k = self.n_classes
        flat = np.bincount(self.task * k + self.label, minlength=self.n_tasks * k)
        return flat.reshape(self.n_tasks, k).astype(float)


def _argmax_labels(probas: np.ndarray, tasks: pd.Index, classes: pd.Index) -> pd.Series:
    """Most probable label per task; ties go to the first label in sort order."""
    return pd.Series(classes.to_numpy()[probas.argmax(axis=1)], index=tasks, name="label")


def _not_fitted(estimator: object, attribute: str) -> None:
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise AttributeError(
            f"this {name} is not fitted yet: call {name}().fit(answers) first, "
            f"or fit_predict(answers)"
        )


# --------------------------------------------------------------------------- majority vote


class MajorityVote:
    """Majority vote: the label most workers gave wins.

    Every answer counts the same. ``probas_`` holds, for each task, the share of its answers
    that went to each label.

    **Tie rule.** When two or more labels share the most votes (2 against 2, or 1 against 1
    against 1), the task gets the *smallest* of these labels in sort order (alphabetical for
    strings, numerical for numbers), and ``ties_`` marks the task. The rule is deterministic
    so that graded answers are reproducible. crowd-kit's ``MajorityVote`` keeps whichever
    tied label comes first in the table pandas builds, which is neither random nor
    documented: compare the two only on tasks without a tie.

    Attributes
    ----------
    labels_ : pandas.Series
        The winning label per task (index ``task``).
    probas_ : pandas.DataFrame
        Share of the votes per task (rows) and label (columns); rows sum to 1.
    ties_ : pandas.Series of bool
        True for the tasks whose label was decided by the tie rule.
    skills_ : pandas.Series
        Per worker, the share of their answers that agree with the majority label:
        a rough skill estimate that needs no gold answers.
    classes_ : pandas.Index
        All labels seen, in sort order.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({
    ...     "task":   ["t1", "t1", "t1", "t2", "t2"],
    ...     "worker": ["ann", "bob", "cat", "ann", "bob"],
    ...     "label":  ["cat", "dog", "dog", "dog", "cat"],
    ... })
    >>> mv = MajorityVote().fit(answers)
    >>> mv.labels_
    task
    t1    dog
    t2    cat
    Name: label, dtype: str
    >>> mv.ties_.tolist()  # t2 is a 1-1 tie: "cat" wins because it sorts first
    [False, True]
    >>> mv.skills_.round(2).tolist()  # ann disagreed with the majority twice
    [0.0, 1.0, 1.0]
    """

    def fit(self, answers: pd.DataFrame) -> Self:
        """Count the votes of a crowd table.

        Parameters
        ----------
        answers : pandas.DataFrame
            Columns ``task``, ``worker``, ``label``; one row per answer.

        Returns
        -------
        MajorityVote
            The fitted estimator (``self``).
        """
        enc = _Encoded.from_answers(answers)
        counts = enc.vote_counts()
        probas = counts / counts.sum(axis=1, keepdims=True)
        labels = _argmax_labels(probas, enc.tasks, enc.classes)
        winners = labels.to_numpy()
        self.classes_ = enc.classes
        self.probas_ = pd.DataFrame(probas, index=enc.tasks, columns=enc.classes)
        self.labels_ = labels
        top = counts.max(axis=1, keepdims=True)
        self.ties_ = pd.Series((counts == top).sum(axis=1) > 1, index=enc.tasks, name="tie")
        agree = enc.classes.to_numpy()[enc.label] == winners[enc.task]
        per_worker = np.bincount(enc.worker, weights=agree, minlength=len(enc.workers))
        n_answers = np.bincount(enc.worker, minlength=len(enc.workers))
        self.skills_ = pd.Series(per_worker / n_answers, index=enc.workers, name="skill")
        return self

    def predict(self, answers: pd.DataFrame) -> pd.Series:
        """The majority label of each task in ``answers``.

        Majority vote learns nothing that carries over to new answers, so this counts the
        votes in ``answers`` afresh (it does not need ``fit`` first) and leaves the fitted
        attributes alone.
        """
        return MajorityVote().fit(answers).labels_

    def predict_proba(self, answers: pd.DataFrame) -> pd.DataFrame:
        """Share of the votes per task and label in ``answers`` (see :meth:`predict`)."""
        return MajorityVote().fit(answers).probas_

    def fit_predict(self, answers: pd.DataFrame) -> pd.Series:
        """Fit, then return ``labels_``."""
        return self.fit(answers).labels_

    def __repr__(self) -> str:
        return "MajorityVote()"


# --------------------------------------------------------------------------- Dawid-Skene


class DawidSkene:
    """Dawid-Skene: learn each worker's confusion matrix and the true labels together.

    The model assumes each task has one true label, drawn with the probabilities ``priors_``,
    and that each worker answers according to their own confusion matrix: when the truth is
    ``c``, worker ``w`` answers ``k`` with probability ``confusions_.loc[(w, c), k]``. The
    expectation-maximisation (EM) algorithm alternates two steps:

    1. E-step: given the confusion matrices and priors, compute for each task the
       probability of each true label (``probas_``), in log space so that long products of
       small probabilities do not vanish.
    2. M-step: given these probabilities, re-estimate the priors and each worker's confusion
       matrix (counts of answers weighted by the probabilities, plus ``smoothing``).

    It starts from the majority-vote proportions and stops after ``n_iter`` rounds, or as
    soon as the evidence lower bound (per answer) improves by less than ``tol``.

    Parameters
    ----------
    n_iter : int, default 100
        Maximum number of EM rounds.
    tol : float or None, default 1e-5
        Stop when the evidence lower bound per answer improves by less than this.
        ``None`` always runs ``n_iter`` rounds.
    smoothing : float, default 1e-10
        Pseudo-count added to every cell of every worker's confusion counts before they are
        normalised. The default is tiny and makes the model behave like crowd-kit's, which
        floors probabilities at 1e-10; a larger value (say 0.1 to 1) keeps a worker seen on
        few tasks from getting extreme confusion matrices.

    Attributes
    ----------
    labels_ : pandas.Series
        Most probable label per task (ties, which are rare, go to the smallest label).
    probas_ : pandas.DataFrame
        Posterior probability of each true label (columns) for each task (rows).
    priors_ : pandas.Series
        Estimated share of each true label among the tasks.
    confusions_ : pandas.DataFrame
        Per worker confusion matrices, index ``(worker, true label)``, columns the answered
        label; each row sums to 1. (crowd-kit's ``errors_`` holds the same numbers the other
        way round: index ``(worker, answered label)``, columns the true label.)
    skills_ : pandas.Series
        Per worker, the expected share of their answers that are correct under the fitted
        model: the mean of ``probas_[task, answered label]`` over their answers. Spammers
        score near ``1 / n_labels``.
    classes_ : pandas.Index
        All labels seen, in sort order.
    n_iter_ : int
        Number of EM rounds run.
    converged_ : bool
        Whether the ``tol`` criterion stopped the rounds before ``n_iter``.
    loss_history_ : list of float
        Evidence lower bound per answer after each round (it should increase).

    Examples
    --------
    Three careful workers and one who always answers "spam":

    >>> import pandas as pd
    >>> rows = []
    >>> truth = {"t1": "ham", "t2": "spam", "t3": "ham", "t4": "spam", "t5": "ham"}
    >>> for task, true in truth.items():
    ...     for worker in ["ann", "bob", "cat"]:
    ...         rows.append((task, worker, true))
    ...     rows.append((task, "zed", "spam"))
    >>> rows[1] = ("t1", "bob", "spam")  # one honest mistake
    >>> answers = pd.DataFrame(rows, columns=["task", "worker", "label"])
    >>> ds = DawidSkene().fit(answers)
    >>> ds.labels_.tolist()
    ['ham', 'spam', 'ham', 'spam', 'ham']
    >>> ds.skills_.round(2)
    worker
    ann    1.0
    bob    0.8
    cat    1.0
    zed    0.4
    Name: skill, dtype: float64
    >>> ds.confusions_.loc["zed"].round(2)
    label       ham  spam
    true_label
    ham         0.0   1.0
    spam        0.0   1.0
    """

    def __init__(self, n_iter: int = 100, tol: float | None = 1e-5, smoothing: float = 1e-10):
        self.n_iter = n_iter
        self.tol = tol
        self.smoothing = smoothing

    def __repr__(self) -> str:
        return f"DawidSkene(n_iter={self.n_iter}, tol={self.tol}, smoothing={self.smoothing})"

    def _check_params(self) -> None:
        if not isinstance(self.n_iter, int | np.integer) or self.n_iter < 1:
            raise ValueError(f"n_iter must be a positive integer, got {self.n_iter!r}")
        if self.tol is not None and not np.isfinite(self.tol):
            raise ValueError(f"tol must be a finite number or None, got {self.tol!r}")
        if not np.isfinite(self.smoothing) or self.smoothing <= 0:
            raise ValueError(f"smoothing must be a positive number, got {self.smoothing!r}")

    # The crowd table as two sparse matrices. Row ``w * K + k`` of ``by_answer`` has a 1 in
    # the column of every task that worker w answered with label k, so that
    # ``by_answer @ probas`` sums the task posteriors per (worker, answered label): the
    # M-step counts. Its transpose sums, per task, the log-probabilities of the answers it
    # received: the E-step. No Python loop runs over answers.
    @staticmethod
    def _design(enc: _Encoded, n_workers: int) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        k = enc.n_classes
        rows = enc.worker * k + enc.label
        ones = np.ones(len(rows))
        by_answer = sparse.csr_matrix((ones, (rows, enc.task)), shape=(n_workers * k, enc.n_tasks))
        return by_answer, by_answer.T.tocsr()

    def _m_step(
        self, by_answer: sparse.csr_matrix, probas: np.ndarray, n_workers: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Priors (K,) and confusions (W, K true, K answered) from task posteriors."""
        k = probas.shape[1]
        counts = np.asarray(by_answer @ probas).reshape(n_workers, k, k)  # (w, answered, true)
        counts = counts.transpose(0, 2, 1) + self.smoothing  # (w, true, answered)
        confusions = counts / counts.sum(axis=2, keepdims=True)
        return probas.mean(axis=0), confusions

    @staticmethod
    def _log_likelihoods(
        by_task: sparse.csr_matrix, priors: np.ndarray, confusions: np.ndarray
    ) -> np.ndarray:
        """log P(true label = c) + sum of log P(answer | c) over each task's answers."""
        n_workers, k, _ = confusions.shape
        log_conf = np.log(np.maximum(confusions, _EPS))
        # row w * K + answered, column true label, to line up with the design matrix
        per_answer = log_conf.transpose(0, 2, 1).reshape(n_workers * k, k)
        return np.asarray(by_task @ per_answer) + np.log(np.maximum(priors, _EPS))

    @staticmethod
    def _e_step(log_lik: np.ndarray) -> np.ndarray:
        shifted = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    @staticmethod
    def _lower_bound(probas: np.ndarray, log_lik: np.ndarray) -> float:
        entropy = -(probas * np.log(np.maximum(probas, _EPS))).sum()
        return float((probas * log_lik).sum() + entropy)

    def fit(self, answers: pd.DataFrame) -> Self:
        """Run EM on a crowd table.

        Parameters
        ----------
        answers : pandas.DataFrame
            Columns ``task``, ``worker``, ``label``; one row per answer.

        Returns
        -------
        DawidSkene
            The fitted estimator (``self``).
        """
        self._check_params()
        enc = _Encoded.from_answers(answers)
        n_workers, n_answers = len(enc.workers), len(enc.task)
        by_answer, by_task = self._design(enc, n_workers)

        counts = enc.vote_counts()
        probas = counts / counts.sum(axis=1, keepdims=True)  # majority-vote proportions
        priors, confusions = self._m_step(by_answer, probas, n_workers)
        history: list[float] = []
        previous = -np.inf
        converged = False
        for _ in range(self.n_iter):
            probas = self._e_step(self._log_likelihoods(by_task, priors, confusions))
            priors, confusions = self._m_step(by_answer, probas, n_workers)
            bound = self._lower_bound(probas, self._log_likelihoods(by_task, priors, confusions))
            history.append(bound / n_answers)
            if self.tol is not None and history[-1] - previous < self.tol:
                converged = True
                break
            previous = history[-1]

        self.classes_ = enc.classes
        self.probas_ = pd.DataFrame(probas, index=enc.tasks, columns=enc.classes)
        self.labels_ = _argmax_labels(probas, enc.tasks, enc.classes)
        self.priors_ = pd.Series(priors, index=enc.classes, name="prior")
        index = pd.MultiIndex.from_product(
            [enc.workers, enc.classes.rename("true_label")], names=["worker", "true_label"]
        )
        self.confusions_ = pd.DataFrame(
            confusions.reshape(n_workers * enc.n_classes, enc.n_classes),
            index=index,
            columns=enc.classes,
        )
        right = probas[enc.task, enc.label]
        per_worker = np.bincount(enc.worker, weights=right, minlength=n_workers)
        n_given = np.bincount(enc.worker, minlength=n_workers)
        self.skills_ = pd.Series(per_worker / n_given, index=enc.workers, name="skill")
        self.n_iter_ = len(history)
        self.converged_ = converged
        self.loss_history_ = history
        self._workers = enc.workers
        self._confusions = confusions
        return self

    def predict_proba(self, answers: pd.DataFrame) -> pd.DataFrame:
        """Posterior label probabilities for the tasks in ``answers``, with the fitted model.

        The workers' confusion matrices and the priors stay as learned by :meth:`fit`; this
        only runs one E-step. Every worker and label in ``answers`` must have been seen by
        :meth:`fit`: an unknown worker has no confusion matrix.
        """
        _not_fitted(self, "confusions_")
        enc = _Encoded.from_answers(answers)
        worker = self._workers.get_indexer(enc.workers)
        unknown = enc.workers[worker < 0]
        if len(unknown):
            raise ValueError(
                f"answers has worker(s) the model has not seen in fit: {list(unknown[:5])}; "
                "fit the model on a table that includes them (fit_predict)"
            )
        label = self.classes_.get_indexer(enc.classes)
        new = enc.classes[label < 0]
        if len(new):
            raise ValueError(
                f"answers has label(s) the model has not seen in fit: {list(new)}; "
                f"known labels: {list(self.classes_)}"
            )
        mapped = _Encoded(
            enc.task,
            worker[enc.worker],
            label[enc.label],
            enc.tasks,
            self._workers,
            self.classes_,
        )
        _, by_task = self._design(mapped, len(self._workers))
        probas = self._e_step(
            self._log_likelihoods(by_task, self.priors_.to_numpy(), self._confusions)
        )
        return pd.DataFrame(probas, index=enc.tasks, columns=self.classes_)

    def predict(self, answers: pd.DataFrame) -> pd.Series:
        """Most probable label for the tasks in ``answers``, with the fitted model."""
        probas = self.predict_proba(answers)
        return _argmax_labels(probas.to_numpy(), probas.index, self.classes_)

    def fit_predict(self, answers: pd.DataFrame) -> pd.Series:
        """Fit, then return ``labels_``."""
        return self.fit(answers).labels_


# --------------------------------------------------------------------------- scoring


def accuracy(labels: pd.Series, truth: pd.Series) -> float:
    """Share of tasks whose aggregated label equals the true label.

    Only the tasks present in both ``labels`` and ``truth`` count, so ``truth`` may cover a
    subset of the tasks (gold questions).

    Parameters
    ----------
    labels : pandas.Series
        One label per task (index ``task``), e.g. ``MajorityVote().fit_predict(answers)``.
    truth : pandas.Series
        True labels indexed by task.

    Returns
    -------
    float
        Between 0 and 1.

    Raises
    ------
    ValueError
        If no task is in both.

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.Series({"t1": "cat", "t2": "dog", "t3": "dog"})
    >>> truth = pd.Series({"t1": "cat", "t2": "cat"})
    >>> accuracy(labels, truth)
    0.5
    """
    check_truth(labels, name="labels")
    check_truth(truth, name="truth")
    common = labels.index.intersection(truth.index)
    if len(common) == 0:
        raise ValueError(
            "labels and truth have no task in common: check that both are indexed by task "
            f"(labels index starts {list(labels.index[:3])}, truth {list(truth.index[:3])})"
        )
    same = labels.loc[common].to_numpy() == truth.loc[common].to_numpy()
    return float(np.mean(same))
