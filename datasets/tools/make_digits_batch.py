"""Make ``datasets/digits-batch/batch.csv``: 60 of scikit-learn's digits for hand labelling.

Maintainer script, run once; students never need it. The rule it applies (also stated in
``datasets/digits-batch/DATASHEET.md``):

1. Take scikit-learn's bundled digits (1,797 images of 8x8 pixels, values 0-16).
2. Get out-of-fold class probabilities for every image from three different models
   (logistic regression on standardised pixels, 5-nearest-neighbours, a 300-tree random
   forest), each with the same 5-fold stratified split (shuffled, seed 2024).
3. Average the three probability vectors. The image's ``score`` is the entropy of that average,
   divided by log(10) so that it runs from 0 (all three models sure of one digit) to 1 (no idea).
4. ``ambiguous``: the 20 images with the highest score (ties: lower scikit-learn index first).
5. ``clear``: 4 images per digit (40) drawn at random (seed 2024) among the images that all three
   models assign to the shipped label out of fold, with an average probability for it of at
   least 0.95.
6. Shuffle the 60 (same random generator) and number them ``d01`` to ``d60``.

Run from the repository root::

    .venv/bin/python datasets/tools/make_digits_batch.py

then ``.venv/bin/python datasets/tools/checksums.py digits-batch`` to refresh ``SHA256SUMS``.
The output depends on scikit-learn's model code; the version used is printed and recorded in
the datasheet. Re-running it with another version may choose slightly different images; the
shipped file, not this script, is the reference.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = 2024
N_AMBIGUOUS = 20
N_CLEAR_PER_DIGIT = 4
CLEAR_MIN_PROBA = 0.95
OUT = Path(__file__).resolve().parents[1] / "digits-batch" / "batch.csv"


def ensemble_probabilities(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities of three models, shape (n_models, n_images, 10)."""
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    models = [
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        KNeighborsClassifier(n_neighbors=5),
        RandomForestClassifier(n_estimators=300, random_state=SEED),
    ]
    return np.stack([cross_val_predict(m, X, y, cv=cv, method="predict_proba") for m in models])


def select(X: np.ndarray, y: np.ndarray) -> tuple[list[int], dict[int, str], np.ndarray]:
    """Apply the rule; return the shuffled indices, their kind and every image's score."""
    probas = ensemble_probabilities(X, y)
    mean = probas.mean(axis=0)
    score = -(mean * np.log(np.clip(mean, 1e-12, 1.0))).sum(axis=1) / np.log(10)
    score = np.round(score, 4)

    order = np.lexsort((np.arange(len(y)), -score))  # highest score first, then lower index
    ambiguous = [int(i) for i in order[:N_AMBIGUOUS]]

    votes = probas.argmax(axis=2)
    agree = (votes == y).all(axis=0) & (mean[np.arange(len(y)), y] >= CLEAR_MIN_PROBA)
    agree[ambiguous] = False
    rng = np.random.default_rng(SEED)
    clear: list[int] = []
    for digit in range(10):
        pool = np.flatnonzero(agree & (y == digit))
        clear.extend(int(i) for i in rng.choice(pool, size=N_CLEAR_PER_DIGIT, replace=False))

    chosen = ambiguous + clear
    kind = {i: "ambiguous" for i in ambiguous} | {i: "clear" for i in clear}
    shuffled = [chosen[j] for j in rng.permutation(len(chosen))]
    return shuffled, kind, score


def main() -> None:
    digits = load_digits()
    X, y = digits.data.astype(int), digits.target.astype(int)
    chosen, kind, score = select(digits.data, y)
    header = ["id", "sklearn_index", "target", "kind", "score", *digits.feature_names]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for k, i in enumerate(chosen, start=1):
            row = [f"d{k:02d}", i, y[i], kind[i], f"{score[i]:.4f}", *X[i].tolist()]
            writer.writerow(row)
    n_amb = sum(v == "ambiguous" for v in kind.values())
    print(
        f"wrote {OUT} ({len(chosen)} items, {n_amb} ambiguous); scikit-learn {sklearn.__version__}"
    )


if __name__ == "__main__":
    main()
