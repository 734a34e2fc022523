"""Notebook cells and expected files shared by the browser tests and ``benchmarks/widget.py``.

Each student-facing widget gets here the cells that display it on small real data, and the
test modules drive it through its view class in :mod:`harness`.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

import nbformat

TOPICS = ["housing", "benefits", "health", "employment", "family", "paperwork", "other"]


def text_widget_cells(n: int = 8, path: str = "labels.jsonl", **options: Any) -> list[str]:
    """Cells that show a labelling widget on the first ``n`` help-desk messages.

    The widget is bound to ``widget``; the messages are ``messages`` (columns ``id``, ``text``).
    """
    extra = "".join(f", {key}={value!r}" for key, value in options.items())
    return [
        "from hiddenwork import datasets\n"
        "from hiddenwork.labelling import LabellingWidget\n"
        f"messages = datasets.load('helpdesk').head({n})[['id', 'text']]\n"
        f"TOPICS = {TOPICS!r}",
        f"widget = LabellingWidget.for_texts(messages, TOPICS, {path!r}, task_column='id'{extra})\n"
        "widget",
    ]


def image_widget_cells(n: int = 6, path: str = "digits.jsonl") -> list[str]:
    """Cells that show a labelling widget on the first ``n`` digit images (labels 0-9)."""
    return [
        "from hiddenwork import datasets\n"
        "from hiddenwork.labelling import LabellingWidget\n"
        f"digits = datasets.load('digits-batch').head({n})",
        f"widget = LabellingWidget.for_images(digits, range(10), {path!r}, "
        "pixel_columns='pixel_', task_column='id', title='Which digit is it?')\n"
        "widget",
    ]


def _parse(source: str) -> ast.Module | None:
    """A code cell's syntax tree (IPython magics and shell lines blanked), or ``None``."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def labelling_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the code cells of a notebook that show a labelling widget.

    A cell shows one when its last statement is an expression (or a ``display(...)``) that
    makes a widget: ``LabellingWidget(...)``, ``LabellingWidget.for_texts(...)``, a call to a
    function of the notebook whose body uses ``LabellingWidget`` (Lab 2's
    ``message_widget()``), or a name the cell bound to one of those.
    """
    trees = {
        i: tree
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (tree := _parse(cell.source)) is not None
    }
    makers = {"LabellingWidget"}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(sub, ast.Name) and sub.id == "LabellingWidget" for sub in ast.walk(node)
            ):
                makers.add(node.name)

    def makes(node: ast.expr, bound: set[str]) -> bool:
        if isinstance(node, ast.Name):
            return node.id in bound
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        while isinstance(func, ast.Attribute):
            func = func.value
        if isinstance(func, ast.Name) and func.id == "display":
            return any(makes(arg, bound) for arg in node.args)
        return isinstance(func, ast.Name) and func.id in makers

    found = []
    for i, tree in trees.items():
        bound: set[str] = set()
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and makes(statement.value, bound):
                bound.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and makes(last.value, bound):
            found.append(i)
    return found


def events_of(lines: Sequence[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    """``(event, task, label)`` of each line of a labels file."""
    return [(line["event"], line["task"], line.get("label")) for line in lines]
