"""Assemble the help-desk and care-replies datasets from the writers' staging files.

One-off maintainer script, kept so that the shipped files can be traced to their sources. It
reads the files the kit's writers produced (by default in ``/work/staging``, which is not part of
the repository)::

    helpdesk_part1.csv, helpdesk_part2.csv, helpdesk_part3.csv
        text,topic,urgency,needs_human,faq_id,ambiguous,note
    helpdesk_care.csv   key,text,topic,urgency,needs_human,faq_id,ambiguous,note
    care_replies.csv    key,reply,style
    faq.csv             faq_id,question,answer

applies the recorded corrections (``FIXES`` below, also listed in the datasheets), checks every
rule of the writers' brief, and writes::

    datasets/helpdesk/messages.csv        id,text,topic,urgency,needs_human,faq_id,ambiguous,note
    datasets/helpdesk/faq.csv             faq_id,topic,question,answer
    datasets/care-replies/replies.csv     id,message_id,message,reply,style

Help-desk messages from all parts are shuffled together with a fixed seed (so that the writers'
parts are interleaved) and numbered ``hd0001`` onwards; the care messages are ordinary help-desk
messages too, and each reply points to its message's ``hd`` id. Replies are shuffled with the
same seed and numbered ``cr001`` onwards.

Run from the repository root, then refresh the checksums and the datasheet tables::

    .venv/bin/python datasets/tools/assemble.py [STAGING_DIR]
    .venv/bin/python datasets/tools/checksums.py
    .venv/bin/python datasets/tools/datasheet_tables.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

SEED = 20240611
ROOT = Path(__file__).resolve().parents[1]
TOPICS = ["housing", "benefits", "health", "employment", "family", "paperwork", "other"]
URGENCY = ["urgent", "routine"]
STYLES = ["attuned", "scripted", "procedural", "dismissive"]
MSG_COLS = ["text", "topic", "urgency", "needs_human", "faq_id", "ambiguous", "note"]
NEAR_DUPLICATE = 0.8  # TF-IDF word 1-2 gram cosine similarity at or above this: near-duplicate
# FAQ ids by topic, as fixed in the writers' brief (faq_ids.md).
FAQ_TOPIC = {
    **{f"F{i:02d}": "housing" for i in range(1, 7)},
    **{f"F{i:02d}": "benefits" for i in range(7, 13)},
    **{f"F{i:02d}": "health" for i in range(13, 18)},
    **{f"F{i:02d}": "employment" for i in range(18, 23)},
    **{f"F{i:02d}": "family" for i in range(23, 28)},
    **{f"F{i:02d}": "paperwork" for i in range(28, 35)},
    **{f"F{i:02d}": "other" for i in range(35, 39)},
}

# Corrections applied on top of the writers' files: (file, text prefix) -> {column: new value}.
# Each one is listed in the datasheet's "Changes" section.
FIXES: dict[tuple[str, str], dict[str, str]] = {}


def read(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """Read a staging CSV with the csv module, insisting on the exact header."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, strict=True)
        if reader.fieldnames != columns:
            sys.exit(f"{path}: header {reader.fieldnames}, expected {columns}")
        rows = []
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                sys.exit(f"{path}, line {reader.line_num}: wrong number of fields")
            rows.append({k: v.strip() for k, v in row.items()})
    return rows


def apply_fixes(source: str, rows: list[dict[str, str]], used: set[tuple[str, str]]) -> None:
    for (fix_source, prefix), change in FIXES.items():
        if fix_source != source:
            continue
        hits = [r for r in rows if r["text"].startswith(prefix)]
        if len(hits) != 1:
            sys.exit(f"fix {(fix_source, prefix)!r} matches {len(hits)} rows, expected 1")
        hits[0].update(change)
        used.add((fix_source, prefix))


def check_message(where: str, row: dict[str, str], faq_ids: set[str]) -> list[str]:
    """The writers' rules for one help-desk message; return the problems found."""
    problems = []
    text = row["text"]
    if not text or "\n" in text or "\r" in text:
        problems.append("empty text or text over several lines")
    if row["topic"] not in TOPICS:
        problems.append(f"topic {row['topic']!r}")
    if row["urgency"] not in URGENCY:
        problems.append(f"urgency {row['urgency']!r}")
    for flag in ("needs_human", "ambiguous"):
        if row[flag] not in ("true", "false"):
            problems.append(f"{flag} {row[flag]!r}")
    if row["faq_id"] and row["faq_id"] not in faq_ids:
        problems.append(f"unknown faq_id {row['faq_id']!r}")
    if row["needs_human"] == "false" and not row["faq_id"]:
        problems.append("needs_human is false but no faq_id")
    if (row["ambiguous"] == "true") != bool(row["note"]):
        problems.append("note must be given exactly for ambiguous rows")
    return [f"{where}: {p}: {text[:60]!r}" for p in problems]


def near_duplicates(
    texts: list[str], threshold: float
) -> tuple[float, list[tuple[int, int, float]]]:
    """Largest pairwise TF-IDF (word 1-2 grams) cosine similarity, and the pairs >= threshold."""
    matrix = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    sim = cosine_similarity(matrix)
    np.fill_diagonal(sim, 0.0)
    upper = np.triu(sim, k=1)
    rows, cols = np.nonzero(upper >= threshold)
    pairs = [(int(i), int(j), float(upper[i, j])) for i, j in zip(rows, cols, strict=True)]
    return float(upper.max()), sorted(pairs, key=lambda p: -p[2])


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: r[c] for c in columns} for r in rows)
    print(f"wrote {path.relative_to(ROOT.parent)} ({len(rows)} rows)")


def main(staging: Path) -> int:
    problems: list[str] = []
    used: set[tuple[str, str]] = set()

    faq = read(staging / "faq.csv", ["faq_id", "question", "answer"])
    faq_ids = {r["faq_id"] for r in faq}
    if sorted(faq_ids) != sorted(FAQ_TOPIC) or len(faq) != len(FAQ_TOPIC):
        problems.append(f"faq.csv: ids {sorted(faq_ids)} differ from F01..F38 or repeat")
    for r in faq:
        r["topic"] = FAQ_TOPIC.get(r["faq_id"], "")
        if not r["question"] or not r["answer"]:
            problems.append(f"faq.csv: {r['faq_id']}: empty question or answer")
    faq.sort(key=lambda r: r["faq_id"])

    messages: list[dict[str, str]] = []
    for part in ("helpdesk_part1.csv", "helpdesk_part2.csv", "helpdesk_part3.csv"):
        rows = read(staging / part, MSG_COLS)
        apply_fixes(part, rows, used)
        for r in rows:
            r["source"] = part
        messages += rows
    care = read(staging / "helpdesk_care.csv", ["key", *MSG_COLS])
    apply_fixes("helpdesk_care.csv", care, used)
    for r in care:
        r["source"] = "helpdesk_care.csv"
    messages += care
    for r in messages:
        problems += check_message(r["source"], r, faq_ids)

    replies = read(staging / "care_replies.csv", ["key", "reply", "style"])
    keys = {r["key"]: r for r in care}
    if len(keys) != len(care):
        problems.append("helpdesk_care.csv: repeated key")
    for r in replies:
        if r["key"] not in keys:
            problems.append(f"care_replies.csv: unknown key {r['key']!r}")
        if r["style"] not in STYLES:
            problems.append(f"care_replies.csv: {r['key']}: style {r['style']!r}")
        if not r["reply"] or "\n" in r["reply"]:
            problems.append(f"care_replies.csv: {r['key']}: empty or multi-line reply")
    seen_pairs = [(r["key"], r["style"]) for r in replies]
    if len(set(seen_pairs)) != len(seen_pairs):
        problems.append("care_replies.csv: a message has two replies in the same style")
    if len({r["reply"] for r in replies}) != len(replies):
        problems.append("care_replies.csv: repeated reply")

    unused = set(FIXES) - used
    if unused:
        problems.append(f"fixes that matched nothing: {sorted(unused)}")

    texts = [r["text"] for r in messages]
    if len(set(texts)) != len(texts):
        problems.append("help-desk: identical texts")
    top, pairs = near_duplicates(texts, NEAR_DUPLICATE)
    print(f"help-desk messages: {len(texts)}; max TF-IDF cosine between two texts: {top:.3f}")
    for i, j, s in pairs:
        problems.append(
            f"near-duplicate ({s:.3f}): {messages[i]['source']} {texts[i][:50]!r} / "
            f"{messages[j]['source']} {texts[j][:50]!r}"
        )
    reply_top, reply_pairs = near_duplicates([r["reply"] for r in replies], NEAR_DUPLICATE)
    print(f"care replies: {len(replies)}; max TF-IDF cosine between two replies: {reply_top:.3f}")
    for i, j, s in reply_pairs:
        problems.append(
            f"near-duplicate replies ({s:.3f}): {replies[i]['key']} / {replies[j]['key']}"
        )

    if problems:
        print(f"{len(problems)} problem(s):", *problems, sep="\n  ")
        return 1

    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(messages))
    messages = [messages[i] for i in order]
    for n, r in enumerate(messages, start=1):
        r["id"] = f"hd{n:04d}"
    reply_rows = [replies[i] for i in rng.permutation(len(replies))]
    for n, r in enumerate(reply_rows, start=1):
        message = keys[r["key"]]
        r.update(id=f"cr{n:03d}", message_id=message["id"], message=message["text"])

    write(ROOT / "helpdesk" / "messages.csv", ["id", *MSG_COLS], messages)
    write(ROOT / "helpdesk" / "faq.csv", ["faq_id", "topic", "question", "answer"], faq)
    write(
        ROOT / "care-replies" / "replies.csv",
        ["id", "message_id", "message", "reply", "style"],
        reply_rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/staging")))
