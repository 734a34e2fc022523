"""The whole nbgrader path, as an instructor runs it, with exact expected scores.

In a temporary copy of the course: ``generate_assignment``; four submissions (the full
solution, the untouched release, a half-right one, and a correct one whose answer cell
raises after defining the answer), each with the files a student makes by hand in the lab
(labels given through the labelling widgets' callback API, see
``grading/tools/simulated_student.py``); ``autograde``; a grader's manual marks entered through
nbgrader's gradebook API; ``generate_feedback``; ``export``.

What the kit does with an answer cell that raises at top level after defining a correct
answer: it follows nbgrader, which runs every cell with errors allowed and scores only the
test cells. The exercise gets its points because its tests pass; the error is not hidden:
it appears in the student's feedback under that cell. (Students see the same error when they
run the notebook, and nbgrader's Validate button reports it before they submit.)
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbtools import (
    GRADING,
    HIDDEN,
    SOLUTION,
    document_text,
    errors,
    fill,
    grade_id,
    is_answer,
    leaks,
    make_labs,
    points,
    prepare,
    read,
    secret_lines,
    without_markers,
)


@dataclass(frozen=True)
class Scenario:
    """The submissions of one lab and the exact scores they must get."""

    half_answered: tuple[str, ...]
    half_overrides: dict[str, str]
    raising_cell: str
    manual_marks: dict[str, float]  # given by "the grader" to the solution student
    expected_auto: dict[str, float]  # per student, autograded points
    expected_half_cells: dict[str, float]  # per grade_id, for the half-right student
    max_score: float


def _solution_of(lab: str, gid: str) -> str:
    source = read(GRADING / "source" / lab / f"{lab}.ipynb")
    return next(without_markers(c.source) for c in source.cells if grade_id(c) == gid)


LAB1 = "01-train-a-classifier"
LAB2 = "02-the-trainer"

SCENARIOS: dict[str, Scenario] = {
    # Lab 1: 7 exercises (30 points) + 2 reflections (8 points). Each test depends only on its
    # own answer cell. "half" answers 1, 3 and 5 right, and splits with the wrong seed in
    # exercise 2, which passes the visible checks and fails the hidden ones.
    LAB1: Scenario(
        half_answered=("ex1-answer", "ex3-answer", "ex5-answer"),
        half_overrides={
            "ex2-answer": _solution_of(LAB1, "ex2-answer").replace(
                "random_state=0", "random_state=1"
            )
        },
        raising_cell="ex4-answer",
        manual_marks={"reflection-1": 3.0, "reflection-2": 4.0},
        expected_auto={"solution": 30.0, "untouched": 0.0, "half": 13.0, "raises": 30.0},
        expected_half_cells={
            "ex1-tests": 4.0,
            "ex2-tests": 0.0,
            "ex3-tests": 4.0,
            "ex4-tests": 0.0,
            "ex5-tests": 5.0,
            "ex6-tests": 0.0,
            "ex7-tests": 0.0,
            "reflection-1": 0.0,
            "reflection-2": 0.0,
        },
        max_score=38.0,
    ),
    # Lab 2: 8 exercises (30 points) + 2 reflections (10 points). Exercises 1 and 8 also need
    # at least 40 labels in the widget files, which every simulated student gives. "half"
    # answers 1, 3, 6 and 7 right, and its spammer finder uses <= instead of <, which passes
    # the visible check and fails a hidden one.
    LAB2: Scenario(
        half_answered=("ex1-answer", "ex3-answer", "ex6-answer", "ex7-answer"),
        half_overrides={
            "ex5-answer": "def find_spammers(skills, threshold):\n"
            "    return sorted(skills[skills <= threshold].index)\n\n\n"
            "suspects = find_spammers(ds_skills, SPAM_THRESHOLD)\n"
            'print("Suspected spammers:", suspects)'
        },
        raising_cell="ex6-answer",
        manual_marks={"reflection-1": 4.0, "reflection-2": 3.0},
        expected_auto={"solution": 30.0, "untouched": 0.0, "half": 16.0, "raises": 30.0},
        expected_half_cells={
            "ex1-tests": 3.0,
            "ex2-tests": 0.0,
            "ex3-tests": 5.0,
            "ex4-tests": 0.0,
            "ex5-tests": 0.0,
            "ex6-tests": 3.0,
            "ex7-tests": 5.0,
            "ex8-tests": 0.0,
            "reflection-1": 0.0,
            "reflection-2": 0.0,
        },
        max_score=40.0,
    ),
}

STUDENTS = ("solution", "untouched", "half", "raises")


def _all_answers(source: nbformat.NotebookNode) -> list[str]:
    return [grade_id(c) for c in source.cells if is_answer(c)]


@dataclass
class Course:
    lab: str
    root: Path
    source: nbformat.NotebookNode
    scenario: Scenario
    grades: dict[str, dict[str, str]]


def _run_course(lab: str, scenario: Scenario, tmp: Path) -> Course:
    course = make_labs.copy_course(tmp / "course")
    env = make_labs.sandbox_env(tmp / "home")
    make_labs.nbgrader(["generate_assignment", lab, "--force"], course, env)
    release = read(course / "release" / lab / f"{lab}.ipynb")
    source = read(course / "source" / lab / f"{lab}.ipynb")
    answers = _all_answers(source)
    raising = {
        scenario.raising_cell: next(
            c.source
            for c in fill(release, source, answers).cells
            if grade_id(c) == scenario.raising_cell
        )
        + '\nraise RuntimeError("a stray error after the answer")'
    }
    submissions = {
        "solution": fill(release, source, answers),
        "untouched": release,
        "half": fill(release, source, scenario.half_answered, scenario.half_overrides),
        "raises": fill(release, source, answers, raising),
    }
    for seed, (student, nb) in enumerate(submissions.items()):
        folder = course / "submitted" / student / lab
        shutil.copytree(course / "release" / lab, folder)
        prepare(lab, folder, random_state=seed)  # each student labelled in the widgets
        nbformat.write(nb, folder / f"{lab}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC\n")
    make_labs.nbgrader(["autograde", lab, "--force"], course, env)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for gid, mark in scenario.manual_marks.items():
            grade = gb.find_grade(gid, lab, lab, "solution")
            grade.manual_score = mark
        gb.db.commit()
    make_labs.nbgrader(["generate_feedback", lab, "--force"], course, env)
    make_labs.nbgrader(["export"], course, env)
    with open(course / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == lab}
    return Course(lab, course, source, scenario, rows)


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def course(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Course:
    lab = request.param
    return _run_course(lab, SCENARIOS[lab], tmp_path_factory.mktemp(lab))


pytestmark = pytest.mark.xdist_group("roundtrip")


def test_every_lab_has_a_round_trip_scenario() -> None:
    assert sorted(SCENARIOS) == make_labs.lab_names()


def test_max_score_matches_the_notebook(course: Course) -> None:
    assert sum(points(course.source).values()) == course.scenario.max_score
    for student in STUDENTS:
        assert float(course.grades[student]["max_score"]) == course.scenario.max_score


def test_exact_scores(course: Course) -> None:
    manual = sum(course.scenario.manual_marks.values())
    for student in STUDENTS:
        expected = course.scenario.expected_auto[student] + (manual if student == "solution" else 0)
        got = float(course.grades[student]["score"])
        assert got == expected, f"{course.lab}: {student} scored {got}, expected {expected}"


def test_half_right_submission_scores_cell_by_cell(course: Course) -> None:
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(course.lab, course.lab, "half")
        got = {g.name: g.auto_score for g in sub.grades if g.auto_score is not None}
    assert got == course.scenario.expected_half_cells


def _feedback(course: Course, student: str) -> Path:
    return course.root / "feedback" / student / course.lab / f"{course.lab}.html"


def test_an_answer_cell_that_raises_keeps_its_points_and_shows_the_error(course: Course) -> None:
    autograded = read(course.root / "autograded" / "raises" / course.lab / f"{course.lab}.ipynb")
    cell = next(c for c in autograded.cells if grade_id(c) == course.scenario.raising_cell)
    assert [e["ename"] for e in errors(cell)] == ["RuntimeError"]
    assert "a stray error after the answer" in document_text(_feedback(course, "raises"))
    solution_score = float(course.grades["solution"]["score"])
    manual = sum(course.scenario.manual_marks.values())
    assert float(course.grades["raises"]["score"]) == solution_score - manual


def test_feedback_reveals_no_hidden_test_and_no_solution(course: Course) -> None:
    hidden = secret_lines(course.source, markers=(HIDDEN,))
    everything = secret_lines(course.source, markers=(SOLUTION, HIDDEN))
    for student in STUDENTS:
        text = document_text(_feedback(course, student))
        secrets = everything if student == "untouched" else hidden
        found = leaks(text, secrets)
        assert not found, f"{course.lab}: feedback of {student} leaks {found[:3]}"
