"""A labelling widget: one item at a time, one key per label, every answer saved at once.

Students label texts (help-desk messages) or small images (8x8 handwritten digits) themselves,
and see how long each label takes them. :class:`LabellingWidget` shows one item, one button per
label plus *Skip* and *Undo*, each with a keyboard shortcut, a progress bar and a status line.
Every event (answer, skip, undo) is appended to a JSON Lines file at once (flushed and
``fsync``-ed) together with the seconds the person spent on the item. The file is the truth:
after a kernel restart a new widget on the same file resumes where the last one stopped, with no
answer lost and no item asked twice. :meth:`LabellingWidget.answers` gives the long table
``task, worker, label, seconds`` used everywhere in the kit.

Keys
    If every label is a single digit (the ten digits ``0``-``9``, or e.g. ``1``-``5`` for a
    scale), each label's key is that digit: press ``7`` for a 7. Otherwise the labels get the
    keys ``1``, ``2``, ..., ``9`` in order, and a tenth label gets ``0``; pass ``keys=`` for more
    labels or other keys. ``s`` skips the item and ``u`` undoes the last answer or skip. Keys
    work while the widget has the keyboard focus: it takes it when it first appears, and
    clicking it or reaching it with Tab gives it back. Keys pressed with Ctrl, Alt or Cmd, and
    held-down (repeating) keys, are left alone, so Ctrl+S still saves the notebook; the keys the
    widget uses are kept from JupyterLab, where ``1`` would otherwise turn the cell into a
    heading. Other plain keys pressed in the widget do nothing either: JupyterLab's notebook
    shortcuts ignore them there (in command mode ``x`` would cut the widget's cell). On keyboards
    where digits need Shift (French AZERTY), the digit keys work with or without Shift.

Skips and undo
    A skipped item is not asked again (skipping is a decision, and the time spent before
    skipping is recorded too); ``u`` brings it back, as it does for an answer. Undo always
    cancels the *last* answer or skip still in effect, also one saved before a restart. After a
    restart the item shown is the first one, in the order given, that has neither an answer nor
    a skip.

Seconds
    ``seconds`` runs from the moment an item is shown until the answer (or skip, or undo), on
    the kernel's monotonic clock. It is therefore server-side time: it includes the round trip
    between the browser and the kernel (usually a few milliseconds). For the first item after
    the widget is created, the clock starts when the widget is first drawn in the notebook (or
    at creation if it is never drawn, e.g. when tests drive it from Python).

The labels file
    One JSON object per line, for example ``{"event": "answer", "task": "m07", "worker": "me",
    "label": "housing", "seconds": 4.213, "time": "2025-03-04T10:12:31.204+00:00",
    "session": "5f0c2a9e1b7d"}``. Keep it next to the notebook: it then travels with an
    nbgrader submission. The widget never rewrites or truncates it. A line it cannot use (broken
    JSON, a missing field, an unknown task or label, a line cut short by a crash) is reported
    with the file name and line number in a :class:`LabelFileWarning`, listed in
    :attr:`LabellingWidget.problems`, left in the file untouched, and otherwise ignored. Several
    workers may share one file: each one's progress, undo and answers are their own.
    A second widget created on the same file for the same worker in the same kernel (typically
    by running the cell again) takes over: the older one stops accepting answers and says so.
    Two kernels writing to one file at the same time are not coordinated (each line is still
    written whole, so nothing is lost, but an item may be asked twice).

Why anywidget
    ipywidgets 8 has no keyboard events. The two maintained ways to get them in JupyterLab 4
    without a build step are ``ipyevents`` (it attaches DOM events to standard ipywidgets) and
    ``anywidget`` (a DOMWidget whose front end is a plain ES module shipped with the package).
    ``ipyevents`` only listens to keys while the mouse pointer is over the widget (and then
    swallows every key, Ctrl+S included), which leaves keyboard-only users out, and standard
    ipywidgets give no control over ARIA attributes, roles, focus or ``data-`` hooks. anywidget
    is installed as a prebuilt JupyterLab extension, needs no network at run time, works in
    JupyterLab, Notebook 7, VS Code and Colab, and lets the front end
    (``hiddenwork/static/labelling.js``) use real ``<button>`` elements with
    ``aria-keyshortcuts``, a focusable group with a visible focus ring, an ``aria-live`` status
    line and stable ``data-testid`` hooks. Keys are read by a capture-phase listener on the
    window that only acts when the key event comes from inside the widget, so it runs before
    JupyterLab's and Notebook 7's own shortcut handling, whichever phase they listen in. The
    DOM is built once; a new item only updates a few text nodes and attributes. All the logic
    (key map, answer, skip, undo, persistence, replay) lives in Python in
    :class:`LabellingSession`, so it is tested without a browser; key presses reach it through
    :meth:`LabellingSession.press`, the very method tests call.

Examples
--------
>>> import pathlib, shutil, tempfile
>>> import pandas as pd
>>> from hiddenwork.labelling import LabellingWidget
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> messages = pd.Series(
...     {"m1": "My landlord wants me out by Friday.", "m2": "Where do I send the form?"}
... )
>>> widget = LabellingWidget(messages, ["housing", "paperwork", "other"], folder / "labels.jsonl")
>>> widget.key_map
{'1': 'housing', '2': 'paperwork', '3': 'other'}
>>> widget.press("1").label          # what pressing the key 1 does in the browser
'housing'
>>> widget.answer("paperwork").task  # the same through the callback API
'm2'
>>> widget.done
True
>>> widget.answers()[["task", "worker", "label"]]
  task worker      label
0   m1     me    housing
1   m2     me  paperwork
>>> again = LabellingWidget(messages, ["housing", "paperwork", "other"], folder / "labels.jsonl")
>>> again.answers()["label"].tolist()  # a new widget (e.g. after a restart) resumes from the file
['housing', 'paperwork']
>>> shutil.rmtree(folder)
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import math
import os
import struct
import time
import uuid
import warnings
import weakref
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import anywidget
import numpy as np
import pandas as pd
import traitlets

from hiddenwork._labelling_store import (
    LabelFileWarning,
    LineProblem,
    Record,
    append_record,
    is_json_id,
    replay,
)

__all__ = [
    "LabelFileWarning",
    "LabellingSession",
    "LabellingWidget",
    "LineProblem",
    "Record",
    "default_keys",
    "read_answers",
]

Id = str | int
Kind = Literal["text", "image"]

SKIP_KEY = "s"
UNDO_KEY = "u"
_KEY_ORDER = "1234567890"
_DIGITS = "0123456789"
_MAX_WARNED = 10  # problems listed one by one in the warning

# (resolved path, worker) -> the session that currently owns it in this kernel.
_OWNERS: dict[tuple[str, str], weakref.ref[LabellingSession]] = {}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _as_id(value: object, what: str) -> Id:
    """A task id or label as a JSON-friendly str or int (numpy scalars are converted)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.str_):
        return str(value)
    if is_json_id(value):
        return value  # type: ignore[return-value]
    raise TypeError(
        f"each {what} must be a string or an integer, not {value!r} ({type(value).__name__})"
    )


def _as_ids(values: Iterable[object], what: str) -> tuple[Id, ...]:
    ids = tuple(_as_id(value, what) for value in values)
    if not ids:
        raise ValueError(f"no {what}s given: at least one is needed")
    seen: set[Id] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"the {what} {value!r} appears more than once; {what}s must be unique")
        seen.add(value)
    return ids


def _normalize_key(key: object) -> str:
    text = str(key)
    return text.lower() if len(text) == 1 else text


def default_keys(labels: Sequence[Id]) -> dict[Id, str]:
    """The keyboard key of each label, by the rule described in the module docstring.

    Parameters
    ----------
    labels : sequence of str or int
        The labels, in the order of their buttons.

    Returns
    -------
    dict
        Label -> key (a one-character string).

    Raises
    ------
    ValueError
        If there are more than ten labels (give ``keys=`` explicitly then).

    Examples
    --------
    >>> default_keys(["housing", "benefits", "other"])
    {'housing': '1', 'benefits': '2', 'other': '3'}
    >>> keys = default_keys(list(range(10)))   # digits: each digit is its own key
    >>> keys[0], keys[7]
    ('0', '7')
    >>> list(default_keys([f"label {i}" for i in range(10)]).values())
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']
    """
    texts = [str(label) for label in labels]
    if all(len(text) == 1 and text in _DIGITS for text in texts) and len(set(texts)) == len(texts):
        return {label: str(label) for label in labels}
    if len(texts) > len(_KEY_ORDER):
        raise ValueError(
            f"{len(texts)} labels but only {len(_KEY_ORDER)} number keys: pass keys=, "
            "a dict {label: key} with one single-character key per label"
        )
    return {label: key for label, key in zip(labels, _KEY_ORDER, strict=False)}


def _check_keys(keys: Mapping[Any, str], labels: Sequence[Id]) -> dict[Id, str]:
    given = {_as_id(label, "label"): _normalize_key(key) for label, key in keys.items()}
    unknown = [label for label in given if label not in labels]
    if unknown:
        raise ValueError(f"keys= names unknown label(s) {unknown!r}; the labels are {labels!r}")
    missing = [label for label in labels if label not in given]
    if missing:
        raise ValueError(f"keys= gives no key for the label(s) {missing!r}")
    result: dict[Id, str] = {}
    used: dict[str, Id] = {}
    for label in labels:
        key = given[label]
        if len(key) != 1 or not key.isprintable() or key.isspace():
            raise ValueError(f"the key for {label!r} must be one visible character, not {key!r}")
        if key in (SKIP_KEY, UNDO_KEY):
            raise ValueError(f"the key {key!r} (for {label!r}) is reserved for skip/undo")
        if key in used:
            raise ValueError(f"the key {key!r} is given to both {used[key]!r} and {label!r}")
        used[key] = label
        result[label] = key
    return result


def _key_summary(keys: Sequence[str]) -> str:
    """'1 to 7', '0 to 9', '1 to 9 and 0' or a plain list of the keys."""
    text = "".join(keys)
    if len(keys) > 2 and text in _DIGITS:
        return f"{keys[0]} to {keys[-1]}"
    if len(keys) > 3 and text.endswith("0") and text[:-1] in _DIGITS:
        return f"{keys[0]} to {keys[-2]} and 0"
    return ", ".join(keys)


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _id_series(values: Sequence[Id | None], declared: Iterable[Id] | None = None) -> pd.Series:
    """Ids as a typed column: int64 when every id is an integer, else strings."""
    reference = list(declared) if declared is not None else [v for v in values if v is not None]
    if reference and all(isinstance(v, int) for v in reference):
        return pd.Series(values, dtype="int64")
    if all(isinstance(v, str) for v in reference):
        return pd.Series(values, dtype=str)
    return pd.Series(values, dtype=object)


def _answers_frame(
    records: Iterable[Record],
    tasks: Iterable[Id] | None = None,
    labels: Iterable[Id] | None = None,
) -> pd.DataFrame:
    answers = [record for record in records if record.event == "answer"]
    return pd.DataFrame(
        {
            "task": _id_series([r.task for r in answers], tasks),
            "worker": pd.Series([r.worker for r in answers], dtype=str),
            "label": _id_series([r.label for r in answers], labels),
            "seconds": pd.Series([r.seconds for r in answers], dtype="float64"),
        }
    )


def _warn_problems(problems: Sequence[LineProblem], path: Path) -> None:
    if not problems:
        return
    lines = [str(problem) for problem in problems[:_MAX_WARNED]]
    if len(problems) > _MAX_WARNED:
        lines.append(f"... and {len(problems) - _MAX_WARNED} more (see .problems)")
    warnings.warn(
        f"{len(problems)} line(s) of the labels file {path} cannot be used and were skipped "
        "(the file is left as it is):\n  " + "\n  ".join(lines),
        LabelFileWarning,
        stacklevel=4,
    )


# --------------------------------------------------------------------------------------------
# The logic: a labelling session on a file
# --------------------------------------------------------------------------------------------


class LabellingSession:
    """The state of one worker labelling a list of items, kept in sync with a labels file.

    This is the pure-Python part of :class:`LabellingWidget` (no display): the widget draws it
    and forwards clicks and key presses to it. Creating a session replays the file; every
    answer, skip or undo is written to the file (flushed and ``fsync``-ed) *before* the state
    changes, so a failed write changes nothing.

    Parameters
    ----------
    tasks : sequence of str or int
        The task ids, in the order they are asked.
    labels : sequence of str or int
        The possible labels, in the order of their buttons.
    path : path-like
        The labels file (JSON Lines). It is created at the first answer; its folder must exist.
    worker : str, default "me"
        Who labels; written on every line and returned by :meth:`answers`.
    keys : mapping, optional
        Label -> keyboard key (one character). Default: :func:`default_keys`.
    clock : callable, default time.monotonic
        Returns the current time in seconds; ``seconds`` are differences of it. Inject a fake
        clock in tests.
    warn : bool, default True
        Issue a :class:`LabelFileWarning` if lines of the file are skipped.

    Attributes
    ----------
    problems : tuple of LineProblem
        The lines of the file skipped when the session started.
    key_map : dict
        Key -> label.
    version : int
        Increases at every change of state (used to ignore stale key presses).

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> ticks = iter([0.0, 2.5, 2.5, 4.0, 4.0, 5.0, 5.0])  # a fake clock: the times it reads
    >>> session = LabellingSession(["a", "b", "c"], ["yes", "no"], folder / "l.jsonl",
    ...                            clock=lambda: next(ticks))
    >>> session.current
    'a'
    >>> session.press("2").seconds   # 2.5 seconds after "a" was shown
    2.5
    >>> session.press("s").event
    'skip'
    >>> session.undo().task          # the skip of "b" is undone: "b" comes back
    'b'
    >>> session.current, session.n_done, session.done
    ('b', 1, False)
    >>> shutil.rmtree(folder)
    """

    def __init__(
        self,
        tasks: Sequence[Id],
        labels: Sequence[Id],
        path: str | os.PathLike[str],
        *,
        worker: str = "me",
        keys: Mapping[Any, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        warn: bool = True,
    ) -> None:
        self.tasks: tuple[Id, ...] = _as_ids(tasks, "task")
        self.labels: tuple[Id, ...] = _as_ids(labels, "label")
        if not isinstance(worker, str) or not worker.strip():
            raise ValueError(f"worker must be a non-empty string, not {worker!r}")
        self.worker = worker
        self.path = Path(path)
        if self.path.is_dir():
            raise IsADirectoryError(f"the labels file {self.path} is a folder; give a file name")
        folder = self.path.parent
        if not folder.is_dir():
            raise FileNotFoundError(f"the folder {folder} of the labels file does not exist")
        label_keys = default_keys(self.labels) if keys is None else _check_keys(keys, self.labels)
        self.label_keys: dict[Id, str] = label_keys
        self.key_map: dict[str, Id] = {key: label for label, key in label_keys.items()}
        self.session_id = uuid.uuid4().hex[:12]
        self._clock = clock
        self._order = {task: index for index, task in enumerate(self.tasks)}
        state = replay(self.path, self._order.keys(), set(self.labels))
        self._history = state.history(worker)
        self._n_lines = state.n_lines
        self.problems: tuple[LineProblem, ...] = tuple(state.problems)
        self.version = 0
        self.closed_reason: str | None = None
        self._listeners: list[Callable[[Record], None]] = []
        self._close_listeners: list[Callable[[str], None]] = []
        self._acted = False
        self._index = self._first_open_index()
        self._shown_at = clock()
        self._take_ownership()
        if warn:
            _warn_problems(self.problems, self.path)

    # -- ownership: one live session per (file, worker) in a kernel --------------------------

    @property
    def _owner_key(self) -> tuple[str, str]:
        return (os.path.normcase(str(self.path.resolve())), self.worker)

    def _take_ownership(self) -> None:
        key = self._owner_key
        previous = _OWNERS.get(key)
        old = previous() if previous is not None else None
        if old is not None and old is not self and old.closed_reason is None:
            old._close(
                f"replaced by a newer labelling widget on the same file ({self.path}) for "
                f"worker {self.worker!r}: use the newest one (the file keeps every answer)"
            )
        _OWNERS[key] = weakref.ref(self)

    def _close(self, reason: str) -> None:
        self.closed_reason = reason
        self.version += 1
        key = self._owner_key
        owner = _OWNERS.get(key)
        if owner is not None and owner() is self:
            del _OWNERS[key]
        for listener in list(self._close_listeners):
            listener(reason)

    def close(self) -> None:
        """Stop accepting answers (the file and its answers stay as they are)."""
        if self.closed_reason is None:
            self._close("closed")

    def _check_open(self) -> None:
        if self.closed_reason is not None:
            raise RuntimeError(f"this labelling session is {self.closed_reason}")

    # -- state ---------------------------------------------------------------------------------

    def _first_open_index(self) -> int | None:
        final = self._history.final
        for index, task in enumerate(self.tasks):
            if task not in final:
                return index
        return None

    @property
    def current(self) -> Id | None:
        """The task shown now, or ``None`` when every item is answered or skipped."""
        return None if self._index is None else self.tasks[self._index]

    @property
    def position(self) -> int | None:
        """The index (from 0) of the current task in :attr:`tasks`, or ``None`` when done."""
        return self._index

    @property
    def done(self) -> bool:
        """Whether every item has an answer or a skip."""
        return self._index is None

    @property
    def n_answered(self) -> int:
        """Number of items with an answer in effect."""
        return sum(record.event == "answer" for record in self._history.stack)

    @property
    def n_skipped(self) -> int:
        """Number of items skipped (and not undone)."""
        return sum(record.event == "skip" for record in self._history.stack)

    @property
    def n_done(self) -> int:
        """Number of items answered or skipped."""
        return len(self._history.stack)

    @property
    def can_undo(self) -> bool:
        """Whether there is an answer or skip to undo."""
        return bool(self._history.stack)

    @property
    def last(self) -> Record | None:
        """The last answer or skip still in effect (the one :meth:`undo` would cancel)."""
        return self._history.stack[-1] if self._history.stack else None

    def status_of(self, task: Id) -> Record | None:
        """The answer or skip in effect for ``task``, or ``None``."""
        return self._history.final.get(task)

    def restart_clock(self) -> None:
        """Start timing the current item from now (the widget calls it when first drawn)."""
        self._shown_at = self._clock()

    # -- actions -------------------------------------------------------------------------------

    def resolve_label(self, label: object) -> Id:
        """The label meant by ``label``: an exact match, else the one label with that text.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> session = LabellingSession([1], list(range(10)),
        ...                            pathlib.Path(tempfile.mkdtemp()) / "l.jsonl")
        >>> session.resolve_label("7")   # the digit labels are integers; "7" means 7
        7
        """
        if not isinstance(label, bool):
            try:
                value = _as_id(label, "label")
            except TypeError:
                value = None
            if value is not None and value in self.label_keys:
                return value
        matches = [known for known in self.labels if str(known) == str(label)]
        if len(matches) == 1:
            return matches[0]
        raise ValueError(f"unknown label {label!r}; the labels are {list(self.labels)!r}")

    def answer(self, label: object) -> Record:
        """Give ``label`` to the current item; returns the saved event.

        Raises
        ------
        ValueError
            If the label is unknown.
        RuntimeError
            If every item is done, or the session is closed.
        OSError
            If the file cannot be written (nothing changes then).
        """
        self._check_open()
        task = self.current
        if task is None:
            raise RuntimeError("every item is done: there is nothing left to answer")
        return self._record("answer", task, self.resolve_label(label))

    def skip(self) -> Record:
        """Skip the current item (it is not asked again unless undone); returns the event."""
        self._check_open()
        task = self.current
        if task is None:
            raise RuntimeError("every item is done: there is nothing left to skip")
        return self._record("skip", task, None)

    def undo(self) -> Record | None:
        """Cancel the last answer or skip; returns the undo event, or ``None`` if none is left.

        The undone item becomes the current one again.
        """
        self._check_open()
        last = self.last
        if last is None:
            return None
        return self._record("undo", last.task, last.label)

    def press(self, key: str) -> Record | None:
        """Do what pressing ``key`` does in the browser; returns the event, or ``None``.

        Label keys answer, ``s`` skips, ``u`` undoes (letters in either case). A key that
        means nothing, or a label key or ``s`` when every item is done, does nothing.
        """
        self._check_open()
        key = _normalize_key(key)
        if key == UNDO_KEY:
            return self.undo()
        if self.done:
            return None
        if key == SKIP_KEY:
            return self.skip()
        if key in self.key_map:
            return self.answer(self.key_map[key])
        return None

    def _record(
        self, event: Literal["answer", "skip", "undo"], task: Id, label: Id | None
    ) -> Record:
        reason = self._history.conflict(event, task, label)
        if reason is not None:  # pragma: no cover - the public methods prevent it
            raise RuntimeError(reason)
        seconds = max(0.0, float(self._clock() - self._shown_at))
        record = Record(
            line=self._n_lines + 1,
            event=event,
            task=task,
            worker=self.worker,
            label=label,
            seconds=round(seconds, 3),
            time=_utc_now(),
            session=self.session_id,
        )
        append_record(self.path, record.to_json())  # the file first: on error nothing changes
        self._n_lines += 1
        self._history.apply(record)
        self._index = self._first_open_index()
        self.version += 1
        self._acted = True
        self._shown_at = self._clock()
        for listener in list(self._listeners):
            listener(record)
        return record

    def on_event(self, callback: Callable[[Record], None], remove: bool = False) -> None:
        """Call ``callback(record)`` after every saved answer, skip or undo."""
        if remove:
            self._listeners.remove(callback)
        else:
            self._listeners.append(callback)

    # -- results -------------------------------------------------------------------------------

    def answers(self) -> pd.DataFrame:
        """The answers in effect, in the order given: columns ``task, worker, label, seconds``.

        Undone answers and skips are left out. ``task`` and ``label`` are int64 when all the
        task ids (labels) are integers, else strings; ``seconds`` is float64.
        """
        self._check_open()
        return _answers_frame(self._history.stack, self.tasks, self.labels)

    def events(self) -> pd.DataFrame:
        """Every valid event of this worker in the file, undone ones included.

        Columns ``line, event, task, worker, label, seconds, time, session``: the raw material
        for counting the time spent on skips and on answers later undone.
        """
        self._check_open()
        records = self._history.records
        return pd.DataFrame(
            {
                "line": pd.Series([r.line for r in records], dtype="int64"),
                "event": pd.Series([r.event for r in records], dtype=str),
                "task": _id_series([r.task for r in records], self.tasks),
                "worker": pd.Series([r.worker for r in records], dtype=str),
                "label": pd.Series([r.label for r in records], dtype=object),
                "seconds": pd.Series([r.seconds for r in records], dtype="float64"),
                "time": pd.Series([r.time for r in records], dtype=str),
                "session": pd.Series([r.session for r in records], dtype=str),
            }
        )


def read_answers(path: str | os.PathLike[str], *, warn: bool = True) -> pd.DataFrame:
    """The answers in effect in a labels file, for every worker in it.

    Useful to collect students' files without building a widget. Lines that cannot be used are
    reported in a :class:`LabelFileWarning` and skipped (tasks and labels are not checked
    against a list here, only their form).

    Parameters
    ----------
    path : path-like
        The labels file.
    warn : bool, default True
        Warn about skipped lines.

    Returns
    -------
    pandas.DataFrame
        Columns ``task, worker, label, seconds``, workers in order of first appearance.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for worker in ["ana", "ben"]:
    ...     session = LabellingSession([1, 2], ["a", "b"], folder / "l.jsonl", worker=worker)
    ...     _ = session.answer("a")
    >>> read_answers(folder / "l.jsonl")[["task", "worker", "label"]]
       task worker label
    0     1    ana     a
    1     1    ben     a
    >>> shutil.rmtree(folder)
    """
    state = replay(path)
    if warn:
        _warn_problems(state.problems, Path(path))
    records = [record for history in state.workers.values() for record in history.stack]
    return _answers_frame(records)


# --------------------------------------------------------------------------------------------
# Items: texts or small images
# --------------------------------------------------------------------------------------------


def _as_image(value: object, task: Id) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"item {task!r} is neither a text nor a numeric image") from error
    if array.ndim == 1:
        side = math.isqrt(array.size)
        if side * side != array.size or side == 0:
            raise ValueError(
                f"item {task!r} is a flat vector of {array.size} values, not a square image; "
                "give 2-D arrays (e.g. 8x8)"
            )
        array = array.reshape(side, side)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"item {task!r} must be a 2-D image, not an array of shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"item {task!r} has missing or infinite pixel values")
    return array


def _normalize_items(items: object, kind: Kind | None) -> tuple[list[Id], list[Any], Kind]:
    """Task ids, item values and the kind of item, from the forms the widget accepts."""
    if isinstance(items, pd.DataFrame):
        raise TypeError(
            "items is a DataFrame: use LabellingWidget.for_texts(frame, ...) or "
            "LabellingWidget.for_images(frame, ...), or pass one column (a Series)"
        )
    tasks: list[object]
    values: list[object]
    if isinstance(items, pd.Series):
        tasks, values = list(items.index), list(items.to_numpy())
    elif isinstance(items, Mapping):
        tasks, values = list(items.keys()), list(items.values())
    elif isinstance(items, np.ndarray) and items.ndim == 3:
        tasks, values = list(range(len(items))), list(items)
    elif isinstance(items, Iterable) and not isinstance(items, str | bytes):
        values = list(items)
        tasks = list(range(len(values)))
    else:
        raise TypeError(
            "items must be a pandas Series indexed by task id, a mapping task -> item, a list "
            f"of texts or an array of images, not {type(items).__name__}"
        )
    ids = list(_as_ids(tasks, "task"))
    if kind is None:
        kind = "text" if all(isinstance(v, str) for v in values) else "image"
    if kind == "text":
        for task, value in zip(ids, values, strict=True):
            if not isinstance(value, str):
                raise TypeError(f"item {task!r} is not a text: {value!r}")
        return ids, [str(v) for v in values], kind
    if kind == "image":
        return ids, [_as_image(v, t) for t, v in zip(ids, values, strict=True)], kind
    raise ValueError(f"kind must be 'text' or 'image', not {kind!r}")


def _png_data_url(grey: np.ndarray) -> str:
    """A grayscale uint8 array as a ``data:image/png`` URL (a minimal PNG encoder)."""
    height, width = grey.shape
    rows = b"".join(b"\x00" + grey[row].tobytes() for row in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _to_grey(image: np.ndarray, low: float, high: float) -> np.ndarray:
    """Ink dark on white: ``high`` is black, ``low`` is white."""
    scaled = (image - low) / (high - low) if high > low else np.zeros_like(image)
    return np.round(255 * (1 - np.clip(scaled, 0, 1))).astype(np.uint8)


@functools.cache
def _asset(name: str) -> str:
    """The text of a front-end file shipped in ``hiddenwork/static`` (read once, on demand)."""
    return (
        importlib.resources.files("hiddenwork")
        .joinpath("static")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


# --------------------------------------------------------------------------------------------
# The widget
# --------------------------------------------------------------------------------------------


class LabellingWidget(anywidget.AnyWidget):
    """Label items one at a time in a notebook, with keys, undo, timing and a crash-safe file.

    Display the widget (make it the last expression of a cell). Its parts: the item (a text, or
    an image enlarged with sharp pixels), "Item 12 of 40" and a progress bar, one button per
    label showing its key ("1 housing"), *Skip* (``s``) and *Undo* (``u``), and a status line
    that announces the last action. See the module docstring for the keys, skip/undo rules and
    the file format. Everything can also be driven from Python (:meth:`answer`, :meth:`skip`,
    :meth:`undo`, :meth:`press`), which is how tests and autograders use it.

    Parameters
    ----------
    items : pandas Series, mapping, list of str, or array
        The items: a Series indexed by task id (texts, or 2-D arrays), a mapping task id ->
        text or 2-D array, a list of texts (task ids 0, 1, ...), or an array of shape
        ``(n, height, width)`` (task ids 0, 1, ...). Flat square vectors (64 values) are
        reshaped to square images.
    labels : sequence of str or int
        The possible labels, in the order of their buttons.
    path : path-like
        The labels file (JSON Lines), e.g. ``"labels_topics.jsonl"`` next to the notebook.
    worker : str, default "me"
        Who labels.
    kind : {"text", "image"}, optional
        Default: ``"text"`` if every item is a string, else ``"image"``.
    keys : mapping, optional
        Label -> key. Default: :func:`default_keys`.
    title : str, optional
        Heading and accessible name of the widget.
    image_size : int, default 224
        Width in CSS pixels of an image item (8 x 8 pixels -> 28 screen pixels each).
    autofocus : bool, default True
        Take the keyboard focus when first shown.
    clock : callable, default time.monotonic
        Clock for the seconds (inject a fake one in tests).

    Attributes
    ----------
    session : LabellingSession
        The logic and state behind the widget.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> import numpy as np
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> images = np.zeros((3, 8, 8))             # three blank 8x8 "digits"
    >>> widget = LabellingWidget(images, list(range(10)), folder / "digits.jsonl")
    >>> widget.press("0").label, widget.press("7").label, widget.press("s").event
    (0, 7, 'skip')
    >>> widget.answers()[["task", "label"]]
       task  label
    0     0      0
    1     1      7
    >>> widget.view["status"]
    'Skipped item 3 (... s). All 3 items are done: 2 answered, 1 skipped. Press u to undo.'
    >>> shutil.rmtree(folder)
    """

    _esm = traitlets.Unicode("").tag(sync=True)
    _css = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    help_text = traitlets.Unicode("").tag(sync=True)
    item_kind = traitlets.Unicode("text").tag(sync=True)
    buttons = traitlets.List(traitlets.Dict()).tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    autofocus = traitlets.Bool(True).tag(sync=True)

    def __init__(
        self,
        items: object,
        labels: Sequence[Id],
        path: str | os.PathLike[str],
        *,
        worker: str = "me",
        kind: Kind | None = None,
        keys: Mapping[Any, str] | None = None,
        title: str | None = None,
        image_size: int = 224,
        autofocus: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        tasks, values, item_kind = _normalize_items(items, kind)
        session = LabellingSession(tasks, labels, path, worker=worker, keys=keys, clock=clock)
        self._session = session
        self._items: dict[Id, Any] = dict(zip(session.tasks, values, strict=True))
        self._images: dict[Id, str] = {}
        if item_kind == "image":
            low = min(0.0, min(float(v.min()) for v in values))
            high = max(float(v.max()) for v in values)
            self._grey_range = (low, high if high > low else low + 1.0)
        self._image_size = int(image_size)
        self._ack = 0
        self._drawn = False
        self._answer_callbacks: list[Callable[[Record], None]] = []
        if title is None:
            title = f"Labelling: {len(tasks)} items, {len(session.labels)} labels"
        keys_in_order = [session.label_keys[label] for label in session.labels]
        super().__init__(
            _esm=_asset("labelling.js"),
            _css=_asset("labelling.css"),
            title=title,
            help_text=(
                f"Keys: {_key_summary(keys_in_order)} choose a label (each button shows its key), "
                f"{SKIP_KEY} skips the item, {UNDO_KEY} undoes the last answer or skip. "
                "Click the widget or reach it with Tab to use the keys."
            ),
            item_kind=item_kind,
            buttons=[
                {"index": index, "label": str(label), "key": session.label_keys[label]}
                for index, label in enumerate(session.labels)
            ],
            view=self._view_state(self._start_status()),
            autofocus=autofocus,
        )
        session.on_event(self._after_event)
        session._close_listeners.append(self._after_close)
        self.on_msg(self._on_front_end_message)

    # -- delegation to the session -----------------------------------------------------------

    @property
    def session(self) -> LabellingSession:
        """The logic and state behind the widget."""
        return self._session

    @property
    def path(self) -> Path:
        """The labels file."""
        return self._session.path

    @property
    def worker(self) -> str:
        """Who labels."""
        return self._session.worker

    @property
    def labels(self) -> tuple[Id, ...]:
        """The labels, in button order."""
        return self._session.labels

    @property
    def tasks(self) -> tuple[Id, ...]:
        """The task ids, in the order they are asked."""
        return self._session.tasks

    @property
    def key_map(self) -> dict[str, Id]:
        """Key -> label."""
        return dict(self._session.key_map)

    @property
    def problems(self) -> tuple[LineProblem, ...]:
        """Lines of the labels file skipped when the widget started (file and line number)."""
        return self._session.problems

    @property
    def current(self) -> Id | None:
        """The task shown now, or ``None`` when done."""
        return self._session.current

    @property
    def current_item(self) -> Any:
        """The text or image shown now, or ``None`` when done."""
        task = self._session.current
        return None if task is None else self._items[task]

    @property
    def done(self) -> bool:
        """Whether every item is answered or skipped."""
        return self._session.done

    def answer(self, label: object) -> Record:
        """Give ``label`` to the current item (as clicking its button does)."""
        return self._session.answer(label)

    def skip(self) -> Record:
        """Skip the current item (as the Skip button does)."""
        return self._session.skip()

    def undo(self) -> Record | None:
        """Undo the last answer or skip (as the Undo button does); ``None`` if none is left."""
        return self._session.undo()

    def press(self, key: str) -> Record | None:
        """Simulate a key press (as if the key were pressed in the browser)."""
        return self._session.press(key)

    def answers(self) -> pd.DataFrame:
        """The answers in effect: columns ``task, worker, label, seconds`` (see the session)."""
        return self._session.answers()

    def events(self) -> pd.DataFrame:
        """Every valid event of this worker in the file, undone ones included."""
        return self._session.events()

    def on_answer(self, callback: Callable[[Record], None], remove: bool = False) -> None:
        """Call ``callback(record)`` after each saved answer."""
        if remove:
            self._answer_callbacks.remove(callback)
        else:
            self._answer_callbacks.append(callback)

    def on_event(self, callback: Callable[[Record], None], remove: bool = False) -> None:
        """Call ``callback(record)`` after each saved answer, skip or undo."""
        self._session.on_event(callback, remove=remove)

    def close(self) -> None:
        """Close the widget and stop its session (the file stays as it is)."""
        session = getattr(self, "_session", None)
        if session is not None:
            if self._after_close in session._close_listeners:
                session._close_listeners.remove(self._after_close)
            session.close()
        super().close()

    def __repr__(self) -> str:
        s = self._session
        state = s.closed_reason or f"{s.n_done} of {len(s.tasks)} items done"
        return (
            f"<LabellingWidget: {state} ({s.n_answered} answered, {s.n_skipped} skipped), "
            f"file {s.path}, worker {s.worker!r}>"
        )

    # -- view state ----------------------------------------------------------------------------

    def _number(self, task: Id) -> int:
        return self._session._order[task] + 1

    def _image_url(self, task: Id) -> str:
        if task not in self._images:
            low, high = self._grey_range
            self._images[task] = _png_data_url(_to_grey(self._items[task], low, high))
        return self._images[task]

    def _start_status(self) -> str:
        s = self._session
        if s.n_done:
            status = f"Resumed from {s.path.name}: {s.n_done} of {len(s.tasks)} items already done."
        else:
            status = f"Ready. Each answer is saved at once in {s.path.name}."
        if s.problems:
            status += (
                f" Warning: {len(s.problems)} damaged line(s) in the file were skipped "
                "(see .problems)."
            )
        if s.done:
            status += f" {self._done_text()}"
        return status

    def _done_text(self) -> str:
        s = self._session
        return (
            f"All {len(s.tasks)} items are done: {s.n_answered} answered, {s.n_skipped} skipped. "
            f"Press {UNDO_KEY} to undo."
        )

    def _view_state(self, status: str, error: bool = False) -> dict[str, Any]:
        s = self._session
        task = s.current
        view: dict[str, Any] = {
            "token": s.version,
            "ack": self._ack,
            "finished": s.done,
            "retired": s.closed_reason is not None,
            "number": None if task is None else self._number(task),
            "total": len(s.tasks),
            "done_count": s.n_done,
            "answered": s.n_answered,
            "skipped": s.n_skipped,
            "task": "" if task is None else str(task),
            "text": None,
            "image": None,
            "alt": "",
            "width": None,
            "height": None,
            "message": "",
            "can_undo": s.can_undo and s.closed_reason is None,
            "status": status,
            "status_kind": "error" if error else "info",
        }
        if s.closed_reason is not None:
            view["message"] = f"This widget is {s.closed_reason}."
        elif task is None:
            view["message"] = f"All items are done. Your answers are saved in {s.path.name}."
        elif isinstance(self._items[task], str):
            view["text"] = self._items[task]
        else:
            height, width = self._items[task].shape
            view["image"] = self._image_url(task)
            view["alt"] = f"Image to label, item {self._number(task)} of {len(s.tasks)}"
            view["width"] = self._image_size
            view["height"] = round(self._image_size * height / width)
        return view

    def _refresh(self, status: str, error: bool = False) -> None:
        self._ack += 1
        self.view = self._view_state(status, error)

    def _describe(self, record: Record) -> str:
        number = self._number(record.task)
        if record.event == "answer":
            text = f"Saved “{record.label}” for item {number} ({record.seconds:.1f} s)."
        elif record.event == "skip":
            text = f"Skipped item {number} ({record.seconds:.1f} s)."
        elif record.label is None:
            text = f"Undone: the skip of item {number}. Item {number} is shown again."
        else:
            text = f"Undone: “{record.label}” for item {number}. Item {number} is shown again."
        if self._session.done:
            text += f" {self._done_text()}"
        return text

    def _after_event(self, record: Record) -> None:
        self._refresh(self._describe(record))
        if record.event == "answer":
            for callback in list(self._answer_callbacks):
                callback(record)

    def _after_close(self, reason: str) -> None:
        self._refresh(f"This widget is {reason}.")

    # -- messages from the browser -------------------------------------------------------------

    def _on_front_end_message(self, _widget: object, content: object, _buffers: object) -> None:
        """Handle ``{"type": "ready" | "key" | "action", ...}`` sent by labelling.js."""
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        session = self._session
        if kind == "ready":
            if not self._drawn:
                self._drawn = True
                if not session._acted:
                    session.restart_clock()
            self.autofocus = False  # later views of the same widget leave the focus alone
            return
        if session.closed_reason is not None:
            self._refresh(f"This widget is {session.closed_reason}.")
            return
        if content.get("token") != session.version:
            self._refresh(
                "That press came before the next item was shown, so it was ignored.",
            )
            return
        try:
            if kind == "key":
                record = session.press(str(content.get("key", "")))
            elif kind == "action" and content.get("action") == "undo":
                record = session.undo()
            elif kind == "action" and session.done:
                record = None
            elif kind == "action" and content.get("action") == "skip":
                record = session.skip()
            elif kind == "action" and content.get("action") == "answer":
                index = content.get("label")
                if not isinstance(index, int) or not 0 <= index < len(session.labels):
                    return
                record = session.answer(session.labels[index])
            else:
                return
        except OSError as error:
            self._refresh(f"NOT SAVED: {error}", error=True)
            return
        if record is None:  # nothing happened: say why (this also releases the front end)
            wanted_undo = content.get("action") == "undo" or (
                kind == "key" and _normalize_key(content.get("key", "")) == UNDO_KEY
            )
            if wanted_undo:
                self._refresh("Nothing to undo.")
            elif session.done:
                self._refresh(self._done_text())
            else:
                self._refresh(str(self.view.get("status", "")))

    # -- convenient constructors ---------------------------------------------------------------

    @classmethod
    def for_texts(
        cls,
        frame: pd.DataFrame,
        labels: Sequence[Id],
        path: str | os.PathLike[str],
        *,
        text_column: str = "text",
        task_column: str | None = None,
        **kwargs: Any,
    ) -> LabellingWidget:
        """A widget for the texts in a DataFrame column.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per item, e.g. ``messages.head(40)``.
        labels : sequence
            The labels.
        path : path-like
            The labels file.
        text_column : str, default "text"
            The column holding the texts.
        task_column : str, optional
            The column holding the task ids; default: the frame's index.
        **kwargs
            Passed to :class:`LabellingWidget` (``worker``, ``keys``, ``title``...).

        Examples
        --------
        >>> import pathlib, shutil, tempfile
        >>> import pandas as pd
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> frame = pd.DataFrame({"id": ["m1", "m2"], "text": ["Rent help?", "Lost my job"]})
        >>> widget = LabellingWidget.for_texts(frame, ["housing", "employment"],
        ...                                    folder / "l.jsonl", task_column="id")
        >>> widget.current, widget.current_item
        ('m1', 'Rent help?')
        >>> shutil.rmtree(folder)
        """
        _require_columns(frame, [text_column] + ([task_column] if task_column else []))
        index = frame[task_column] if task_column else frame.index
        items = pd.Series(frame[text_column].to_numpy(), index=index)
        missing = items[items.isna()]
        if len(missing):
            raise ValueError(
                f"column {text_column!r} has no text for task(s) {list(missing.index)[:5]!r}"
            )
        return cls(items, labels, path, kind="text", **kwargs)

    @classmethod
    def for_images(
        cls,
        frame: pd.DataFrame,
        labels: Sequence[Id],
        path: str | os.PathLike[str],
        *,
        pixel_columns: str | Sequence[str] = "pixel",
        shape: tuple[int, int] = (8, 8),
        task_column: str | None = None,
        **kwargs: Any,
    ) -> LabellingWidget:
        """A widget for images stored one per row, one pixel per column.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per image.
        labels : sequence
            The labels (e.g. ``range(10)`` for digits).
        path : path-like
            The labels file.
        pixel_columns : str or sequence of str, default "pixel"
            The pixel columns in row-major order, or a prefix: every column whose name starts
            with it, in the frame's order.
        shape : (int, int), default (8, 8)
            Height and width of an image.
        task_column : str, optional
            The column holding the task ids; default: the frame's index.
        **kwargs
            Passed to :class:`LabellingWidget`.

        Examples
        --------
        >>> import pathlib, shutil, tempfile
        >>> import numpy as np, pandas as pd
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> pixels = pd.DataFrame(np.zeros((2, 64)), columns=[f"pixel_{i}" for i in range(64)])
        >>> widget = LabellingWidget.for_images(pixels, range(10), folder / "d.jsonl")
        >>> widget.current_item.shape
        (8, 8)
        >>> shutil.rmtree(folder)
        """
        if isinstance(pixel_columns, str):
            columns = [c for c in frame.columns if str(c).startswith(pixel_columns)]
            if not columns:
                raise ValueError(f"no column of the frame starts with {pixel_columns!r}")
        else:
            columns = list(pixel_columns)
            _require_columns(frame, columns)
        height, width = shape
        if len(columns) != height * width:
            raise ValueError(
                f"{len(columns)} pixel columns do not make images of shape {shape} "
                f"({height * width} pixels)"
            )
        if task_column:
            _require_columns(frame, [task_column])
        tasks = frame[task_column] if task_column else frame.index
        pixels = frame[columns].to_numpy(dtype=float).reshape(len(frame), height, width)
        items = dict(zip(tasks, pixels, strict=True))
        if len(items) != len(frame):
            raise ValueError("task ids must be unique")
        return cls(items, list(labels), path, kind="image", **kwargs)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise KeyError(
            f"column(s) {missing!r} not in the frame; its columns are {list(frame.columns)!r}"
        )
