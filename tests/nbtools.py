"""Helpers the notebook tests share: reading nbgrader cells, executing, building submissions."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
GRADING = ROOT / "grading"
LABS = ROOT / "labs"
sys.path.insert(0, str(GRADING / "tools"))

import make_labs  # noqa: E402
from simulated_student import prepare  # noqa: E402, F401  (a student's hand work: labels)

LAB_NAMES = make_labs.lab_names()

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def meta(cell: NotebookNode) -> Mapping[str, object]:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell: NotebookNode) -> bool:
    return bool(meta(cell).get("solution"))


def is_test(cell: NotebookNode) -> bool:
    m = meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.cell_type == "code"


def grade_id(cell: NotebookNode) -> str:
    return str(meta(cell).get("grade_id", ""))


def points(nb: NotebookNode) -> dict[str, float]:
    """Points of every graded cell (tests and manually graded answers) by grade_id."""
    return {grade_id(c): float(meta(c)["points"]) for c in nb.cells if meta(c).get("grade")}


def region(source: str, markers: tuple[str, str]) -> list[str]:
    """The lines strictly inside every ``markers`` region of ``source``."""
    out, inside = [], False
    for line in source.splitlines():
        if markers[0] in line:
            inside = True
        elif markers[1] in line:
            inside = False
        elif inside:
            out.append(line)
    return out


def without_markers(source: str) -> str:
    """The instructor's answer as a student would type it: marker lines removed."""
    marks = (*SOLUTION, *HIDDEN)
    return "\n".join(line for line in source.splitlines() if not any(m in line for m in marks))


def outside_regions(source: str) -> str:
    """The lines of ``source`` outside every solution and hidden-test region."""
    out, inside = [], False
    for line in source.splitlines():
        if any(m in line for m in (SOLUTION[0], HIDDEN[0])):
            inside = True
        elif any(m in line for m in (SOLUTION[1], HIDDEN[1])):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def secret_lines(
    source_nb: NotebookNode,
    min_len: int = 14,
    markers: tuple[tuple[str, str], ...] = (SOLUTION, HIDDEN),
) -> set[str]:
    """Distinctive lines of solutions and hidden tests: none may reach a student.

    A line the instructor notebook also shows outside those regions (in an instruction, or a
    read-only cell that redoes a step for everyone) is public, not a secret.
    """
    public = " ".join(" ".join(outside_regions(c.source) for c in source_nb.cells).split())
    lines: set[str] = set()
    for cell in source_nb.cells:
        for line in [x for m in markers for x in region(cell.source, m)]:
            text = " ".join(line.split())
            if len(text) >= min_len and not text.startswith("#") and text not in public:
                lines.add(text)
    return lines


def visible_text(document: str) -> str:
    """Text of an HTML or notebook document with tags removed and whitespace folded."""
    text = html.unescape(re.sub(r"<[^>]+>", "", document))
    return " ".join(text.split())


def document_text(path: Path) -> str:
    """What a person reading ``path`` sees: cell sources for a notebook, text otherwise."""
    if path.suffix == ".ipynb":
        nb = read(path)
        parts = [c.source for c in nb.cells]
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                parts += [str(v) for v in out.get("data", {}).values()]
                parts += [str(out.get("text", "")), *map(str, out.get("traceback", []))]
        return "\n".join(parts)
    if path.suffix in {".html", ".htm"}:
        return visible_text(path.read_text(encoding="utf-8"))
    return path.read_text(encoding="utf-8")


def leaks(text: str, secrets: Iterable[str]) -> list[str]:
    folded = " ".join(text.split())
    found = [s for s in secrets if s in folded]
    found += [m for m in (*SOLUTION, *HIDDEN, "BEGIN MARK SCHEME") if m in text]
    return found


def execute(nb: NotebookNode, workdir: Path, allow_errors: bool = False) -> NotebookNode:
    """Run a notebook top to bottom in ``workdir`` with the python3 kernel."""
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return nb


def errors(cell: NotebookNode) -> list[NotebookNode]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def fill(
    release: NotebookNode,
    source: NotebookNode,
    answered: Iterable[str],
    overrides: Mapping[str, str] | None = None,
) -> NotebookNode:
    """A submission: the release with the instructor's answers in ``answered`` cells.

    ``overrides`` maps a grade_id to the exact text the "student" typed instead.
    """
    answers = {grade_id(c): without_markers(c.source) for c in source.cells if is_answer(c)}
    wanted, overrides = set(answered), dict(overrides or {})
    unknown = (wanted | set(overrides)) - set(answers)
    if unknown:
        raise KeyError(f"no answer cells with grade_id {sorted(unknown)}")
    sub = nbformat.from_dict(release)
    for cell in sub.cells:
        gid = grade_id(cell)
        if gid in overrides:
            cell.source = overrides[gid]
        elif gid in wanted:
            cell.source = answers[gid]
    return sub
