"""The labels file of :mod:`hiddenwork.labelling`: an append-only JSON Lines event log.

One line per event, written by :func:`append_record` and read back by :func:`replay`::

    {"event": "answer", "task": "m07", "worker": "me", "label": "housing", "seconds": 4.213,
     "time": "2025-03-04T10:12:31.204+00:00", "session": "5f0c2a9e1b7d"}

- ``event`` is ``"answer"``, ``"skip"`` or ``"undo"``;
- ``task`` and ``label`` are JSON strings or integers (``label`` is ``null`` for a skip, and for
  the undo of a skip);
- ``seconds`` is the time the worker spent on the item before the event (server-side clock);
- ``time`` is the wall-clock time of the event (ISO 8601, UTC) and ``session`` names the widget
  that wrote it.

The file is the truth. Every event is appended at once (one ``write`` of a whole line, then
``fsync``), and the state is rebuilt from the file by replaying it: an ``undo`` cancels the last
answer or skip of the same worker still in effect. A line that cannot be used (not UTF-8, not
JSON, a missing field, an unknown task or label, an undo that matches nothing) is reported as a
:class:`LineProblem` naming the file and the line, and skipped; the file itself is never rewritten
or truncated. A last line without its newline (a write interrupted by a crash) is reported too if
it cannot be read, and the next append starts on a new line.

This module is private: use :mod:`hiddenwork.labelling`.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "EVENTS",
    "FIELDS",
    "LabelFileWarning",
    "LineProblem",
    "Record",
    "Replay",
    "WorkerHistory",
    "append_record",
    "check_record",
    "is_json_id",
    "replay",
]

EventName = Literal["answer", "skip", "undo"]
Id = str | int

EVENTS: tuple[str, ...] = ("answer", "skip", "undo")
"""The three kinds of event a labels file holds."""

FIELDS: tuple[str, ...] = ("event", "task", "worker", "label", "seconds", "time", "session")
"""The fields every line must have (extra fields are allowed and ignored)."""

_SHOWN_TEXT = 120  # characters of a bad line kept in a LineProblem


class LabelFileWarning(UserWarning):
    """Warning issued when lines of a labels file are skipped because they cannot be used."""


@dataclass(frozen=True)
class LineProblem:
    """A line of a labels file that was skipped, and why.

    Attributes
    ----------
    path : str
        The labels file.
    line : int
        The line number, counting from 1 as a text editor does.
    reason : str
        What is wrong with the line.
    text : str
        The start of the line as found in the file (for the report; the file is left untouched).
    """

    path: str
    line: int
    reason: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Record:
    """One valid event of a labels file (or one just written), with its line number."""

    line: int
    event: EventName
    task: Id
    worker: str
    label: Id | None
    seconds: float
    time: str
    session: str

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to the file for this event."""
        return {
            "event": self.event,
            "task": self.task,
            "worker": self.worker,
            "label": self.label,
            "seconds": self.seconds,
            "time": self.time,
            "session": self.session,
        }


def is_json_id(value: object) -> bool:
    """Whether ``value`` can be a task id or a label: a string or an integer (not a bool)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _describe(value: object) -> str:
    return repr(value) if is_json_id(value) or value is None else type(value).__name__


def check_record(
    obj: object,
    tasks: Collection[Id] | None = None,
    labels: Collection[Id] | None = None,
) -> str | None:
    """Why a parsed JSON line is not a valid event, or ``None`` if it is.

    Parameters
    ----------
    obj : object
        The parsed line.
    tasks, labels : collection, optional
        The known task ids and labels; ``None`` accepts any string or integer.

    Returns
    -------
    str or None
        The reason the line must be skipped, in plain words.

    Examples
    --------
    >>> line = {"event": "answer", "task": 3, "worker": "me", "label": "housing",
    ...         "seconds": 2.5, "time": "2025-01-01T10:00:00+00:00", "session": "s1"}
    >>> check_record(line, tasks={1, 2, 3}, labels={"housing", "other"}) is None
    True
    >>> check_record({**line, "label": "hosing"}, labels={"housing", "other"})
    "unknown label 'hosing'"
    >>> check_record({"event": "answer"})
    'missing field(s): task, worker, label, seconds, time, session'
    """
    if not isinstance(obj, dict):
        return f"not a JSON object but a JSON {type(obj).__name__}"
    missing = [name for name in FIELDS if name not in obj]
    if missing:
        return "missing field(s): " + ", ".join(missing)
    event = obj["event"]
    if event not in EVENTS:
        return f"unknown event {_describe(event)} (expected answer, skip or undo)"
    task = obj["task"]
    if not is_json_id(task):
        return f"task must be a string or an integer, not {_describe(task)}"
    if tasks is not None and task not in tasks:
        return f"unknown task {task!r} (not among the items of this widget)"
    worker = obj["worker"]
    if not isinstance(worker, str) or not worker:
        return f"worker must be a non-empty string, not {_describe(worker)}"
    label = obj["label"]
    if event == "answer" or label is not None:
        if not is_json_id(label):
            return f"label must be a string or an integer, not {_describe(label)}"
        if labels is not None and label not in labels:
            return f"unknown label {label!r}"
    if event == "skip" and label is not None:
        return f"a skip has no label, but this line has {label!r}"
    seconds = obj["seconds"]
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        return f"seconds must be a number >= 0, not {_describe(seconds)}"
    for name in ("time", "session"):
        if not isinstance(obj[name], str):
            return f"{name} must be a string, not {_describe(obj[name])}"
    return None


@dataclass
class WorkerHistory:
    """The events of one worker and the state they add up to.

    Attributes
    ----------
    records : list of Record
        Every valid event of the worker, in file order (undone answers included).
    stack : list of Record
        The answers and skips still in effect, in the order they were given.
    final : dict
        Task -> the answer or skip in effect for it.
    """

    records: list[Record] = field(default_factory=list)
    stack: list[Record] = field(default_factory=list)
    final: dict[Id, Record] = field(default_factory=dict)

    def conflict(self, event: str, task: Id, label: Id | None) -> str | None:
        """Why an event cannot apply to the current state, or ``None`` if it can."""
        if event == "undo":
            if not self.stack:
                return "undo, but there is no answer or skip left to undo"
            last = self.stack[-1]
            if last.task != task or last.label != label:
                return (
                    f"undo of task {task!r} does not match the last answer or skip "
                    f"(task {last.task!r} on line {last.line})"
                )
            return None
        if task in self.final:
            earlier = self.final[task]
            return f"task {task!r} already has an {earlier.event} (line {earlier.line})"
        return None

    def apply(self, record: Record) -> None:
        """Add a record; call :meth:`conflict` first (an invalid record raises ValueError)."""
        reason = self.conflict(record.event, record.task, record.label)
        if reason is not None:
            raise ValueError(reason)
        self.records.append(record)
        if record.event == "undo":
            undone = self.stack.pop()
            del self.final[undone.task]
        else:
            self.stack.append(record)
            self.final[record.task] = record


@dataclass
class Replay:
    """What a labels file holds once replayed.

    Attributes
    ----------
    path : Path
        The file.
    workers : dict
        Worker -> :class:`WorkerHistory`, in order of first appearance.
    problems : list of LineProblem
        The lines skipped.
    n_lines : int
        Number of lines in the file (a last line without newline counts).
    """

    path: Path
    workers: dict[str, WorkerHistory] = field(default_factory=dict)
    problems: list[LineProblem] = field(default_factory=list)
    n_lines: int = 0

    def history(self, worker: str) -> WorkerHistory:
        """The history of ``worker`` (created empty if the file has none)."""
        return self.workers.setdefault(worker, WorkerHistory())


def _bad(path: Path, line: int, reason: str, raw: str) -> LineProblem:
    text = raw if len(raw) <= _SHOWN_TEXT else raw[: _SHOWN_TEXT - 3] + "..."
    return LineProblem(str(path), line, reason, text)


def replay(
    path: str | os.PathLike[str],
    tasks: Collection[Id] | None = None,
    labels: Collection[Id] | None = None,
) -> Replay:
    """Read a labels file and rebuild every worker's state from it.

    A missing file is an empty history. Unusable lines are listed in ``problems`` and skipped;
    blank lines are ignored.

    Parameters
    ----------
    path : path-like
        The labels file.
    tasks, labels : collection, optional
        The known task ids and labels; ``None`` accepts any string or integer.

    Returns
    -------
    Replay

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.jsonl"
    >>> _ = path.write_text(
    ...     '{"event": "answer", "task": 1, "worker": "me", "label": "a", "seconds": 1.5,'
    ...     ' "time": "t", "session": "s"}\\n'
    ...     'this line is broken\\n'
    ... )
    >>> state = replay(path, tasks=[1, 2], labels=["a", "b"])
    >>> [(r.task, r.label) for r in state.history("me").stack]
    [(1, 'a')]
    >>> print(state.problems[0].line, state.problems[0].reason)
    2 not valid JSON (Expecting value: column 1)
    """
    path = Path(path)
    result = Replay(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return result
    chunks = data.split(b"\n")
    complete = data.endswith(b"\n")
    if complete or not data:
        chunks.pop()  # the empty piece after the last newline
    result.n_lines = len(chunks)
    for number, chunk in enumerate(chunks, start=1):
        partial = not complete and number == len(chunks)
        raw_bytes = chunk.rstrip(b"\r")
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            shown = raw_bytes.decode("utf-8", errors="replace")
            result.problems.append(_bad(path, number, f"not valid UTF-8 text ({error})", shown))
            continue
        if number == 1:
            raw = raw.removeprefix("\ufeff")
        if not raw.strip():
            continue
        reason: str | None
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as error:
            if partial:
                reason = (
                    "incomplete last line (no newline at the end of the file: the program "
                    "writing it was probably stopped in the middle)"
                )
            else:
                reason = f"not valid JSON ({error.msg}: column {error.colno})"
            result.problems.append(_bad(path, number, reason, raw))
            continue
        reason = check_record(obj, tasks, labels)
        if reason is None:
            history = result.history(obj["worker"])
            reason = history.conflict(obj["event"], obj["task"], obj["label"])
            if reason is None:
                history.apply(
                    Record(
                        line=number,
                        event=obj["event"],
                        task=obj["task"],
                        worker=obj["worker"],
                        label=obj["label"],
                        seconds=float(obj["seconds"]),
                        time=obj["time"],
                        session=obj["session"],
                    )
                )
                continue
        result.problems.append(_bad(path, number, reason, raw))
    return result


def _fsync_folder(folder: Path) -> None:
    """Make a newly created file's directory entry durable (POSIX only; a no-op elsewhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def append_record(path: str | os.PathLike[str], obj: Mapping[str, Any]) -> None:
    """Append one event as a line, then flush it to the disk (``fsync``) before returning.

    The line is written with a single ``write`` on a file opened in append mode. If the file does
    not end with a newline (a previous write was interrupted), a newline is written first so the
    new event starts on its own line; nothing already in the file is changed.

    Parameters
    ----------
    path : path-like
        The labels file (created if missing; its folder must exist).
    obj : mapping
        The event; it must be serialisable as strict JSON (no NaN).

    Raises
    ------
    OSError
        If the file cannot be written; the message names the file. (If only the ``fsync``
        fails, the line is in the file: a :class:`LabelFileWarning` says so, nothing is raised.)
    """
    path = Path(path)
    data = (json.dumps(dict(obj), ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    created = not path.exists()
    try:
        fd = os.open(path, flags, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":
                    data = b"\n" + data
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            try:
                os.fsync(fd)
            except OSError as error:
                # The line is written (the file is the truth), only not yet forced to the disk.
                warnings.warn(
                    f"the labels file {path} could not be flushed to the disk ({error}); "
                    "the answer is saved but could be lost if the computer crashes now",
                    LabelFileWarning,
                    stacklevel=3,
                )
        finally:
            os.close(fd)
    except OSError as error:
        raise OSError(error.errno, f"could not save to the labels file {path}: {error}") from error
    if created:
        _fsync_folder(path.parent)
