"""Fill the generated tables of the datasheets (counts per label, baselines) from the data.

Maintainer script. A datasheet marks each generated table with a pair of HTML comments::

    <!-- BEGIN counts helpdesk topic -->
    ...table written by this script...
    <!-- END counts helpdesk topic -->

The words after ``BEGIN`` name the table:

``counts DATASET COLUMN``
    rows ``| value | count | share |``, one per allowed value, then ``| total | n | 100.0 % |``.
``crosstab DATASET ROWS COLUMNS``
    a count table, one row per value of ROWS and one column per value of COLUMNS.
``baseline helpdesk``
    the TF-IDF + logistic-regression baselines of :func:`baselines`.
``replies-per-message care-replies``
    how many messages have replies in 1, 2, 3 or 4 styles.
``empathy-words care-replies``
    per style, how many replies use none of :data:`EMPATHY_WORDS`, how many use three or more,
    and the mean count per reply.

Run it after any change to the data (from the repository root)::

    .venv/bin/python datasets/tools/datasheet_tables.py          # rewrite the tables
    .venv/bin/python datasets/tools/datasheet_tables.py --check  # fail if one is stale

``tests/test_datasets.py`` parses the same tables and checks them against the data, and re-runs
:func:`baselines` to check the figures.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline

ROOT = Path(__file__).resolve().parents[1]
SEED = 42
TEST_SIZE = 0.25
# The "empathy words" a naive word-counting model of care would reward (whole words, any case).
EMPATHY_WORDS = (
    r"(?i)\b(?:sorry|apologi[sz]e\w*|understand\w*|hear|heard|feel\w*|difficult\w*|hard|"
    r"appreciate\w*|worr\w*|stress\w*|frustrat\w*|upsetting|empath\w*|care|caring|"
    r"support\w*|concern\w*|reassur\w*|alone|valid)\b"
)
BLOCK = re.compile(r"<!-- BEGIN (?P<key>[^>]+?) -->\n(?P<body>.*?)<!-- END (?P=key) -->", re.S)


def _load(name: str) -> pd.DataFrame:
    sys.path.insert(0, str(ROOT.parent / "src"))
    from hiddenwork.datasets import load

    return load(name, root=ROOT, verify=False)


def label(value: object) -> str:
    """How a value is written in the tables (bools as true/false)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def value_order(series: pd.Series) -> list[object]:
    """Allowed values in schema order for categories, sorted otherwise (True before False)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    if series.dtype == bool:
        return [True, False]
    return sorted(series.dropna().unique().tolist())


def counts_table(frame: pd.DataFrame, column: str) -> str:
    counts = frame[column].value_counts()
    n = len(frame)
    rows = [f"| {column} | count | share |", "|---|---:|---:|"]
    for value in value_order(frame[column]):
        k = int(counts.get(value, 0))
        rows.append(f"| {label(value)} | {k} | {100 * k / n:.1f} % |")
    rows.append(f"| total | {n} | 100.0 % |")
    return "\n".join(rows) + "\n"


def crosstab_table(frame: pd.DataFrame, row: str, col: str) -> str:
    table = pd.crosstab(frame[row], frame[col])
    cols = value_order(frame[col])
    head = f"| {row} \\ {col} | " + " | ".join(label(c) for c in cols) + " | total |"
    lines = [head, "|---|" + "---:|" * (len(cols) + 1)]
    for value in value_order(frame[row]):
        cells = [
            int(table.loc[value, c]) if value in table.index and c in table.columns else 0
            for c in cols
        ]
        lines.append(f"| {label(value)} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    totals = [int((frame[col] == c).sum()) for c in cols]
    lines.append("| total | " + " | ".join(map(str, totals)) + f" | {len(frame)} |")
    return "\n".join(lines) + "\n"


def baseline_model() -> Pipeline:
    """The baseline: TF-IDF on word 1-2 grams, then logistic regression, default settings."""
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))


def split(messages: pd.DataFrame) -> tuple[pd.Index, pd.Index]:
    """The fixed split: 25 % test, stratified by topic and needs_human together, seed 42."""
    strata = messages["topic"].astype(str) + "/" + messages["needs_human"].astype(str)
    train, test = train_test_split(
        messages.index, test_size=TEST_SIZE, random_state=SEED, stratify=strata
    )
    return pd.Index(train), pd.Index(test)


def baselines(messages: pd.DataFrame) -> list[dict[str, object]]:
    """Accuracy and macro-F1 on the fixed split, and 5-fold CV accuracy, for both targets."""
    train, test = split(messages)
    text = messages["text"].astype(str)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    results: list[dict[str, object]] = []
    for target in ("topic", "needs_human"):
        y = messages[target].astype(str)
        models = {
            "majority class": DummyClassifier(strategy="most_frequent"),
            "TF-IDF + logistic regression": baseline_model(),
        }
        for model_name, model in models.items():
            model.fit(text[train], y[train])
            pred = model.predict(text[test])
            cv = cross_val_score(model, text, y, cv=folds, scoring="accuracy")
            results.append(
                {
                    "target": target,
                    "model": model_name,
                    "accuracy": float(accuracy_score(y[test], pred)),
                    "macro_f1": float(f1_score(y[test], pred, average="macro", zero_division=0)),
                    "cv_mean": float(cv.mean()),
                    "cv_sd": float(cv.std()),
                    "n_train": len(train),
                    "n_test": len(test),
                }
            )
    return results


def baseline_table(messages: pd.DataFrame) -> str:
    rows = baselines(messages)
    lines = [
        "| target | model | test accuracy | test macro-F1 | 5-fold CV accuracy (mean ± sd) |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | {r['model']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
            f"{r['cv_mean']:.3f} ± {r['cv_sd']:.3f} |"
        )
    lines.append("")
    lines.append(
        f"Training set {rows[0]['n_train']} messages, test set {rows[0]['n_test']} messages."
    )
    return "\n".join(lines) + "\n"


def replies_per_message_table(replies: pd.DataFrame) -> str:
    per = replies.groupby("message_id", observed=True)["style"].nunique()
    counts = per.value_counts()
    lines = ["| styles per message | messages | replies |", "|---|---:|---:|"]
    for k in range(1, 5):
        m = int(counts.get(k, 0))
        lines.append(f"| {k} | {m} | {m * k} |")
    lines.append(f"| total | {len(per)} | {len(replies)} |")
    return "\n".join(lines) + "\n"


def empathy_table(replies: pd.DataFrame) -> str:
    words = replies["reply"].str.count(EMPATHY_WORDS)
    lines = [
        "| style | replies with no empathy word | replies with 3 or more | mean per reply |",
        "|---|---:|---:|---:|",
    ]
    for style in replies["style"].cat.categories:
        w = words[replies["style"] == style]
        lines.append(
            f"| {style} | {int((w == 0).sum())} | {int((w >= 3).sum())} | {w.mean():.2f} |"
        )
    return "\n".join(lines) + "\n"


def render(key: str, cache: dict[str, pd.DataFrame]) -> str:
    kind, dataset, *cols = key.split()
    if dataset not in cache:
        cache[dataset] = _load(dataset)
    frame = cache[dataset]
    if kind == "counts" and len(cols) == 1:
        return counts_table(frame, cols[0])
    if kind == "crosstab" and len(cols) == 2:
        return crosstab_table(frame, cols[0], cols[1])
    if kind == "baseline" and not cols:
        return baseline_table(frame)
    if kind == "replies-per-message" and not cols:
        return replies_per_message_table(frame)
    if kind == "empathy-words" and not cols:
        return empathy_table(frame)
    raise ValueError(f"unknown table {key!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    cache: dict[str, pd.DataFrame] = {}
    status = 0
    for sheet in sorted(ROOT.glob("*/DATASHEET.md")):
        text = sheet.read_text(encoding="utf-8")
        new = BLOCK.sub(
            lambda m: (
                f"<!-- BEGIN {m['key']} -->\n{render(m['key'], cache)}<!-- END {m['key']} -->"
            ),
            text,
        )
        where = sheet.relative_to(ROOT.parent)
        if args.check:
            status |= new != text
            print(f"{'ok' if new == text else 'STALE'}: {where}")
        elif new != text:
            sheet.write_text(new, encoding="utf-8")
            print(f"updated {where}")
        else:
            print(f"unchanged {where}")
    return status


if __name__ == "__main__":
    sys.exit(main())
