"""Tests of hiddenwork.labelling: the labelling widget, its session logic and its labels file.

No browser here (issue #5 adds those): the logic is driven through the callback API, simulated
key presses and the very messages the front end sends; the front-end module itself is run
under Node.js against a tiny fake DOM when ``node`` is installed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hiddenwork import labelling
from hiddenwork._labelling_store import replay
from hiddenwork.labelling import (
    LabelFileWarning,
    LabellingSession,
    LabellingWidget,
    default_keys,
    read_answers,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grading" / "tools"))
from simulated_student import FakeClock  # a clock that moves only when told

TOPICS = ["housing", "benefits", "health", "employment", "family", "paperwork", "other"]
DIGITS = list(range(10))


def messages(n: int = 6) -> pd.Series:
    return pd.Series({f"m{i:02d}": f"Help-desk message number {i}." for i in range(n)})


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def event_line(
    event: str,
    task: object,
    label: object = None,
    *,
    worker: str = "me",
    seconds: object = 1.0,
) -> str:
    return json.dumps(
        {
            "event": event,
            "task": task,
            "worker": worker,
            "label": label,
            "seconds": seconds,
            "time": "2025-01-01T10:00:00.000+00:00",
            "session": "test",
        }
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "labels.jsonl"


# --------------------------------------------------------------------------------------------
# Persistence: every event is on disk at once
# --------------------------------------------------------------------------------------------


def test_every_event_is_in_the_file_right_after_it_happens(path: Path) -> None:
    clock = FakeClock()
    widget = LabellingWidget(messages(4), TOPICS, path, worker="ana", clock=clock)
    assert not path.exists()  # nothing written before the first event

    clock.advance(3.25)
    widget.answer("health")
    lines = read_lines(path)
    assert len(lines) == 1
    assert lines[0]["event"] == "answer"
    assert lines[0]["task"] == "m00"
    assert lines[0]["label"] == "health"
    assert lines[0]["worker"] == "ana"
    assert lines[0]["seconds"] == 3.25
    assert lines[0]["session"] == widget.session.session_id
    assert pd.Timestamp(lines[0]["time"]).tzinfo is not None  # ISO 8601 with a time zone

    clock.advance(1.5)
    widget.skip()
    assert read_lines(path)[-1] | {"time": None} == {
        "event": "skip",
        "task": "m01",
        "worker": "ana",
        "label": None,
        "seconds": 1.5,
        "time": None,
        "session": widget.session.session_id,
    }

    clock.advance(0.5)
    widget.undo()
    last = read_lines(path)[-1]
    assert (last["event"], last["task"], last["label"], last["seconds"]) == (
        "undo",
        "m01",
        None,
        0.5,
    )

    widget.press("2")
    assert read_lines(path)[-1]["label"] == "benefits"
    assert len(read_lines(path)) == 4
    assert path.read_bytes().endswith(b"\n")


def test_each_event_is_fsynced(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    session = LabellingSession(list(messages(5).index), TOPICS, path)
    session.answer("housing")
    first = len(synced)
    assert first >= 1  # the line (and, for a new file, its folder)
    session.skip()
    session.undo()
    assert len(synced) == first + 2  # one fsync per later event


def test_a_failed_write_changes_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = LabellingSession(list(messages(3).index), TOPICS, path)
    session.answer("family")

    def disk_full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match=r"labels\.jsonl"):
        session.answer("other")
    assert session.current == "m01"
    assert session.n_done == 1
    monkeypatch.undo()
    assert len(read_lines(path)) == 1
    session.answer("other")  # works again once the disk is back
    assert session.answers()["label"].tolist() == ["family", "other"]


def test_a_failed_fsync_keeps_the_written_answer(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = LabellingSession(list(messages(3).index), TOPICS, path)

    def unsupported(fd: int) -> None:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "fsync", unsupported)
    with pytest.warns(LabelFileWarning, match="could not be flushed"):
        session.answer("health")
    # the line is in the file, so the answer counts (the file is the truth)
    assert session.n_done == 1
    monkeypatch.undo()
    assert LabellingSession(list(messages(3).index), TOPICS, path).n_done == 1


# --------------------------------------------------------------------------------------------
# Replay, resume, skip and undo
# --------------------------------------------------------------------------------------------


def test_resume_after_restart_asks_no_item_twice(path: Path) -> None:
    items = messages(8)
    shown: list[str | int | None] = []

    first = LabellingWidget(items, TOPICS, path)
    for key in ["1", "2", "s"]:
        shown.append(first.current)
        first.press(key)
    del first

    second = LabellingWidget(items, TOPICS, path)  # as after a kernel restart
    assert second.current == "m03"
    assert second.problems == ()
    while not second.done:
        shown.append(second.current)
        second.press("7")

    assert shown == list(items.index)  # every item exactly once, in order
    answers = second.answers()
    assert answers["task"].tolist() == ["m00", "m01"] + [f"m{i:02d}" for i in range(3, 8)]
    assert answers["label"].tolist() == ["housing", "benefits"] + ["other"] * 5


def test_skipped_items_are_not_asked_again_until_undone(path: Path) -> None:
    session = LabellingSession(["a", "b", "c"], TOPICS, path)
    session.skip()
    assert session.current == "b"
    session.answer("health")
    session.answer("health")
    assert session.done
    assert (session.n_answered, session.n_skipped, session.n_done) == (2, 1, 3)
    skipped = session.status_of("a")
    assert skipped is not None and skipped.event == "skip"

    # a restart does not bring the skipped item back either
    resumed = LabellingSession(["a", "b", "c"], TOPICS, path)
    assert resumed.done and resumed.current is None
    assert resumed.answers()["task"].tolist() == ["b", "c"]


def test_undo_walks_back_and_brings_items_back(path: Path) -> None:
    session = LabellingSession(["a", "b", "c"], TOPICS, path)
    assert session.undo() is None  # nothing to undo: nothing written
    assert not path.exists()

    session.answer("housing")
    session.skip()
    session.answer("family")
    assert session.done

    undone = session.undo()
    assert undone is not None and (undone.task, undone.label) == ("c", "family")
    assert session.current == "c"
    undone = session.undo()
    assert undone is not None and (undone.task, undone.label) == ("b", None)
    assert session.current == "b"
    assert session.answers()["task"].tolist() == ["a"]

    # undo goes on working across a restart, from what the file says
    resumed = LabellingSession(["a", "b", "c"], TOPICS, path)
    assert resumed.current == "b"
    assert resumed.last is not None and resumed.last.task == "a"
    resumed.undo()
    assert resumed.current == "a"
    assert resumed.answers().empty
    resumed.answer("other")
    assert resumed.current == "b"
    assert [line["event"] for line in read_lines(path)] == [
        "answer",
        "skip",
        "answer",
        "undo",
        "undo",
        "undo",
        "answer",
    ]


def test_actions_when_everything_is_done(path: Path) -> None:
    session = LabellingSession(["a"], TOPICS, path)
    session.press("1")
    assert session.done
    with pytest.raises(RuntimeError, match="every item is done"):
        session.answer("housing")
    with pytest.raises(RuntimeError, match="every item is done"):
        session.skip()
    assert session.press("2") is None  # a key does nothing (as in the browser)
    assert session.press("s") is None
    assert len(read_lines(path)) == 1
    assert session.press("u") is not None  # undo still works
    assert session.current == "a"


def test_unknown_labels_are_refused(path: Path) -> None:
    session = LabellingSession(["a"], TOPICS, path)
    with pytest.raises(ValueError, match="unknown label 'hosing'"):
        session.answer("hosing")
    with pytest.raises(ValueError, match="unknown label True"):
        session.answer(True)
    assert not path.exists()


def test_digit_labels_accept_their_text(path: Path) -> None:
    session = LabellingSession([1, 2, 3], DIGITS, path)
    assert session.answer("7").label == 7
    assert session.answer(np.int64(0)).label == 0
    assert read_lines(path)[0]["label"] == 7  # stored as a JSON integer


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


def test_keys_for_seven_topics_are_1_to_7() -> None:
    keys = default_keys(TOPICS)
    assert list(keys.values()) == ["1", "2", "3", "4", "5", "6", "7"]
    assert keys["housing"] == "1" and keys["other"] == "7"


def test_keys_for_the_ten_digits_are_the_digits_themselves() -> None:
    assert default_keys(DIGITS) == {d: str(d) for d in DIGITS}
    as_text = [str(d) for d in DIGITS]
    assert default_keys(as_text) == {d: d for d in as_text}
    # even in another order, each digit keeps its own key
    assert default_keys([1, 2, 3, 4, 5, 6, 7, 8, 9, 0])[0] == "0"
    assert default_keys([3, 1, 2]) == {3: "3", 1: "1", 2: "2"}


def test_keys_for_ten_other_labels_end_with_0_and_more_need_keys() -> None:
    ten = [f"label {i}" for i in range(10)]
    assert default_keys(ten)["label 9"] == "0"
    with pytest.raises(ValueError, match="pass keys="):
        default_keys([f"label {i}" for i in range(11)])


def test_pressing_keys(path: Path) -> None:
    session = LabellingSession(list("abcdefghijkl"), DIGITS, path)
    record = session.press("0")
    assert record is not None and (record.task, record.label) == ("a", 0)
    record = session.press("9")
    assert record is not None and record.label == 9
    assert session.press("S") is not None  # letters in either case
    skipped = session.status_of("c")
    assert skipped is not None and skipped.event == "skip"
    assert session.press("U") is not None
    assert session.current == "c"
    assert session.press("x") is None  # unknown keys do nothing
    assert session.press("Enter") is None
    assert len(read_lines(path)) == 4


def test_custom_keys(path: Path) -> None:
    labels = [f"class {i}" for i in range(12)]
    keys = {label: "abcdefghijks"[i] for i, label in enumerate(labels)}
    with pytest.raises(ValueError, match="reserved"):
        LabellingSession(["t"], labels, path, keys=keys)  # "s" is among them
    keys = {label: "qwertyzxcvbn"[i] for i, label in enumerate(labels)}
    session = LabellingSession(["t1", "t2"], labels, path, keys=keys)
    record = session.press("Z")
    assert record is not None and record.label == "class 6"
    with pytest.raises(ValueError, match="given to both"):
        LabellingSession(["t"], ["a", "b"], path, keys={"a": "1", "b": "1"})
    with pytest.raises(ValueError, match="no key for"):
        LabellingSession(["t"], ["a", "b"], path, keys={"a": "1"})
    with pytest.raises(ValueError, match="one visible character"):
        LabellingSession(["t"], ["a"], path, keys={"a": "10"})


# --------------------------------------------------------------------------------------------
# Damaged files: reported with file and line, skipped, never rewritten
# --------------------------------------------------------------------------------------------


def test_damaged_lines_are_reported_with_file_and_line_and_left_alone(path: Path) -> None:
    lines = [
        event_line("answer", "m00", "housing"),  # 1 ok
        '{"event": "answer", "task": "m01", "label": "hea',  # 2 broken JSON
        json.dumps({"event": "answer", "task": "m01", "worker": "me"}),  # 3 missing fields
        event_line("answer", "m99", "health"),  # 4 unknown task
        event_line("answer", "m01", "hosing"),  # 5 unknown label
        event_line("answer", "m01", "health", seconds=-2),  # 6 bad seconds
        event_line("undo", "m03", "other"),  # 7 undo of something never answered
        "",  # 8 blank: ignored, not a problem
        event_line("answer", "m00", "family"),  # 9 second answer for m00
        event_line("answer", "m01", "health"),  # 10 ok
        '["a", "list"]',  # 11 not an object
        event_line("shrug", "m02"),  # 12 unknown event
    ]
    content = ("\n".join(lines) + "\n").encode("utf-8") + b'{"bad utf8": "\xff\xfe"}\n'  # 13
    path.write_bytes(content)

    with pytest.warns(LabelFileWarning) as caught:
        widget = LabellingWidget(messages(4), TOPICS, path)
    message = str(caught[0].message)
    assert str(path) in message
    for number in [2, 3, 4, 5, 6, 7, 9, 11, 12, 13]:
        assert f"line {number}:" in message

    problems = {problem.line: problem for problem in widget.problems}
    assert sorted(problems) == [2, 3, 4, 5, 6, 7, 9, 11, 12, 13]
    assert all(problem.path == str(path) for problem in widget.problems)
    assert "not valid JSON" in problems[2].reason
    assert "missing field" in problems[3].reason and "seconds" in problems[3].reason
    assert "unknown task 'm99'" in problems[4].reason
    assert "unknown label 'hosing'" in problems[5].reason
    assert "seconds" in problems[6].reason
    assert "undo" in problems[7].reason
    assert "already has an answer (line 1)" in problems[9].reason
    assert "not a JSON object" in problems[11].reason
    assert "unknown event" in problems[12].reason
    assert "UTF-8" in problems[13].reason
    assert problems[2].text.startswith('{"event": "answer"')
    assert str(problems[4]).startswith(f"{path}, line 4: ")

    # the valid lines count, the widget resumes after them, and says so
    assert widget.answers()["task"].tolist() == ["m00", "m01"]
    assert widget.current == "m02"
    assert "2 of 4 items already done" in widget.view["status"]
    assert "10 damaged line(s)" in widget.view["status"]

    # the file is untouched by reading, and only appended to afterwards
    assert path.read_bytes() == content
    widget.answer("other")
    assert path.read_bytes().startswith(content)
    assert len(path.read_bytes().splitlines()) == 14


def test_a_partial_last_line_is_reported_and_the_next_event_starts_a_new_line(path: Path) -> None:
    good = event_line("answer", "m00", "housing")
    cut = event_line("answer", "m01", "health")[:25]  # a write stopped half-way
    path.write_text(good + "\n" + cut, encoding="utf-8")

    with pytest.warns(LabelFileWarning, match="line 2: incomplete last line"):
        session = LabellingSession(list(messages(3).index), TOPICS, path)
    assert [p.line for p in session.problems] == [2]
    assert session.current == "m01"

    session.answer("benefits")
    text = path.read_text(encoding="utf-8")
    assert text == good + "\n" + cut + "\n" + text.splitlines()[2] + "\n"
    assert json.loads(text.splitlines()[2])["label"] == "benefits"

    # read again: the cut line is now a complete broken line, still reported, still kept
    with pytest.warns(LabelFileWarning, match="line 2: not valid JSON"):
        again = LabellingSession(list(messages(3).index), TOPICS, path)
    assert again.answers()["label"].tolist() == ["housing", "benefits"]
    assert again.current == "m02"


def test_a_complete_last_line_without_newline_is_used(path: Path) -> None:
    path.write_text(event_line("answer", "m00", "housing"), encoding="utf-8")  # no newline
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        session = LabellingSession(list(messages(3).index), TOPICS, path)
    assert session.problems == ()
    assert session.current == "m01"
    session.answer("family")
    assert [line["label"] for line in read_lines(path)] == ["housing", "family"]


def test_other_workers_lines_are_kept_apart(path: Path) -> None:
    path.write_text(
        event_line("answer", "m00", "housing", worker="ben")
        + "\n"
        + event_line("answer", "m01", "health", worker="ben")
        + "\n",
        encoding="utf-8",
    )
    ana = LabellingSession(list(messages(3).index), TOPICS, path, worker="ana")
    assert ana.current == "m00"  # ben's answers are not ana's
    ana.answer("other")
    assert ana.answers()["worker"].tolist() == ["ana"]
    everyone = read_answers(path)
    assert everyone[["task", "worker", "label"]].to_numpy().tolist() == [
        ["m00", "ben", "housing"],
        ["m01", "ben", "health"],
        ["m00", "ana", "other"],
    ]


# --------------------------------------------------------------------------------------------
# Two widgets on one file in one kernel
# --------------------------------------------------------------------------------------------


def test_a_second_widget_on_the_same_file_takes_over(path: Path) -> None:
    items = messages(5)
    old = LabellingWidget(items, TOPICS, path)
    old.press("1")

    new = LabellingWidget(items, TOPICS, path)  # e.g. the cell was run again
    assert new.current == "m01"  # it saw the old widget's answer
    assert old.view["retired"] is True
    assert "replaced by a newer labelling widget" in old.view["status"]
    with pytest.raises(RuntimeError, match="replaced by a newer labelling widget"):
        old.press("2")
    with pytest.raises(RuntimeError, match="replaced"):
        old.answers()
    # a key press arriving from the old widget's view is refused, nothing written
    old._handle_custom_msg({"type": "key", "key": "2", "token": old.view["token"]}, [])
    assert len(read_lines(path)) == 1

    new.press("2")
    assert new.answers()["label"].tolist() == ["housing", "benefits"]

    # another worker on the same file is independent
    other = LabellingWidget(items, TOPICS, path, worker="ben")
    assert new.session.closed_reason is None
    assert other.current == "m00"


def test_closing_the_widget_frees_the_file(path: Path) -> None:
    widget = LabellingWidget(messages(2), TOPICS, path)
    widget.close()
    with pytest.raises(RuntimeError, match="closed"):
        widget.press("1")
    again = LabellingWidget(messages(2), TOPICS, path)
    assert again.press("1") is not None


# --------------------------------------------------------------------------------------------
# The answers table and the seconds
# --------------------------------------------------------------------------------------------


def test_answers_table_shape_and_types(path: Path, tmp_path: Path) -> None:
    clock = FakeClock()
    widget = LabellingWidget(messages(4), TOPICS, path, worker="ana", clock=clock)
    empty = widget.answers()
    assert list(empty.columns) == ["task", "worker", "label", "seconds"]
    assert len(empty) == 0
    assert empty["seconds"].dtype == np.float64

    clock.advance(2.0)
    widget.answer("housing")
    clock.advance(4.0)
    widget.answer("family")
    widget.undo()  # undone answers are left out
    clock.advance(1.0)
    widget.skip()  # skips are left out
    clock.advance(6.5)
    widget.answer("paperwork")
    answers = widget.answers()
    assert list(answers.columns) == ["task", "worker", "label", "seconds"]
    assert answers.to_dict("list") == {
        "task": ["m00", "m02"],
        "worker": ["ana", "ana"],
        "label": ["housing", "paperwork"],
        "seconds": [2.0, 6.5],
    }
    assert pd.api.types.is_string_dtype(answers["task"])
    assert pd.api.types.is_string_dtype(answers["worker"])
    assert pd.api.types.is_string_dtype(answers["label"])
    assert answers["seconds"].dtype == np.float64
    assert list(answers.index) == [0, 1]

    events = widget.events()
    assert events["event"].tolist() == ["answer", "answer", "undo", "skip", "answer"]
    assert events["line"].tolist() == [1, 2, 3, 4, 5]
    assert events["seconds"].sum() == pytest.approx(2.0 + 4.0 + 0.0 + 1.0 + 6.5)

    digits = LabellingWidget(np.zeros((3, 8, 8)), DIGITS, tmp_path / "digits.jsonl")
    digits.press("4")
    table = digits.answers()
    assert table["task"].dtype == np.int64 and table["label"].dtype == np.int64
    assert table[["task", "label"]].to_numpy().tolist() == [[0, 4]]


def test_seconds_start_when_the_widget_is_first_drawn(path: Path) -> None:
    clock = FakeClock()
    widget = LabellingWidget(messages(3), TOPICS, path, clock=clock)
    clock.advance(30.0)  # the student reads the instructions before the view appears
    widget._handle_custom_msg({"type": "ready"}, [])  # sent by labelling.js once drawn
    assert widget.autofocus is False  # later views of the widget do not grab the focus
    clock.advance(2.0)
    assert widget.answer("housing").seconds == 2.0
    clock.advance(3.0)
    widget._handle_custom_msg({"type": "ready"}, [])  # a second view: the clock keeps running
    clock.advance(1.0)
    assert widget.answer("housing").seconds == 4.0


def test_seconds_count_from_creation_when_never_drawn(path: Path) -> None:
    clock = FakeClock()
    session = LabellingSession(["a", "b"], TOPICS, path, clock=clock)
    clock.advance(5.0)
    assert session.answer("other").seconds == 5.0


# --------------------------------------------------------------------------------------------
# Killing the process or the kernel loses nothing
# --------------------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from hiddenwork.labelling import LabellingWidget

    path = sys.argv[1]
    n_items, stop_after, pause = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    items = pd.Series({f"t{i:05d}": f"text {i}" for i in range(n_items)})
    widget = LabellingWidget(items, ["a", "b", "c"], path)
    done = 0
    while not widget.done:
        widget.press(str(done % 3 + 1))
        done += 1
        print(f"answered {done}", flush=True)
        if done == stop_after:
            print("waiting", flush=True)
            sys.stdin.read()  # blocks until the process is killed
        time.sleep(pause)
    """
)


def _start_child(tmp_path: Path, path: Path, n_items: int, stop_after: int, pause: float) -> Any:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(path), str(n_items), str(stop_after), str(pause)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )


def _items(n: int) -> pd.Series:
    return pd.Series({f"t{i:05d}": f"text {i}" for i in range(n)})


def test_sigkill_after_k_answers_loses_none(tmp_path: Path, path: Path) -> None:
    k = 7
    child = _start_child(tmp_path, path, n_items=20, stop_after=k, pause=0.0)
    assert child.stdout is not None
    reported = 0
    for line in child.stdout:
        if line.startswith("answered"):
            reported = int(line.split()[1])
        if line.strip() == "waiting":
            break
    else:
        pytest.fail(f"the child stopped early: {child.stderr.read() if child.stderr else ''}")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert reported == k

    resumed = LabellingWidget(_items(20), ["a", "b", "c"], path)
    assert resumed.problems == ()
    answers = resumed.answers()
    assert len(answers) == k
    assert answers["task"].tolist() == [f"t{i:05d}" for i in range(k)]
    assert answers["label"].tolist() == [["a", "b", "c"][i % 3] for i in range(k)]
    assert resumed.current == f"t{k:05d}"  # the next item is item k + 1


def test_sigkill_while_labelling_loses_no_reported_answer(tmp_path: Path, path: Path) -> None:
    child = _start_child(tmp_path, path, n_items=5000, stop_after=-1, pause=0.002)
    assert child.stdout is not None
    seen = 0
    for line in child.stdout:
        seen = int(line.split()[1])
        if seen >= 25:
            break
    os.kill(child.pid, signal.SIGKILL)  # while it goes on answering
    rest, _ = child.communicate(timeout=30)
    reported = max([seen] + [int(line.split()[1]) for line in rest.splitlines() if line])
    assert child.returncode == -signal.SIGKILL

    resumed = LabellingWidget(_items(5000), ["a", "b", "c"], path)
    assert resumed.problems == ()
    n = len(resumed.answers())
    # every answer the child reported is there; at most one more was saved but not reported
    assert reported <= n <= reported + 1
    assert n < 5000
    assert resumed.current == f"t{n:05d}"
    assert resumed.answers()["task"].tolist() == [f"t{i:05d}" for i in range(n)]


def test_a_killed_kernel_is_resumed_by_a_new_kernel(tmp_path: Path) -> None:
    jupyter_client = pytest.importorskip("jupyter_client")
    setup = (
        "import pandas as pd\n"
        "from hiddenwork.labelling import LabellingWidget\n"
        "items = pd.Series({f't{i}': f'text {i}' for i in range(10)})\n"
        "w = LabellingWidget(items, ['a', 'b', 'c'], 'labels.jsonl')\n"
    )

    def run(client: Any, code: str) -> str:
        output = io.StringIO()

        def keep(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                output.write(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                output.write("\n".join(msg["content"]["traceback"]))

        reply = client.execute_interactive(code, timeout=60, output_hook=keep)
        assert reply["content"]["status"] == "ok", output.getvalue()
        return output.getvalue()

    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path))
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        run(client, setup + "for key in '1231': w.press(key)\nprint(len(w.answers()))")
        pid = manager.provisioner.process.pid
        os.kill(pid, signal.SIGKILL)  # the kernel dies in the middle of the labelling
        manager.provisioner.process.wait(timeout=30)
        client.stop_channels()
        manager.restart_kernel(now=True)  # as "Restart kernel" in JupyterLab
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        out = run(client, setup + "print(w.answers()['label'].tolist(), w.current, w.problems)")
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)
    assert out.strip() == "['a', 'b', 'c', 'a'] t4 ()"


# --------------------------------------------------------------------------------------------
# The widget without a browser: view state, messages, assets
# --------------------------------------------------------------------------------------------


def test_the_widget_builds_its_view(path: Path) -> None:
    widget = LabellingWidget(messages(3), TOPICS, path, title="Topics of help-desk messages")
    assert widget.item_kind == "text"
    assert widget.title == "Topics of help-desk messages"
    assert widget.buttons[0] == {"index": 0, "label": "housing", "key": "1"}
    assert [b["key"] for b in widget.buttons] == ["1", "2", "3", "4", "5", "6", "7"]
    assert "1 to 7 choose a label" in widget.help_text
    assert "s skips" in widget.help_text and "u undoes" in widget.help_text
    view = widget.view
    assert view["text"] == "Help-desk message number 0."
    assert (view["number"], view["total"], view["done_count"]) == (1, 3, 0)
    assert view["finished"] is False and view["can_undo"] is False
    assert "labels.jsonl" in view["status"]
    assert widget._esm and widget._css  # the front end ships with the package
    state = widget.get_state()
    for name in ["_esm", "_css", "title", "help_text", "item_kind", "buttons", "view"]:
        assert name in state
    for hook in [
        'role: "status"',
        '"aria-live": "polite"',
        '"aria-keyshortcuts"',
        '"aria-describedby"',
        'tabindex: "0"',
        '"data-testid": "hw-labelling"',
    ]:
        assert hook in widget._esm
    assert ":focus-visible" in widget._css
    assert "image-rendering: pixelated" in widget._css
    assert "font-size: 18px" in widget._css
    assert "LabellingWidget: 0 of 3 items done" in repr(widget)

    widget.answer("health")
    assert "Saved “health” for item 1" in widget.view["status"]
    assert widget.view["number"] == 2 and widget.view["can_undo"] is True
    widget.answer("health")
    widget.skip()
    view = widget.view
    assert view["finished"] is True and view["text"] is None
    assert "All 3 items are done: 2 answered, 1 skipped" in view["status"]
    assert "saved in labels.jsonl" in view["message"]


def test_digit_images_are_enlarged_crisp_grey_pngs(path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image")
    digits = np.zeros((2, 8, 8))
    digits[0, 2, 3] = 16.0  # full ink
    digits[0, 5, 5] = 8.0  # half ink
    widget = LabellingWidget(digits, DIGITS, path)
    view = widget.view
    assert widget.item_kind == "image"
    assert (view["width"], view["height"]) == (224, 224)
    assert view["alt"] == "Image to label, item 1 of 2"
    assert "0 to 9 choose a label" in widget.help_text
    assert view["image"].startswith("data:image/png;base64,")
    import base64

    png = base64.b64decode(view["image"].split(",", 1)[1])
    pixels = np.asarray(image_module.open(io.BytesIO(png)))
    assert pixels.shape == (8, 8)
    assert pixels[2, 3] == 0  # ink is black
    assert pixels[5, 5] == 128  # half ink is mid grey
    assert pixels[0, 0] == 255  # paper is white


def test_front_end_messages(path: Path) -> None:
    widget = LabellingWidget(messages(4), TOPICS, path)
    send = widget._handle_custom_msg
    token = widget.view["token"]

    send({"type": "key", "key": "3", "token": token}, [])
    assert read_lines(path)[-1]["label"] == "health"
    # a second press made while the first was on its way is stale: ignored, nothing written
    ack = widget.view["ack"]
    send({"type": "key", "key": "3", "token": token}, [])
    assert len(read_lines(path)) == 1
    assert widget.view["ack"] == ack + 1  # but answered, so the front end is not left waiting
    assert "ignored" in widget.view["status"]

    token = widget.view["token"]
    send({"type": "action", "action": "answer", "label": 5, "token": token}, [])
    assert read_lines(path)[-1]["label"] == "paperwork"
    send({"type": "action", "action": "skip", "token": widget.view["token"]}, [])
    send({"type": "action", "action": "undo", "token": widget.view["token"]}, [])
    assert [line["event"] for line in read_lines(path)] == ["answer", "answer", "skip", "undo"]
    # malformed messages do nothing
    for junk in [
        {"type": "action", "action": "answer", "label": 99, "token": widget.view["token"]},
        {"type": "action", "action": "answer", "label": "1", "token": widget.view["token"]},
        {"type": "dance", "token": widget.view["token"]},
        ["not", "a", "dict"],
    ]:
        send(junk, [])
    assert len(read_lines(path)) == 4

    widget.undo()
    widget.undo()
    send({"type": "key", "key": "u", "token": widget.view["token"]}, [])
    assert widget.view["status"] == "Nothing to undo."


def test_callbacks(path: Path) -> None:
    widget = LabellingWidget(messages(3), TOPICS, path)
    answered: list[str] = []
    events: list[str] = []
    widget.on_answer(lambda record: answered.append(str(record.label)))
    widget.on_event(lambda record: events.append(record.event))
    widget.press("1")
    widget.press("s")
    widget.press("u")
    assert answered == ["housing"]
    assert events == ["answer", "skip", "undo"]


# --------------------------------------------------------------------------------------------
# Items, factories and bad input
# --------------------------------------------------------------------------------------------


def test_factories_take_a_dataframe(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["x1", "x2"], "text": ["first", "second"], "topic": ["a", "b"]})
    widget = LabellingWidget.for_texts(frame, TOPICS, tmp_path / "t.jsonl", task_column="id")
    assert widget.tasks == ("x1", "x2") and widget.current_item == "first"
    with pytest.raises(KeyError, match="'message'"):
        LabellingWidget.for_texts(frame, TOPICS, tmp_path / "t2.jsonl", text_column="message")

    columns = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    pixels = pd.DataFrame(np.arange(128).reshape(2, 64) % 17, columns=columns)
    pixels.insert(0, "id", ["d1", "d2"])
    digits = LabellingWidget.for_images(pixels, range(10), tmp_path / "d.jsonl", task_column="id")
    assert digits.tasks == ("d1", "d2")
    assert digits.current_item[0, 1] == 1.0 and digits.current_item[1, 0] == 8.0  # row-major
    with pytest.raises(ValueError, match="shape"):
        LabellingWidget.for_images(pixels, range(10), tmp_path / "e.jsonl", shape=(4, 4))


def test_factories_with_the_kit_datasets(tmp_path: Path) -> None:
    datasets = pytest.importorskip("hiddenwork.datasets")
    helpdesk = datasets.load("helpdesk").head(40)
    widget = LabellingWidget.for_texts(helpdesk, TOPICS, tmp_path / "h.jsonl", task_column="id")
    assert len(widget.tasks) == 40 and isinstance(widget.current_item, str)
    batch = datasets.load("digits-batch").head(40)
    digits = LabellingWidget.for_images(batch, range(10), tmp_path / "d.jsonl", task_column="id")
    assert len(digits.tasks) == 40 and digits.current_item.shape == (8, 8)
    first = batch.iloc[0]
    assert np.array_equal(digits.current_item, datasets.digit_image(first))


def test_items_in_other_forms(tmp_path: Path) -> None:
    texts = LabellingWidget(["one", "two"], TOPICS, tmp_path / "a.jsonl")
    assert texts.tasks == (0, 1) and texts.item_kind == "text"
    flat = LabellingWidget({"p": np.zeros(64), "q": np.ones(64)}, DIGITS, tmp_path / "b.jsonl")
    assert flat.current_item.shape == (8, 8) and flat.item_kind == "image"
    numpy_ids = pd.Series(["x", "y"], index=np.array([10, 20], dtype=np.int64))
    assert LabellingWidget(numpy_ids, TOPICS, tmp_path / "c.jsonl").tasks == (10, 20)


def test_bad_input_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        LabellingSession(["a"], TOPICS, tmp_path / "missing" / "l.jsonl")
    with pytest.raises(IsADirectoryError):
        LabellingSession(["a"], TOPICS, tmp_path)
    with pytest.raises(ValueError, match="more than once"):
        LabellingSession(["a", "a"], TOPICS, path)
    with pytest.raises(ValueError, match="label 'x' appears more than once"):
        LabellingSession(["a"], ["x", "x"], path)
    with pytest.raises(TypeError, match="string or an integer"):
        LabellingSession([1.5], TOPICS, path)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no tasks given"):
        LabellingSession([], TOPICS, path)
    with pytest.raises(ValueError, match="worker"):
        LabellingSession(["a"], TOPICS, path, worker="")
    with pytest.raises(TypeError, match="for_texts"):
        LabellingWidget(pd.DataFrame({"text": ["a"]}), TOPICS, path)
    with pytest.raises(ValueError, match="not a square image"):
        LabellingWidget({"a": np.zeros(10)}, DIGITS, path)
    with pytest.raises(ValueError, match="missing or infinite"):
        LabellingWidget({"a": np.full((8, 8), np.nan)}, DIGITS, path)
    with pytest.raises(TypeError, match="item 'b' is not a text"):
        LabellingWidget({"a": "text", "b": 3}, TOPICS, path, kind="text")
    assert not path.exists()


def test_replay_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    state = replay(tmp_path / "none.jsonl")
    assert state.workers == {} and state.problems == [] and state.n_lines == 0


# --------------------------------------------------------------------------------------------
# The front-end module under Node.js, against a tiny fake DOM
# --------------------------------------------------------------------------------------------

FAKE_DOM_RUNNER = r"""
import { readFileSync } from "node:fs";
const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

class ClassList {
  constructor(node) {
    this.node = node;
  }
  get set() {
    const names = (this.node.getAttribute("class") || "").split(/\s+/);
    return new Set(names.filter(Boolean));
  }
  write(set) {
    this.node.setAttribute("class", [...set].join(" "));
  }
  add(...names) {
    const s = this.set;
    names.forEach((n) => s.add(n));
    this.write(s);
  }
  remove(...names) {
    const s = this.set;
    names.forEach((n) => s.delete(n));
    this.write(s);
  }
  contains(name) {
    return this.set.has(name);
  }
  toggle(name, force) {
    const s = this.set;
    const on = force === undefined ? !s.has(name) : Boolean(force);
    if (on) s.add(name);
    else s.delete(name);
    this.write(s);
    return on;
  }
}

function addTo(map, key, f) {
  if (!map.has(key)) map.set(key, []);
  map.get(key).push(f);
}
function removeFrom(map, key, f) {
  const list = map.get(key) || [];
  const i = list.indexOf(f);
  if (i >= 0) list.splice(i, 1);
}

// Events go window -> document -> ... -> target (capture), then back up (bubble).
class FakeTarget {
  constructor() {
    this.listeners = new Map();
  }
  addEventListener(type, f, capture = false) {
    addTo(this.listeners, type, { f, capture: Boolean(capture) });
  }
  removeEventListener(type, f, capture = false) {
    const list = this.listeners.get(type) || [];
    const i = list.findIndex((l) => l.f === f && l.capture === Boolean(capture));
    if (i >= 0) list.splice(i, 1);
  }
  fire(ev, phase) {
    for (const l of [...(this.listeners.get(ev.type) || [])]) {
      if (ev.stopped) return;
      if ((phase === "capture" && !l.capture) || (phase === "bubble" && l.capture)) continue;
      l.f(ev);
    }
  }
}

class FakeElement extends FakeTarget {
  constructor(doc, tag) {
    super();
    this.ownerDocument = doc;
    this.tagName = tag.toUpperCase();
    this.childNodes = [];
    this.attrs = new Map();
    this.parentNode = null;
    this.ownText = "";
    this.dataset = {};
    this.hidden = false;
    this.disabled = false;
    this.classList = new ClassList(this);
  }
  setAttribute(n, v) {
    this.attrs.set(n, String(v));
  }
  getAttribute(n) {
    return this.attrs.has(n) ? this.attrs.get(n) : null;
  }
  hasAttribute(n) {
    return this.attrs.has(n);
  }
  removeAttribute(n) {
    this.attrs.delete(n);
  }
  append(...nodes) {
    for (const n of nodes) {
      n.parentNode = this;
      this.childNodes.push(n);
    }
  }
  get textContent() {
    return this.ownText + this.childNodes.map((c) => c.textContent).join("");
  }
  set textContent(v) {
    this.childNodes = [];
    this.ownText = String(v);
  }
  dispatchEvent(ev) {
    ev.target = this;
    const path = [];
    for (let n = this; n; n = n.parentNode) path.push(n);
    if (this.isConnected) path.push(this.ownerDocument, this.ownerDocument.defaultView);
    for (const n of [...path].reverse().slice(0, -1)) n.fire(ev, "capture");
    this.fire(ev, "target");
    for (const n of path.slice(1)) n.fire(ev, "bubble");
    return !ev.defaultPrevented;
  }
  contains(n) {
    for (let x = n; x; x = x.parentNode) if (x === this) return true;
    return false;
  }
  get isConnected() {
    return this.ownerDocument.body.contains(this);
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  click() {
    if (!this.disabled) this.dispatchEvent(makeEvent("click"));
  }
  *walk() {
    yield this;
    for (const c of this.childNodes) yield* c.walk();
  }
  byTestId(id) {
    return [...this.walk()].find((n) => n.getAttribute("data-testid") === id) || null;
  }
}

function makeEvent(type, props = {}) {
  return {
    type,
    ...props,
    defaultPrevented: false,
    stopped: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    stopPropagation() {
      this.stopped = true;
    },
  };
}
const doc = new FakeTarget();
doc.createElement = (tag) => new FakeElement(doc, tag);
doc.activeElement = null;
doc.defaultView = new FakeTarget();
doc.body = new FakeElement(doc, "body");
globalThis.requestAnimationFrame = (f) => setTimeout(f, 0);
// JupyterLab's shortcut handler: on the document, capture phase (Notebook 7) or bubble (Lab 4)
const seenByJupyter = [];
doc.addEventListener("keydown", (ev) => seenByJupyter.push(`capture ${ev.key}`), true);
doc.addEventListener("keydown", (ev) => seenByJupyter.push(`bubble ${ev.key}`), false);

class FakeModel {
  constructor(state) {
    this.state = { ...state };
    this.handlers = new Map();
    this.sent = [];
  }
  get(name) {
    return this.state[name];
  }
  set(name, value) {
    this.state[name] = value;
    for (const f of [...(this.handlers.get(`change:${name}`) || [])]) f();
  }
  on(e, f) {
    addTo(this.handlers, e, f);
  }
  off(e, f) {
    removeFrom(this.handlers, e, f);
  }
  send(message) {
    this.sent.push(JSON.parse(JSON.stringify(message)));
  }
}
const tick = () => new Promise((r) => setTimeout(r, 5));
const widget = (await import(input.module)).default;
const key = (target, props) => {
  const ev = makeEvent("keydown", props);
  target.dispatchEvent(ev);
  return ev;
};

// ---- a text widget ----
const host = doc.createElement("div");
doc.body.append(host);
const state = input.text.state;
const model = new FakeModel(state);
const cleanup = widget.render({ model, el: host });
const root = host.childNodes[0];
const part = (id) => root.byTestId(id);
const v0 = state.view;
const v1 = input.text.view1;
const vDone = input.text.viewDone;
check(root.getAttribute("role") === "group", "root is a group");
check(root.getAttribute("tabindex") === "0", "root is reachable with Tab");
check(root.getAttribute("aria-label") === state.title, "root is named by the title");
const help = part("hw-help");
check(root.getAttribute("aria-describedby") === help.getAttribute("id"), "help describes root");
check(help.textContent === state.help_text, "help text shown");
const status = part("hw-status");
check(status.getAttribute("role") === "status", "status role");
check(status.getAttribute("aria-live") === "polite", "status is live");
check(status.textContent === v0.status, "status shows the start message");
const labelButtons = state.buttons.map((b) => part(`hw-label-${b.index}`));
check(
  labelButtons.every((b) => b && b.tagName === "BUTTON" && b.getAttribute("type") === "button"),
  "one button per label",
);
check(labelButtons[0].textContent === "1 housing", "button shows key and label");
check(
  labelButtons.every((b, i) => b.getAttribute("aria-keyshortcuts") === state.buttons[i].key),
  "aria-keyshortcuts on label buttons",
);
const skip = part("hw-skip");
const undo = part("hw-undo");
check(skip.textContent === "s Skip", "skip button text");
check(skip.getAttribute("aria-keyshortcuts") === "s", "skip shortcut");
check(undo.textContent === "u Undo" && undo.disabled === true, "undo disabled at first");
check(part("hw-item-text").textContent === v0.text, "item text shown");
check(part("hw-item-image") === null, "no image element for texts");
check(part("hw-position").textContent === `Item 1 of ${v0.total}`, "position");
check(part("hw-count").textContent === `0 / ${v0.total} done`, "count");
check(part("hw-progress").getAttribute("max") === String(v0.total), "progress max");
check(root.dataset.token === String(v0.token), "data-token");
check(root.dataset.state === "ready", "data-state");
check(JSON.stringify(model.sent[0]) === JSON.stringify({ type: "ready" }), "ready sent");
await tick();
check(doc.activeElement === root, "the widget takes the focus when shown");

let ev = key(root, { key: "x", code: "KeyX" });
check(!ev.defaultPrevented && model.sent.length === 1, "other keys are left alone");
ev = key(root, { key: "s", code: "KeyS", ctrlKey: true });
check(!ev.defaultPrevented && model.sent.length === 1, "Ctrl+S is left to JupyterLab");
ev = key(root, { key: "2", code: "Digit2", repeat: true });
check(!ev.defaultPrevented && model.sent.length === 1, "a held key does not repeat");
check(
  seenByJupyter.join() === "capture x,bubble x,capture s,bubble s,capture 2,bubble 2",
  "keys that are not shortcuts reach JupyterLab: " + seenByJupyter.join(),
);
const outside = doc.createElement("button");
doc.body.append(outside);
ev = key(outside, { key: "2", code: "Digit2" });
check(!ev.defaultPrevented && model.sent.length === 1, "keys outside the widget are left alone");
seenByJupyter.length = 0;
ev = key(labelButtons[3], { key: "2", code: "Digit2" }); // focus on a button inside
check(ev.defaultPrevented, "a shortcut is consumed");
check(seenByJupyter.length === 0, "JupyterLab never sees a shortcut of the widget");
check(model.sent.length === 2, "the key was sent");
check(root.getAttribute("aria-busy") === "true", "aria-busy while waiting");
check(root.dataset.state === "busy", "busy while waiting");
key(root, { key: "3", code: "Digit3" });
check(model.sent.length === 2, "no second press while waiting for the next item");

model.set("view", v1);
check(root.getAttribute("aria-busy") === null && root.dataset.state === "ready", "ready again");
check(part("hw-item-text").textContent === v1.text, "next item text");
check(part("hw-position").textContent === `Item 2 of ${v1.total}`, "next position");
check(status.textContent === v1.status, "status announces the answer");
check(undo.disabled === false, "undo enabled");
check(root.dataset.token === String(v1.token), "token updated");
key(root, { key: "é", code: "Digit3" }); // AZERTY digit row without Shift
model.set("view", { ...v1, ack: v1.ack + 1 });
labelButtons[4].click();
model.set("view", { ...v1, ack: v1.ack + 2 });
skip.click();
model.set("view", { ...v1, ack: v1.ack + 3 });
labelButtons[0].focus();
model.set("view", vDone);
check(labelButtons.every((b) => b.disabled) && skip.disabled, "done: labels and skip disabled");
check(!undo.disabled, "done: undo still enabled");
check(doc.activeElement === root, "focus leaves a disabled button for the widget");
check(part("hw-position").textContent === `All ${vDone.total} items done`, "done position");
check(part("hw-item-text").hidden === true, "no text when done");
check(part("hw-message").textContent === vDone.message, "done message");
check(!part("hw-message").hidden, "done message visible");
check(root.dataset.state === "finished", "finished state");
const before = model.sent.length;
labelButtons[1].click();
check(model.sent.length === before, "disabled buttons send nothing");
key(root, { key: "U", code: "KeyU", shiftKey: true });
check(model.sent.length === before + 1, "undo key when done");
cleanup();
model.set("view", v1);
check(root.dataset.state === "busy", "after cleanup the view no longer listens");
const textSent = model.sent;

// ---- an image widget ----
const host2 = doc.createElement("div");
doc.body.append(host2);
const model2 = new FakeModel(input.image.state);
widget.render({ model: model2, el: host2 })();
const root2 = host2.childNodes[0];
const img = root2.byTestId("hw-item-image");
const iv = input.image.state.view;
check(img && img.tagName === "IMG", "an img for images");
check(img.getAttribute("src") === iv.image, "image src");
check(img.getAttribute("alt") === iv.alt, "image alt");
check(img.getAttribute("width") === String(iv.width), "image enlarged");
check(root2.byTestId("hw-item-text") === null, "no text element for images");
check(root2.byTestId("hw-label-0").textContent === "0 0", "digit 0 has the key 0");

console.log(JSON.stringify({ failures, sent: textSent }));
"""


def _widget_state(widget: LabellingWidget) -> dict[str, Any]:
    return {
        name: getattr(widget, name)
        for name in ["title", "help_text", "item_kind", "buttons", "view", "autofocus"]
    }


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_front_end_module_in_a_fake_dom(tmp_path: Path) -> None:
    clock = FakeClock()
    items = messages(3)
    text = LabellingWidget(items, TOPICS, tmp_path / "t.jsonl", clock=clock)
    state = _widget_state(text)
    text.answer("benefits")
    view1 = dict(text.view)
    text.answer("health")
    text.skip()
    view_done = dict(text.view)
    image = LabellingWidget(np.eye(8)[None] * 16, DIGITS, tmp_path / "i.jsonl")

    module = tmp_path / "labelling.mjs"
    module.write_text(text._esm, encoding="utf-8")
    runner = tmp_path / "runner.mjs"
    runner.write_text(FAKE_DOM_RUNNER, encoding="utf-8")
    data = tmp_path / "input.json"
    data.write_text(
        json.dumps(
            {
                "module": module.as_uri(),
                "text": {"state": state, "view1": view1, "viewDone": view_done},
                "image": {"state": _widget_state(image)},
            }
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        ["node", str(runner), str(data)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["failures"] == []

    # the messages the front end sent are the ones Python understands
    sent = result["sent"]
    assert sent[1] == {"type": "key", "key": "2", "token": state["view"]["token"]}
    assert sent[2] == {"type": "key", "key": "3", "token": view1["token"]}
    assert sent[3] == {"type": "action", "action": "answer", "label": 4, "token": view1["token"]}
    assert sent[4] == {"type": "action", "action": "skip", "token": view1["token"]}
    assert sent[5] == {"type": "key", "key": "u", "token": view_done["token"]}
    fresh = LabellingWidget(items, TOPICS, tmp_path / "fresh.jsonl")
    fresh._handle_custom_msg(sent[1], [])
    fresh._handle_custom_msg({**sent[3], "token": fresh.view["token"]}, [])
    assert fresh.answers()["label"].tolist() == ["benefits", "family"]


def test_module_imports_no_front_end_file_at_import() -> None:
    # the assets are read on first use only (no I/O at import)
    assert hasattr(labelling._asset, "cache_info")
    code = "import hiddenwork.labelling as m; print(m._asset.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_seconds_are_measured_on_the_injected_clock(path: Path) -> None:
    # a real monotonic clock works too and gives small, non-negative seconds
    session = LabellingSession(["a", "b"], TOPICS, path)
    time.sleep(0.01)
    record = session.answer("other")
    assert record.seconds >= 0.01
