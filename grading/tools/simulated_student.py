"""Do by program what a student does by hand in a lab, so that the lab can run unattended.

Some labs ask students to make files by hand. In Lab 2 (``02-the-trainer``) they label
help-desk messages and handwritten digits with the labelling widget, which writes
``labels-helpdesk.jsonl`` and ``labels-digits.jsonl`` next to the notebook; these files travel
with the nbgrader submission. A notebook run by a test, a benchmark or nbgrader's autograder has
nobody to click. :func:`prepare` plays the student:

* it builds **the very widgets the notebook builds**: the lab's instructor notebook defines the
  items and the widgets in one read-only cell (grade_id ``setup-items``), and this module runs
  that cell's code, so the items, labels, keys, worker and file names cannot drift apart;
* it answers them **through the widget's callback API** (:meth:`LabellingWidget.press`, the
  method a key press in the browser calls), skipping now and then and sometimes undoing an
  answer to change it;
* it injects a **simulated clock**, so that the seconds saved look like a person's: log-normal
  around 7-8 s per message and 2-3 s per clear digit, slower on the first items and on hard
  ones, with the odd pause;
* it makes a person's **mistakes**: right on about 9 messages in 10 (less often on the
  messages written to be ambiguous), nearly always right on clear digits, often wrong on
  ambiguous ones, and its wrong answers are look-alike labels.

Everything random goes through ``random_state``: the same seed writes the same answers and the
same seconds (the wall-clock ``time`` and ``session`` fields of each line differ, as they would
for a person). If the files already hold answers, the widgets resume, as they do after a kernel
restart, and the simulated student only does what is left.

Usage::

    import sys; sys.path.insert(0, "grading/tools")
    from simulated_student import prepare
    prepare("02-the-trainer", Path("release/02-the-trainer"))

or from the repository root::

    .venv/bin/python grading/tools/simulated_student.py 02-the-trainer path/to/folder
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from hiddenwork.crowd import HELPDESK_SIMILAR

__all__ = [
    "DIGITS",
    "DIGIT_LOOKALIKES",
    "HAND_MADE_FILES",
    "MESSAGES",
    "Behaviour",
    "FakeClock",
    "items_namespace",
    "lab_names",
    "prepare",
    "work_through",
]

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "grading" / "source"
ITEMS_CELL = "setup-items"


def lab_names(source: Path = SOURCE) -> list[str]:
    """The labs of the course: the folders of ``grading/source``, in order."""
    return sorted(p.name for p in source.iterdir() if p.is_dir())


class FakeClock:
    """A clock that only moves when told to (the widget reads it through ``clock=``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += float(seconds)


@dataclass(frozen=True)
class Behaviour:
    """How the simulated student works through one kind of item.

    Attributes
    ----------
    median_seconds, hard_median_seconds : float
        Median time on an ordinary item and on a hard (ambiguous) one, once warmed up.
    spread : float
        Standard deviation of the logarithm of the time (log-normal times).
    first_extra : float
        Seconds added to the very first item (reading the instructions, finding the keys).
    warm_up : float
        The first items are slower: the median is multiplied by ``1 + 0.8 * exp(-i / warm_up)``
        for the item at position ``i``.
    accuracy, hard_accuracy : float
        Probability of giving the right label on an ordinary and on a hard item.
    skip, hard_skip : float
        Probability of skipping an ordinary and a hard item.
    undo : float
        Probability of undoing an answer just given, to answer again.
    pause : float
        Probability of a pause (a message, a sip of coffee) of 20 to 120 s before answering.
    """

    median_seconds: float
    hard_median_seconds: float
    spread: float
    first_extra: float
    warm_up: float
    accuracy: float
    hard_accuracy: float
    skip: float
    hard_skip: float
    undo: float
    pause: float


MESSAGES = Behaviour(
    median_seconds=7.0,
    hard_median_seconds=11.0,
    spread=0.35,
    first_extra=20.0,
    warm_up=10.0,
    accuracy=0.95,
    hard_accuracy=0.6,
    skip=0.01,
    hard_skip=0.08,
    undo=0.03,
    pause=0.02,
)
"""A student labelling help-desk messages (7 topics): right about 9 times in 10 overall."""

DIGITS = Behaviour(
    median_seconds=2.5,
    hard_median_seconds=4.0,
    spread=0.3,
    first_extra=8.0,
    warm_up=6.0,
    accuracy=0.98,
    hard_accuracy=0.65,
    skip=0.0,
    hard_skip=0.05,
    undo=0.03,
    pause=0.02,
)
"""A student labelling 8 x 8 handwritten digits: clear ones nearly always right."""

DIGIT_LOOKALIKES: Mapping[int, tuple[int, ...]] = {
    0: (6, 8),
    1: (7, 4),
    2: (3, 7),
    3: (8, 5, 9),
    4: (9, 1),
    5: (6, 9, 3),
    6: (5, 0, 8),
    7: (1, 9, 2),
    8: (3, 9, 1),
    9: (4, 8, 7),
}
"""Digits a hurried reader may see instead of each digit (our guess, for realistic errors)."""

HAND_MADE_FILES: Mapping[str, tuple[str, ...]] = {
    "02-the-trainer": ("labels-helpdesk.jsonl", "labels-digits.jsonl"),
}
"""The files a student makes by hand, per lab (labs not listed have none)."""


def items_namespace(lab: str, source: Path = SOURCE) -> dict[str, Any]:
    """Run the ``setup-items`` cell of a lab's instructor notebook; return its variables.

    That cell is the one place where a lab defines what students label and the widgets they
    label it with; the notebook and this module both use it.
    """
    path = source / lab / f"{lab}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cells = [
        cell
        for cell in notebook.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == ITEMS_CELL
    ]
    if len(cells) != 1:
        raise ValueError(f"{path} should have exactly one cell with grade_id {ITEMS_CELL!r}")
    namespace: dict[str, Any] = {"__name__": f"{lab}-{ITEMS_CELL}"}
    with contextlib.redirect_stdout(io.StringIO()):  # the cell prints for students
        exec(compile(cells[0].source, f"{path}:{ITEMS_CELL}", "exec"), namespace)
    return namespace


def _choose(
    truth: Any,
    right: float,
    lookalikes: Mapping[Any, tuple[Any, ...]],
    labels: tuple[Any, ...],
    rng: np.random.Generator,
) -> Any:
    """The true label with probability ``right``, else a look-alike (or any other) label."""
    if rng.random() < right:
        return truth
    wrong = [x for x in lookalikes.get(truth, ()) if x in labels and x != truth]
    if not wrong:
        wrong = [x for x in labels if x != truth]
    return wrong[int(rng.integers(len(wrong)))]


def work_through(
    widget: Any,
    truth: Mapping[Any, Any],
    hard: Mapping[Any, bool],
    behaviour: Behaviour,
    clock: FakeClock,
    rng: np.random.Generator,
    *,
    lookalikes: Mapping[Any, tuple[Any, ...]],
    n_items: int | None = None,
    min_answers: int = 0,
) -> None:
    """Answer a labelling widget item by item, by key presses, as a person would.

    Parameters
    ----------
    widget : LabellingWidget
        A widget whose ``clock`` is ``clock``.
    truth, hard : mapping
        The right label of each task, and whether it is a hard (ambiguous) one.
    behaviour : Behaviour
        Times, accuracy, skips and undos.
    clock : FakeClock
        The widget's clock; advanced by the time "spent" on each item.
    rng : numpy.random.Generator
        Every random draw.
    lookalikes : mapping
        For each label, the labels a wrong answer is drawn from.
    n_items : int, optional
        Deal with (answer or skip) this many items in all, counting those already in the
        file; default every item.
    min_answers : int
        Never skip so much that fewer than ``min(min_answers, n_items)`` items get an answer.
    """
    session = widget.session
    keys: Mapping[Any, str] = session.label_keys
    labels: tuple[Any, ...] = tuple(session.labels)
    todo = len(session.tasks) if n_items is None else min(int(n_items), len(session.tasks))
    b = behaviour
    while not widget.done and session.n_done < todo:
        task = widget.current
        position = session.position
        is_hard = bool(hard[task])
        median = b.hard_median_seconds if is_hard else b.median_seconds
        median *= 1.0 + 0.8 * math.exp(-position / b.warm_up)
        seconds = median * math.exp(b.spread * rng.standard_normal())
        if session.n_done == 0:
            seconds += b.first_extra
        if rng.random() < b.pause:
            seconds += rng.uniform(20.0, 120.0)
        clock.advance(seconds)
        can_skip = todo - (session.n_skipped + 1) >= min(min_answers, todo)
        if can_skip and rng.random() < (b.hard_skip if is_hard else b.skip):
            widget.press("s")
            continue
        right = b.hard_accuracy if is_hard else b.accuracy
        widget.press(keys[_choose(truth[task], right, lookalikes, labels, rng)])
        if rng.random() < b.undo:  # a second thought: undo, look again, answer again
            clock.advance(rng.uniform(0.8, 2.5))
            widget.press("u")
            clock.advance(median * 0.5 * math.exp(b.spread * rng.standard_normal()))
            widget.press(keys[_choose(truth[task], right, lookalikes, labels, rng)])


def _prepare_trainer(lab: str, folder: Path, rng: np.random.Generator, n_items: int | None) -> None:
    """Lab 2: label the help-desk messages and the digits batch with the lab's widgets."""
    ns = items_namespace(lab)
    messages, batch = ns["messages"], ns["batch"]
    ids = messages["id"].astype(str)
    topic = dict(zip(ids, messages["topic"].astype(str), strict=True))
    ambiguous = dict(zip(ids, messages["ambiguous"].astype(bool), strict=True))
    digit_ids = batch["id"].astype(str)
    digit = dict(zip(digit_ids, batch["target"].astype(int), strict=True))
    unclear = dict(zip(digit_ids, batch["kind"].astype(str) == "ambiguous", strict=True))
    similar = {k: tuple(v) for k, v in HELPDESK_SIMILAR.items()}
    text_rng, digit_rng = rng.spawn(2)
    jobs: list[tuple[Callable[..., Any], Any, Any, Behaviour, Any, np.random.Generator]] = [
        (ns["message_widget"], topic, ambiguous, MESSAGES, similar, text_rng),
        (ns["digit_widget"], digit, unclear, DIGITS, DIGIT_LOOKALIKES, digit_rng),
    ]
    for factory, truth, hard, behaviour, lookalikes, job_rng in jobs:
        clock = FakeClock()
        widget = factory(folder, clock=clock, autofocus=False)
        try:
            work_through(
                widget,
                truth,
                hard,
                behaviour,
                clock,
                job_rng,
                lookalikes=lookalikes,
                n_items=n_items,
                min_answers=int(ns["MIN_ANSWERS"]),
            )
        finally:
            widget.close()


_HANDLERS: dict[str, Callable[[str, Path, np.random.Generator, int | None], None]] = {
    "02-the-trainer": _prepare_trainer,
}


def prepare(lab: str, folder: Path, *, random_state: int = 0, n_items: int | None = None) -> None:
    """Write into ``folder`` the files a student of ``lab`` would have made by hand.

    Parameters
    ----------
    lab : str
        A lab of ``grading/source`` (e.g. ``"02-the-trainer"``). Labs without hand-made
        files are accepted and nothing is written.
    folder : pathlib.Path
        The lab folder the notebook runs in (it must exist): a copy of the source, a release
        or a submission.
    random_state : int, default 0
        Seed of every random draw: same seed, same answers and seconds.
    n_items : int, optional
        Items dealt with (answered or skipped) in each labelling widget, counting those
        already in the files; default: every item offered. Use fewer than the lab asks for
        (40 in Lab 2) to play a student who stopped early.

    Raises
    ------
    ValueError
        If ``lab`` is not a lab of ``grading/source``.
    FileNotFoundError
        If ``folder`` does not exist.
    """
    known = lab_names()
    if lab not in known:
        raise ValueError(f"unknown lab {lab!r}; the labs are {known}")
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"the lab folder {folder} does not exist")
    handler = _HANDLERS.get(lab)
    if handler is None:
        return
    if n_items is not None and n_items < 0:
        raise ValueError(f"n_items must be zero or positive, got {n_items}")
    handler(lab, folder, np.random.default_rng(random_state), n_items)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab", help="a lab of grading/source, e.g. 02-the-trainer")
    parser.add_argument("folder", type=Path, help="the lab folder to write into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--items", type=int, default=None, help="items per widget (default all)")
    args = parser.parse_args(argv)
    prepare(args.lab, args.folder, random_state=args.seed, n_items=args.items)
    written = [args.folder / name for name in HAND_MADE_FILES.get(args.lab, ())]
    for path in written:
        print(f"{path}: {'written' if path.exists() else 'nothing to write'}")
    if not written:
        print(f"{args.lab} has no hand-made files: nothing to do.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
