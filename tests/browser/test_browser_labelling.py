"""The labelling widget in a real JupyterLab, in Debian's Chromium (issue #5).

What a student does, with the mouse and with the keyboard only: the widget renders, labels are
given, skip and undo work, the labels file holds exactly what was done, and a page reload or a
kernel restart resumes where the student stopped. A screenshot of each widget is saved in
``tests/artifacts/``. The same checks run on every release notebook that shows a labelling
widget (Lab 2), generated from ``grading/source`` by nbgrader.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from a11y import assert_no_serious, run_axe
from harness import ROOT, LabellingView, LabServer, NotebookPage, OpenNotebook, read_events
from widgets import TOPICS, events_of, image_widget_cells, labelling_cells, text_widget_cells

from hiddenwork import datasets
from hiddenwork.labelling import read_answers

pytestmark = pytest.mark.xdist_group("browser")

sys.path.insert(0, str(ROOT / "grading" / "tools"))
import make_labs  # noqa: E402

MESSAGES = datasets.load("helpdesk").head(8)
IDS = MESSAGES["id"].tolist()
TEXTS = MESSAGES["text"].tolist()

# The same student session, done with the mouse or with the keys: (action, expected event).
# Labels by index in TOPICS; the key of TOPICS[i] is str(i + 1).
SESSION: list[tuple[str, tuple[str, Any, Any]]] = [
    ("label 0", ("answer", IDS[0], TOPICS[0])),
    ("label 3", ("answer", IDS[1], TOPICS[3])),
    ("skip", ("skip", IDS[2], None)),
    ("undo", ("undo", IDS[2], None)),  # the skipped item comes back
    ("label 6", ("answer", IDS[2], TOPICS[6])),
    ("undo", ("undo", IDS[2], TOPICS[6])),
    ("undo", ("undo", IDS[1], TOPICS[3])),  # back to item 2
    ("label 1", ("answer", IDS[1], TOPICS[1])),
]
# Item shown (index) after each step of SESSION.
SHOWN_AFTER = [1, 2, 3, 2, 3, 2, 1, 2]
IN_EFFECT = [(IDS[0], TOPICS[0]), (IDS[1], TOPICS[1])]


def key_of(action: str) -> str:
    if action.startswith("label "):
        return str(int(action.split()[1]) + 1)
    return {"skip": "s", "undo": "u"}[action]


def control_of(widget: LabellingView, action: str) -> Any:
    if action.startswith("label "):
        return widget.label_button(int(action.split()[1]))
    return widget.part(f"hw-{action}")


def assert_shows(widget: LabellingView, index: int, total: int = len(IDS)) -> None:
    assert widget.position == f"Item {index + 1} of {total}"
    assert widget.text == TEXTS[index]
    assert widget.state == "ready"


def assert_file(path: Path, expected: list[tuple[str, Any, Any]], sessions: int = 1) -> None:
    """The labels file holds exactly the expected events, each once, all well formed."""
    lines = read_events(path)
    assert events_of(lines) == expected
    assert all(line["worker"] == "me" for line in lines)
    assert all(isinstance(line["seconds"], float | int) and line["seconds"] >= 0 for line in lines)
    assert len({line["session"] for line in lines}) == sessions


def cell_types(notebook: NotebookPage) -> list[str]:
    return list(
        notebook.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.model.type)"
        )
    )


# --------------------------------------------------------------------------------------------
# A notebook the test writes itself
# --------------------------------------------------------------------------------------------


def test_mouse_labels_skip_undo_and_the_file(
    open_notebook: OpenNotebook, lab_server: LabServer
) -> None:
    notebook = open_notebook(text_widget_cells())
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]

    assert_shows(widget, 0)
    assert widget.status.startswith("Ready. Each answer is saved at once in labels.jsonl")
    assert widget.part("hw-undo").is_disabled()  # nothing to undo yet
    assert [widget.label_button(i).text_content() for i in range(len(TOPICS))] == [
        f"{i + 1} {topic}" for i, topic in enumerate(TOPICS)
    ]
    widget.screenshot("labelling-text-widget")

    for step, (action, _) in enumerate(SESSION):
        widget.click(control_of(widget, action))
        assert_shows(widget, SHOWN_AFTER[step])
    assert widget.part("hw-progress").get_attribute("value") == "2"
    assert widget.status.startswith(f"Saved “{TOPICS[1]}” for item 2")

    assert_file(folder / "labels.jsonl", [event for _, event in SESSION])
    answers = read_answers(folder / "labels.jsonl")
    assert list(zip(answers["task"], answers["label"], strict=True)) == IN_EFFECT
    # The kernel's widget agrees with the file.
    assert notebook.kernel_json(
        "json.dumps(widget.answers()[['task', 'label']].values.tolist())", "import json"
    ) == [list(pair) for pair in IN_EFFECT]


def test_keyboard_only(open_notebook: OpenNotebook, lab_server: LabServer) -> None:
    notebook = open_notebook(text_widget_cells())
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]
    page = notebook.page
    # Run both cells from the keyboard, as a student does (Shift+Enter in command mode).
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")
    notebook.wait_kernel()
    page.keyboard.press("Shift+Enter")
    widget = LabellingView(notebook).wait_shown()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.dataset.testid === 'hw-labelling'"
    )  # the widget takes the focus when it first appears
    cells = notebook.cell_sources()  # Shift+Enter on the last cell added an empty one
    assert cells[-1] == "" and cell_types(notebook) == ["code"] * 3

    for step, (action, _) in enumerate(SESSION):
        widget.press(key_of(action))
        assert_shows(widget, SHOWN_AFTER[step])
    assert_file(folder / "labels.jsonl", [event for _, event in SESSION])

    # Shift+Tab leaves the widget, Tab comes back to it; then Tab walks its enabled buttons.
    page.keyboard.press("Shift+Tab")
    assert not widget.focus_inside()
    page.keyboard.press("Tab")
    assert widget.focused_testid() == "hw-labelling"
    order = []
    for _ in range(len(TOPICS) + 2):
        page.keyboard.press("Tab")
        order.append(widget.focused_testid())
    assert order == [f"hw-label-{i}" for i in range(len(TOPICS))] + ["hw-skip", "hw-undo"]

    # Enter and Space press the focused button; the label keys still work from a button.
    widget.press("Enter")  # Undo has the focus: the answer to item 2 is undone
    assert_shows(widget, 1)
    page.keyboard.press("Shift+Tab")  # Skip
    assert widget.focused_testid() == "hw-skip"
    widget.press("Space")
    assert_shows(widget, 2)
    widget.press("5")
    assert_shows(widget, 3)
    expected = [event for _, event in SESSION] + [
        ("undo", IDS[1], TOPICS[1]),
        ("skip", IDS[1], None),
        ("answer", IDS[2], TOPICS[4]),
    ]
    assert_file(folder / "labels.jsonl", expected)
    # No key reached JupyterLab: "1" would have turned the cell into a heading, "s"/"u" others.
    assert cell_types(notebook) == ["code"] * 3
    assert notebook.cell_sources() == cells


def test_other_keys_do_nothing_in_the_widget(
    open_notebook: OpenNotebook, lab_server: LabServer
) -> None:
    """Keys that are not the widget's neither answer nor act on the notebook.

    In JupyterLab's command mode x cuts a cell, m makes it Markdown, d d deletes it, b and a
    add cells, Enter enters edit mode and the arrows move to another cell: none of that may
    happen while the focus is in the widget, and the widget keeps the focus.
    """
    notebook = open_notebook(text_widget_cells())
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    cells = notebook.cell_sources()
    widget.root.focus()
    token = widget.token
    stray = ["9", "x", "m", "d", "d", "a", "b", "y", "Shift+M", "Enter", "ArrowUp", "ArrowDown"]
    for key in stray:
        notebook.page.keyboard.press(key)
    assert widget.focus_inside()
    widget.press("1")  # the next real answer goes through, after the ignored keys
    assert widget.token == token + 1
    assert_file(folder / "labels.jsonl", [("answer", IDS[0], TOPICS[0])])
    assert cell_types(notebook) == ["code", "code"]
    assert notebook.cell_sources() == cells
    # Shortcuts with Ctrl are still JupyterLab's: Ctrl+S saves the notebook from the widget.
    notebook.page.keyboard.press("Control+s")
    notebook.page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty"
    )
    assert widget.focus_inside()


def test_page_reload_resumes(open_notebook: OpenNotebook, lab_server: LabServer) -> None:
    notebook = open_notebook(text_widget_cells())
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    widget.press("1")
    widget.press("2")
    notebook.save()
    token = widget.token

    notebook.reload()  # the kernel lives on: the widget is drawn again from it
    widget = LabellingView(notebook).wait_shown()
    assert_shows(widget, 2)
    assert widget.token == token
    expected = [("answer", IDS[0], TOPICS[0]), ("answer", IDS[1], TOPICS[1])]
    assert_file(folder / "labels.jsonl", expected)  # nothing added by the reload

    widget.click(widget.label_button(2))  # the redrawn widget works
    assert_shows(widget, 3)
    widget.press("u")
    assert_shows(widget, 2)
    expected += [("answer", IDS[2], TOPICS[2]), ("undo", IDS[2], TOPICS[2])]
    assert_file(folder / "labels.jsonl", expected)

    # Running the cell again (a new widget on the same file) also resumes at the same item.
    notebook.run_cell(1)
    widget = LabellingView(notebook).wait_shown()
    assert widget.page.get_by_test_id("hw-labelling").count() == 1
    assert_shows(widget, 2)
    assert widget.status.startswith("Resumed from labels.jsonl: 2 of 8 items already done.")
    assert_file(folder / "labels.jsonl", expected)


def test_kernel_restart_resumes(open_notebook: OpenNotebook, lab_server: LabServer) -> None:
    notebook = open_notebook(text_widget_cells())
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    widget.press("1")
    widget.press("s")
    widget.press("3")
    before = [
        ("answer", IDS[0], TOPICS[0]),
        ("skip", IDS[1], None),
        ("answer", IDS[2], TOPICS[2]),
    ]
    assert_file(folder / "labels.jsonl", before)

    old_kernel = notebook.wait_kernel()
    assert notebook.restart_kernel() == old_kernel  # same kernel id, a new process
    assert notebook.kernel_eval("'widget' in globals()") == "False"
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    assert_shows(widget, 3)
    assert widget.status.startswith("Resumed from labels.jsonl: 3 of 8 items already done.")

    widget.press("u")  # undo reaches back before the restart
    assert_shows(widget, 2)
    widget.click(widget.label_button(5))
    assert_shows(widget, 3)
    after = [("undo", IDS[2], TOPICS[2]), ("answer", IDS[2], TOPICS[5])]
    assert_file(folder / "labels.jsonl", before + after, sessions=2)
    answers = read_answers(folder / "labels.jsonl")
    assert list(zip(answers["task"], answers["label"], strict=True)) == [
        (IDS[0], TOPICS[0]),
        (IDS[2], TOPICS[5]),
    ]


def test_image_widget(open_notebook: OpenNotebook, lab_server: LabServer) -> None:
    notebook = open_notebook(image_widget_cells())
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]
    digits = datasets.load("digits-batch").head(6)
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    image = widget.part("hw-item-image")
    assert image.is_visible()
    assert image.get_attribute("alt") == "Image to label, item 1 of 6"
    size = image.evaluate("(img) => [img.naturalWidth, img.naturalHeight, img.width]")
    assert size == [8, 8, 224]
    assert widget.label_button(7).text_content() == "7 7"  # the digit is its own key
    widget.screenshot("labelling-image-widget")

    src = image.get_attribute("src")
    widget.press("7")
    assert image.get_attribute("alt") == "Image to label, item 2 of 6"
    assert image.get_attribute("src") != src
    widget.click(widget.label_button(0))
    widget.press("s")
    widget.press("u")
    widget.press("Shift+4")  # on AZERTY the digit row needs Shift: it still means 4
    ids = digits["id"].tolist()
    assert_file(
        folder / "digits.jsonl",
        [
            ("answer", ids[0], 7),
            ("answer", ids[1], 0),
            ("skip", ids[2], None),
            ("undo", ids[2], None),
            ("answer", ids[2], 4),
        ],
    )


def test_finishing_and_the_done_state(open_notebook: OpenNotebook, lab_server: LabServer) -> None:
    notebook = open_notebook(text_widget_cells(n=3))
    folder = lab_server.root / notebook.notebook.rsplit("/", 1)[0]
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    for key in ["1", "2", "s"]:
        widget.press(key)
    assert widget.state == "finished"
    assert widget.position == "All 3 items done"
    assert widget.part("hw-message").text_content() == (
        "All items are done. Your answers are saved in labels.jsonl."
    )
    assert all(widget.label_button(i).is_disabled() for i in range(len(TOPICS)))
    assert widget.part("hw-skip").is_disabled()
    assert widget.focus_inside()  # the focus is not lost when the buttons are disabled
    widget.press("3", changes=False)  # nothing left to answer: no event
    widget.screenshot("labelling-text-widget-finished")
    widget.press("u")
    assert widget.state == "ready"
    assert_file(
        folder / "labels.jsonl",
        [
            ("answer", IDS[0], TOPICS[0]),
            ("answer", IDS[1], TOPICS[1]),
            ("skip", IDS[2], None),
            ("undo", IDS[2], None),
        ],
    )


# --------------------------------------------------------------------------------------------
# The release notebooks (what students open)
# --------------------------------------------------------------------------------------------


def _labs_with_widgets() -> list[str]:
    found = []
    for lab in make_labs.lab_names():
        for path in sorted((make_labs.GRADING / "source" / lab).glob("*.ipynb")):
            if labelling_cells(nbformat.read(path, as_version=4)):
                found.append(f"{lab}/{path.name}")
    return found


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory, browser_available: None) -> Path:
    """Every lab's student version, generated by nbgrader in a temporary copy of the course."""
    return make_labs.generate_releases(tmp_path_factory.mktemp("releases"))


def _widget_facts(notebook: NotebookPage) -> list[dict[str, Any]]:
    """For each labelling widget on the page, in page order: its facts, from the kernel."""
    model_ids = notebook.page.evaluate(
        """() => {
          const cells = window.jupyterapp.shell.currentWidget.content.widgets;
          const ids = [];
          for (const cell of cells) {
            if (cell.model.type !== 'code') continue;
            for (const out of cell.model.outputs.toJSON()) {
              const view = out.data && out.data['application/vnd.jupyter.widget-view+json'];
              if (view) ids.push(view.model_id);
            }
          }
          return ids;
        }"""
    )
    facts = notebook.kernel_json(
        "json.dumps(_hw_facts)",
        "import gc, json\n"
        "from hiddenwork.labelling import LabellingWidget as _HwW\n"
        "_hw_facts = {w.model_id: {'path': str(w.path.resolve()), 'tasks': list(w.tasks),"
        " 'labels': list(w.labels), 'position': w.session.position, 'worker': w.worker,"
        " 'keys': {str(k): v for k, v in w.session.label_keys.items()}}"
        " for w in gc.get_objects() if isinstance(w, _HwW) and w.session.closed_reason is None}",
    )
    return [facts[mid] for mid in model_ids if mid in facts]


@pytest.mark.parametrize("lab_notebook", _labs_with_widgets())
def test_release_notebook_widgets(
    lab_notebook: str, releases: Path, open_notebook: OpenNotebook, lab_server: LabServer
) -> None:
    """Each labelling widget of a student notebook works, and resumes after reload and restart.

    The notebook's code cells run in order up to the last one that shows a labelling widget,
    as a student runs them (no answer cell may be needed before it). Each widget passes the
    accessibility checker, then gets a click, a key, a skip and an undo, and its labels file
    must hold exactly those events.
    A page reload shows every widget at the same item; after a kernel restart, running the
    cells again resumes each widget at that item too, and the files gain nothing.
    """
    lab, name = lab_notebook.split("/")
    folder = f"release-{lab}"
    shutil.copytree(releases / lab, lab_server.root / folder)
    for stale in (lab_server.root / folder).glob("*.jsonl"):
        stale.unlink()
    shown_by = labelling_cells(nbformat.read(lab_server.root / folder / name, as_version=4))
    notebook = open_notebook(None, folder=folder, name=name)
    notebook.run_cells(stop=shown_by[-1] + 1)

    facts = _widget_facts(notebook)
    assert len(facts) == len(shown_by), "each widget cell shows one working widget"
    files = {}
    for index, fact in enumerate(facts):
        widget = LabellingView(notebook, index).wait_shown()
        widget.root.scroll_into_view_if_needed()
        widget.screenshot(f"release-{lab}-widget-{index}")
        assert_no_serious(f"release-{lab}-widget-{index}", run_axe(notebook, widget.root))
        tasks, labels, start = fact["tasks"], fact["labels"], fact["position"]
        assert len(tasks) - start >= 3, "the widget needs three items left for this test"
        widget.click(widget.label_button(0))  # the mouse, then the keys
        widget.press(fact["keys"][str(labels[1])])
        widget.press("s")
        widget.press("u")
        path = Path(fact["path"])
        expected = [
            ("answer", tasks[start], labels[0]),
            ("answer", tasks[start + 1], labels[1]),
            ("skip", tasks[start + 2], None),
            ("undo", tasks[start + 2], None),
        ]
        assert events_of(read_events(path)) == expected
        assert {line["worker"] for line in read_events(path)} == {fact["worker"]}
        files[path] = (read_events(path), widget.position, widget.token)
    assert len(files) == len(facts), "each widget writes its own file"

    notebook.save()
    notebook.reload()  # the same widgets, drawn again from the live kernel
    for index, (path, (lines, position, token)) in enumerate(files.items()):
        widget = LabellingView(notebook, index).wait_shown()
        assert (widget.position, widget.token) == (position, token)
        assert read_events(path) == lines

    notebook.restart_kernel()
    notebook.run_cells(stop=shown_by[-1] + 1)
    assert notebook.page.get_by_test_id(LabellingView.TESTID).count() == len(files)
    for index, (path, (lines, position, _)) in enumerate(files.items()):
        widget = LabellingView(notebook, index).wait_shown()
        assert widget.position == position
        assert widget.status.startswith(f"Resumed from {path.name}: 2 of ")
        assert read_events(path) == lines
    assert not [line for line in notebook.console if line.startswith("pageerror")]


def test_the_release_helper_finds_widgets() -> None:
    """The parametrisation above is not blind: it finds the cells that show a widget."""
    cells = [
        "x = 1",
        *text_widget_cells(),  # an import cell, then `widget = ...; widget`
        "def make(path):\n    return LabellingWidget(['a'], ['x', 'y'], path)",
        "make('a.jsonl')",  # a function of the notebook that makes one (as in Lab 2)
        "w = make('b.jsonl')\nw.done",  # made but not shown
        "%matplotlib inline\ndisplay(make('c.jsonl'))",
        "LabellingWidget.for_texts(messages, TOPICS, 'd.jsonl', task_column='id')",
        "print('LabellingWidget')",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("LabellingWidget(...) in prose does not count")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    assert labelling_cells(nb) == [3, 5, 7, 8]
