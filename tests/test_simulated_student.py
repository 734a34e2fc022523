"""Tests of grading/tools/simulated_student.py, the program that plays a student's hands.

It must write the files a student makes by hand (Lab 2: two labels files) through the very
widgets the notebook builds, with plausible seconds and mistakes, the same way for the same
seed, and do nothing for labs without hand-made files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hiddenwork import labelling
from hiddenwork.labelling import LabellingWidget, read_answers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grading" / "tools"))

import simulated_student  # noqa: E402

LAB = "02-the-trainer"
MESSAGES_FILE, DIGITS_FILE = simulated_student.HAND_MADE_FILES[LAB]


@pytest.fixture(scope="module")
def items() -> dict[str, Any]:
    """The variables of the lab's ``setup-items`` cell (items, widgets, file names)."""
    return simulated_student.items_namespace(LAB)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("student")
    simulated_student.prepare(LAB, folder)
    return folder


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without_clock_fields(path: Path) -> list[tuple[Any, ...]]:
    """The lines of a labels file without ``time`` and ``session`` (wall clock, random id)."""
    return [(e["event"], e["task"], e["worker"], e["label"], e["seconds"]) for e in events(path)]


def gold(items: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
    messages, batch = items["messages"], items["batch"]
    topic = pd.Series(messages["topic"].astype(str).to_numpy(), index=messages["id"].astype(str))
    digit = pd.Series(batch["target"].astype(int).to_numpy(), index=batch["id"].astype(str))
    return topic, digit


def test_the_notebook_defines_the_files_and_widgets_the_tool_uses(items: dict[str, Any]) -> None:
    assert (items["MESSAGES_FILE"], items["DIGITS_FILE"]) == (MESSAGES_FILE, DIGITS_FILE)
    assert items["WORKER"] == "me"
    assert callable(items["message_widget"]) and callable(items["digit_widget"])
    assert len(items["messages_to_label"]) >= items["MIN_ANSWERS"]
    assert len(items["digits_to_label"]) >= items["MIN_ANSWERS"]
    # the items shown to students do not carry the answers
    assert "topic" not in items["messages_to_label"].columns
    assert not {"target", "kind", "score"} & set(items["digits_to_label"].columns)


def test_prepare_writes_the_two_labels_files_and_nothing_else(prepared: Path) -> None:
    assert sorted(p.name for p in prepared.iterdir()) == sorted([MESSAGES_FILE, DIGITS_FILE])


def test_every_item_is_dealt_with_and_enough_are_answered(
    prepared: Path, items: dict[str, Any]
) -> None:
    for name, factory, frame, labels in [
        (MESSAGES_FILE, items["message_widget"], items["messages_to_label"], items["TOPICS"]),
        (DIGITS_FILE, items["digit_widget"], items["digits_to_label"], list(range(10))),
    ]:
        answers = read_answers(prepared / name)
        offered = set(frame["id"].astype(str))
        assert set(answers["task"]) <= offered
        assert answers["task"].is_unique
        assert items["MIN_ANSWERS"] <= len(answers) <= len(offered)
        assert set(answers["worker"]) == {"me"}
        assert set(answers["label"]) <= set(labels)
        # the notebook's own widget, on the same file, finds nothing left to do
        widget = factory(prepared)
        assert widget.done
        assert widget.answers()["task"].tolist() == answers["task"].tolist()
        widget.close()


def test_seconds_look_like_a_person(prepared: Path) -> None:
    texts = read_answers(prepared / MESSAGES_FILE)["seconds"]
    digits = read_answers(prepared / DIGITS_FILE)["seconds"]
    for seconds in (texts, digits):
        assert (seconds > 0).all()
        assert seconds.max() < 300
        assert seconds.nunique() > len(seconds) // 2  # times vary from item to item
    assert 5 <= texts.median() <= 12
    assert 1.5 <= digits.median() <= 5
    assert texts.median() > 2 * digits.median()  # reading a message takes longer


def test_mistakes_are_realistic(tmp_path: Path, items: dict[str, Any]) -> None:
    topic, digit = gold(items)
    batch = items["batch"].set_index("id")
    right_texts, right_clear, right_unclear = [], [], []
    for seed in range(4):
        folder = tmp_path / str(seed)
        folder.mkdir()
        simulated_student.prepare(LAB, folder, random_state=seed)
        texts = read_answers(folder / MESSAGES_FILE)
        right_texts += list(texts["label"].to_numpy() == topic.loc[texts["task"]].to_numpy())
        digits = read_answers(folder / DIGITS_FILE)
        right = digits["label"].to_numpy() == digit.loc[digits["task"]].to_numpy()
        unclear = (batch.loc[digits["task"], "kind"].astype(str) == "ambiguous").to_numpy()
        right_clear += list(right[~unclear])
        right_unclear += list(right[unclear])
    assert 0.82 <= np.mean(right_texts) <= 0.95  # right about 85-90 % of the time on texts
    assert np.mean(right_clear) >= 0.9
    assert np.mean(right_unclear) < np.mean(right_clear) - 0.1


def test_same_seed_same_answers_and_seconds(tmp_path: Path) -> None:
    runs = {}
    for name, seed in [("a", 7), ("b", 7), ("c", 8)]:
        (tmp_path / name).mkdir()
        simulated_student.prepare(LAB, tmp_path / name, random_state=seed)
        files = (MESSAGES_FILE, DIGITS_FILE)
        runs[name] = [without_clock_fields(tmp_path / name / f) for f in files]
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_a_student_who_stopped_early(tmp_path: Path, items: dict[str, Any]) -> None:
    simulated_student.prepare(LAB, tmp_path, n_items=30)
    for name in (MESSAGES_FILE, DIGITS_FILE):
        answers = read_answers(tmp_path / name)
        assert len(answers) == 30 < items["MIN_ANSWERS"]  # no skip: every item counts


def test_no_items_no_files(tmp_path: Path) -> None:
    simulated_student.prepare(LAB, tmp_path, n_items=0)
    assert list(tmp_path.iterdir()) == []


def test_resumes_like_the_widget_and_never_repeats(tmp_path: Path) -> None:
    simulated_student.prepare(LAB, tmp_path, n_items=20)
    simulated_student.prepare(LAB, tmp_path, random_state=1)
    for name, n_offered in [(MESSAGES_FILE, 50), (DIGITS_FILE, 60)]:
        lines = events(tmp_path / name)
        sessions = list(dict.fromkeys(e["session"] for e in lines))
        assert len(sessions) == 2  # the second run resumed the first one's file
        answers = read_answers(tmp_path / name)
        assert answers["task"].is_unique
        done = {e["task"] for e in lines if e["event"] in ("answer", "skip")}
        assert len(done) == n_offered
    before = {name: (tmp_path / name).read_bytes() for name in (MESSAGES_FILE, DIGITS_FILE)}
    simulated_student.prepare(LAB, tmp_path)  # everything is done: nothing to add
    assert {name: (tmp_path / name).read_bytes() for name in before} == before


def test_answers_go_through_the_widgets_key_presses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pressed: list[str] = []
    original = LabellingWidget.press

    def spy(self: LabellingWidget, key: str) -> Any:
        pressed.append(key)
        return original(self, key)

    monkeypatch.setattr(labelling.LabellingWidget, "press", spy)
    simulated_student.prepare(LAB, tmp_path)
    n_lines = sum(len(events(tmp_path / name)) for name in (MESSAGES_FILE, DIGITS_FILE))
    assert len(pressed) == n_lines  # every line of the files comes from one key press


def toy_widget(folder: Path, clock: simulated_student.FakeClock, n: int = 5) -> LabellingWidget:
    texts = pd.Series({f"m{i}": f"message {i}" for i in range(n)})
    return LabellingWidget(texts, ["yes", "no"], folder / "l.jsonl", clock=clock, autofocus=False)


def test_undo_then_answer_again_keeps_one_answer_per_item(tmp_path: Path) -> None:
    clock = simulated_student.FakeClock()
    widget = toy_widget(tmp_path, clock)
    always_undo = simulated_student.Behaviour(
        median_seconds=5,
        hard_median_seconds=8,
        spread=0.3,
        first_extra=0,
        warm_up=3,
        accuracy=1.0,
        hard_accuracy=1.0,
        skip=0.0,
        hard_skip=0.0,
        undo=1.0,
        pause=0.0,
    )
    truth = {f"m{i}": "yes" for i in range(5)}
    simulated_student.work_through(
        widget,
        truth,
        dict.fromkeys(truth, False),
        always_undo,
        clock,
        np.random.default_rng(0),
        lookalikes={},
    )
    kinds = [e["event"] for e in events(tmp_path / "l.jsonl")]
    assert kinds == ["answer", "undo", "answer"] * 5
    answers = widget.answers()
    assert answers["task"].tolist() == list(truth) and set(answers["label"]) == {"yes"}
    assert (answers["seconds"] > 0).all()


def test_skips_never_leave_too_few_answers(tmp_path: Path) -> None:
    clock = simulated_student.FakeClock()
    widget = toy_widget(tmp_path, clock, n=6)
    skips_all = simulated_student.Behaviour(
        median_seconds=5,
        hard_median_seconds=8,
        spread=0.3,
        first_extra=10,
        warm_up=3,
        accuracy=0.0,
        hard_accuracy=0.0,
        skip=1.0,
        hard_skip=1.0,
        undo=0.0,
        pause=0.0,
    )
    truth = {f"m{i}": "yes" for i in range(6)}
    simulated_student.work_through(
        widget,
        truth,
        dict.fromkeys(truth, True),
        skips_all,
        clock,
        np.random.default_rng(0),
        lookalikes={},
        min_answers=4,
    )
    assert widget.done
    assert widget.session.n_skipped == 2
    answers = widget.answers()
    assert len(answers) == 4 and set(answers["label"]) == {"no"}  # always wrong, as asked
    assert answers["seconds"].iloc[0] > 10  # the first item includes the extra reading time


@pytest.mark.parametrize("lab", simulated_student.lab_names())
def test_every_lab_is_accepted(lab: str, tmp_path: Path) -> None:
    simulated_student.prepare(lab, tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(simulated_student.HAND_MADE_FILES.get(lab, ()))


def test_unknown_lab_or_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown lab"):
        simulated_student.prepare("99-no-such-lab", tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        simulated_student.prepare(LAB, tmp_path / "missing")
    with pytest.raises(ValueError, match="n_items"):
        simulated_student.prepare(LAB, tmp_path, n_items=-1)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert simulated_student.main([LAB, str(tmp_path), "--seed", "3", "--items", "12"]) == 0
    assert "written" in capsys.readouterr().out
    assert len(read_answers(tmp_path / MESSAGES_FILE)) == 12
