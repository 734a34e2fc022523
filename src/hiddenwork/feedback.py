"""Feedback that teaches without giving the hidden tests away.

nbgrader builds a student's feedback from the *autograded* notebook, in which every test
cell has been restored to the instructor's version, hidden tests included. Left alone, the
feedback HTML would show the hidden tests, and a failed hidden ``assert`` would quote its own
line in the traceback. :class:`HideHiddenTests` is an nbgrader preprocessor for
``GenerateFeedback`` that removes the hidden region from each test cell and, in those cells
only, replaces the outputs with a one-line summary of the error (for example
``AssertionError: Hint: count every image``), keeping the hint but not the code.

It is enabled in ``grading/nbgrader_config.py``::

    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]

Examples
--------
>>> from nbformat.v4 import new_code_cell, new_output
>>> cell = new_code_cell(
...     "assert f(1) == 2\\n### BEGIN HIDDEN TESTS\\nassert f(5) == 10\\n### END HIDDEN TESTS",
...     metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t1",
...                            "points": 1, "locked": True, "schema_version": 3}},
... )
>>> cell.outputs = [new_output("error", ename="AssertionError", evalue="",
...                            traceback=["assert f(5) == 10 <- the hidden line"])]
>>> cell, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
>>> cell.source
'assert f(1) == 2'
>>> cell.outputs[0]["traceback"]
['AssertionError: a test did not pass (the details of hidden tests are not shown)']
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests

__all__ = ["HideHiddenTests"]

_NO_DETAIL = "a test did not pass (the details of hidden tests are not shown)"


def _summary(output: NotebookNode) -> NotebookNode:
    ename = str(output.get("ename", "Error"))
    evalue = str(output.get("evalue", "")).strip() or _NO_DETAIL
    line = f"{ename}: {evalue}"
    return NotebookNode(
        {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [line]}
    )


class HideHiddenTests(ClearHiddenTests):
    """Remove hidden tests, and what their failures would reveal, from feedback.

    A cell that held a hidden-test region keeps only the summary line of each error it
    raised; its other outputs (which a hidden test could have printed) are dropped. Cells
    without hidden tests are left exactly as they were.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: Any, cell_index: int
    ) -> tuple[NotebookNode, Any]:
        """Strip the hidden region of one cell and summarise its errors."""
        removed = self._remove_hidden_test_region(cell)
        if removed and cell.get("cell_type") == "code":
            cell.outputs = [
                _summary(out)
                for out in cell.get("outputs", [])
                if out.get("output_type") == "error"
            ]
        return cell, resources
