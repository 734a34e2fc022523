"""Accessibility of the kit's widgets and figures (issue #5).

In the browser (JupyterLab in Debian's Chromium): the axe-core checker (the copy bundled by the
``axe-playwright-python`` package, run offline) finds no serious or critical violation in the
labelling widget, in the light and the dark theme, in its normal, finished and error states;
every control has an accessible name and a visible focus indicator with enough contrast. The
whole notebook page is checked too, for information only (JupyterLab's own markup is not the
kit's): its report goes to ``tests/artifacts/``.

Without a browser: every colour a plot helper of :mod:`hiddenwork.plots` draws with comes from
the Okabe-Ito palette (or is a neutral grey), and the colours one figure shows together stay
distinct for the three common colour-vision deficiencies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from a11y import FAILING_IMPACTS, assert_no_serious, run_axe, save_report
from harness import ARTIFACTS, LabellingView, NotebookPage, OpenNotebook
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgba
from widgets import TOPICS, image_widget_cells, text_widget_cells

from hiddenwork import plots

in_browser = pytest.mark.xdist_group("browser")


@pytest.fixture
def dark_theme_restored(open_notebook: OpenNotebook) -> Iterator[list[NotebookPage]]:
    """Pages whose theme a test changed: the light theme is set back after the test.

    The theme is a user setting kept by the server, so it would outlive the test. (This
    fixture needs ``open_notebook`` so that it is torn down first, while the pages are open.)
    """
    pages: list[NotebookPage] = []
    yield pages
    for notebook in pages:
        set_theme(notebook, "JupyterLab Light")


def set_theme(notebook: NotebookPage, theme: str) -> None:
    notebook.command("apputils:change-theme", {"theme": theme})
    light = "true" if "Light" in theme else "false"
    notebook.page.wait_for_function(
        f"() => document.body.dataset.jpThemeLight === '{light}' && "
        f"document.body.dataset.jpThemeName === '{theme}'"
    )
    notebook.page.wait_for_timeout(300)  # the theme's stylesheet is applied


# --------------------------------------------------------------------------------------------
# Colours of the page
# --------------------------------------------------------------------------------------------


def parse_rgb(css: str) -> tuple[float, float, float, float]:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as floats 0-1 (alpha last)."""
    numbers = [float(x) for x in re.findall(r"[\d.]+", css)]
    if len(numbers) == 3:
        numbers.append(1.0)
    r, g, b, a = numbers[:4]
    return r / 255, g / 255, b / 255, a


def luminance(rgb: tuple[float, ...]) -> float:
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The WCAG contrast ratio of two opaque colours."""
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_STYLE_JS = """(el) => {
  const s = getComputedStyle(el);
  let node = el, background = 'rgba(0, 0, 0, 0)';
  while (node && node.nodeType === 1) {  // the first opaque background around the control
    const b = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(b) && b !== 'transparent') { background = b; break; }
    node = node.parentElement;
  }
  const outer = el.closest('.hw-lab') ? el.closest('.hw-lab').parentElement : document.body;
  return {outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
          outlineColor: s.outlineColor, boxShadow: s.boxShadow, background,
          around: getComputedStyle(outer).backgroundColor};
}"""


def check_focus_ring(widget: LabellingView) -> list[str]:
    """Tab through the widget; returns the focused controls, checking each one's focus ring.

    A control shows a focus indicator only when focused (outline or box shadow), at least
    2 CSS pixels thick, with a 3:1 contrast against the background around it (WCAG 2.2
    1.4.11 and 2.4.7).
    """
    page = widget.page
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert widget.focused_testid() == "hw-labelling"
    seen = []
    while widget.focus_inside():
        focused = page.evaluate_handle("() => document.activeElement").as_element()
        assert focused is not None
        testid = focused.get_attribute("data-testid")
        style = focused.evaluate(FOCUS_STYLE_JS)
        assert style["outlineStyle"] != "none" or style["boxShadow"] != "none", testid
        assert style["outlineWidth"] >= 2, f"{testid}: focus outline {style['outline']}"
        ring = parse_rgb(style["outlineColor"])
        assert ring[3] == 1.0, f"{testid}: the focus ring is not opaque"
        for background in {style["background"], style["around"]}:
            ratio = contrast(ring, parse_rgb(background))
            assert ratio >= 3, f"{testid}: focus ring contrast {ratio:.2f} on {background}"
        seen.append(testid)
        page.keyboard.press("Tab")
        if testid in seen[:-1]:
            break
    # Without the focus, the same controls show no ring.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for testid in seen:
        style = widget.root.page.get_by_test_id(testid).first.evaluate(FOCUS_STYLE_JS)
        assert style["outlineStyle"] == "none" and style["boxShadow"] == "none", testid
    return seen


BOUNDARY_JS = """(root) => {
  const around = getComputedStyle(root).backgroundColor;
  return [...root.querySelectorAll('button:not(:disabled)')].map((b) => {
    const s = getComputedStyle(b);
    return {testid: b.dataset.testid, border: s.borderTopColor, width: parseFloat(s.borderTopWidth),
            background: s.backgroundColor, around};
  });
}"""


def over(top: tuple[float, float, float, float], below: tuple[float, ...]) -> tuple[float, ...]:
    """``top`` (with its alpha) composited over the opaque ``below``."""
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], below[:3], strict=True))


def check_boundaries(widget: LabellingView) -> int:
    """Every enabled button stands out from the widget (WCAG 1.4.11, 3:1); returns how many.

    A button shows its extent by its border or by its background: one of them needs a 3:1
    contrast against the widget's background.
    """
    buttons = widget.root.evaluate(BOUNDARY_JS)
    for button in buttons:
        around = parse_rgb(button["around"])
        background = over(parse_rgb(button["background"]), around)
        border = over(parse_rgb(button["border"]), background)
        ratios = [contrast(background, around)]
        if button["width"] >= 1:
            ratios.append(contrast(border, around))
        assert max(ratios) >= 3, f"{button['testid']} blends in: {button}, ratios {ratios}"
    return len(buttons)


# --------------------------------------------------------------------------------------------
# The labelling widget
# --------------------------------------------------------------------------------------------


@in_browser
def test_labelling_widget_passes_axe_light_and_dark(
    open_notebook: OpenNotebook, dark_theme_restored: list[NotebookPage]
) -> None:
    notebook = open_notebook(text_widget_cells(n=3))
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    results = run_axe(notebook, widget.root)
    # axe really looked at the widget: these rules ran on it and found it fine.
    assert {"color-contrast", "button-name", "aria-allowed-attr"} <= {
        rule["id"] for rule in results["passes"]
    }
    assert_no_serious("labelling-text-light", results)
    assert check_boundaries(widget) == len(TOPICS) + 1  # Undo is disabled
    save_report("notebook-page-light", run_axe(notebook))  # for information only

    widget.press("1")
    widget.press("2")
    widget.press("s")  # finished: message shown, buttons disabled
    assert widget.state == "finished"
    assert_no_serious("labelling-text-finished", run_axe(notebook, widget.root))

    dark_theme_restored.append(notebook)
    set_theme(notebook, "JupyterLab Dark")
    widget.root.focus()  # the theme change may move the focus (as the menu would)
    widget.press("u")
    assert_no_serious("labelling-text-dark", run_axe(notebook, widget.root))
    assert check_boundaries(widget) == len(TOPICS) + 2
    widget.screenshot("labelling-text-widget-dark")
    assert check_focus_ring(widget)


@in_browser
def test_axe_is_not_blind(open_notebook: OpenNotebook) -> None:
    """A nameless button and grey-on-white text put into the widget are reported as serious."""
    notebook = open_notebook(text_widget_cells(n=2))
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    widget.root.evaluate(
        """(root) => {
          const b = document.createElement('button');
          b.setAttribute('data-testid', 'planted');
          const p = document.createElement('p');
          p.textContent = 'faint text';
          p.style.color = '#c8c8c8';
          root.append(b, p);
        }"""
    )
    found = {v["id"]: v["impact"] for v in run_axe(notebook, widget.root)["violations"]}
    assert found.get("button-name") in FAILING_IMPACTS
    assert found.get("color-contrast") in FAILING_IMPACTS


@in_browser
def test_image_widget_passes_axe(open_notebook: OpenNotebook) -> None:
    notebook = open_notebook(image_widget_cells(n=3))
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    assert_no_serious("labelling-image-light", run_axe(notebook, widget.root))
    names = widget.root.get_by_role("button")
    assert names.count() == 12
    for digit in range(10):
        assert widget.root.get_by_role("button", name=f"{digit} {digit}", exact=True).count() == 1


@in_browser
def test_names_roles_and_focus(open_notebook: OpenNotebook) -> None:
    notebook = open_notebook(text_widget_cells(n=3, title="Topic of each message"))
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    root = widget.root
    page = notebook.page
    # The widget is a named group, described by its help text; the parts have their roles.
    assert page.get_by_role("group", name="Topic of each message", exact=True).count() == 1
    described = root.evaluate(
        "(r) => document.getElementById(r.getAttribute('aria-describedby')).textContent"
    )
    assert described.startswith("Keys: 1 to 7 choose a label")
    assert root.get_by_role("group", name="Labels", exact=True).count() == 1
    assert root.get_by_role("progressbar", name="Items done", exact=True).count() == 1
    status = root.get_by_role("status")
    assert status.count() == 1 and status.get_attribute("aria-live") == "polite"
    # Every button has a name that says its key and its label, and announces the shortcut.
    for i, topic in enumerate(TOPICS):
        button = root.get_by_role("button", name=f"{i + 1} {topic}", exact=True)
        assert button.count() == 1
        assert button.get_attribute("aria-keyshortcuts") == str(i + 1)
    for name, key in [("s Skip", "s"), ("u Undo", "u")]:
        button = root.get_by_role("button", name=name, exact=True)
        assert button.count() == 1 and button.get_attribute("aria-keyshortcuts") == key
    (ARTIFACTS / "labelling-aria-snapshot.yml").write_text(root.aria_snapshot(), encoding="utf-8")

    # The focus is visible on the widget and on every control reached with Tab.
    widget.press("1")  # Undo is enabled: every control is reachable
    seen = check_focus_ring(widget)
    assert seen == ["hw-labelling", *[f"hw-label-{i}" for i in range(7)], "hw-skip", "hw-undo"]


@in_browser
def test_an_answer_that_cannot_be_saved_is_shown_and_not_counted(
    open_notebook: OpenNotebook, lab_server: Any
) -> None:
    """A real write error (the labels file turned into a folder): said loudly, item kept."""
    notebook = open_notebook(text_widget_cells(n=3))
    notebook.run_cells()
    widget = LabellingView(notebook).wait_shown()
    widget.press("1")
    notebook.kernel_eval(
        "1",
        "import os\n_p = widget.path\nos.rename(_p, str(_p) + '.moved')\nos.mkdir(_p)",
    )
    try:
        widget.press("2", changes=False)
        assert widget.status.startswith("NOT SAVED:")
        assert widget.position == "Item 2 of 3"  # not counted: the same item is still shown
        assert_no_serious("labelling-text-error", run_axe(notebook, widget.root))
        widget.screenshot("labelling-text-widget-error")
    finally:
        notebook.kernel_eval("1", "os.rmdir(_p)\nos.rename(str(_p) + '.moved', _p)")
    widget.press("2")
    assert widget.position == "Item 3 of 3"


# --------------------------------------------------------------------------------------------
# Plot colours (no browser)
# --------------------------------------------------------------------------------------------

PALETTE = {colour.lower() for colour in plots.OKABE_ITO.values()}

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", IEEE TVCG 15(6): matrices for full (severity 1.0) dichromacy, on linear RGB.
DICHROMACY = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
MIN_DELTA_E = 10.0  # CIE76; about 2.3 is just noticeable, 10 is plainly another colour


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = (xyz @ np.clip(linear_rgb, 0, 1)) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_as(colour: str, vision: str) -> np.ndarray:
    """The CIELAB colour a person with ``vision`` (or "normal") sees for ``colour``."""
    linear = _linear(np.array(to_rgba(colour)[:3]))
    if vision != "normal":
        linear = DICHROMACY[vision] @ linear
    return _lab(linear)


def closest_pair(colours: set[str], vision: str) -> tuple[float, str, str]:
    ordered = sorted(colours)
    return min(
        (float(np.linalg.norm(seen_as(a, vision) - seen_as(b, vision))), a, b)
        for i, a in enumerate(ordered)
        for b in ordered[i + 1 :]
    )


def is_neutral(colour: str) -> bool:
    """White, black or a grey (grids, edges): no hue to confuse."""
    r, g, b, _ = to_rgba(colour)
    return max(r, g, b) - min(r, g, b) < 0.02


def drawn_colours(ax: Axes) -> set[str]:
    """The hex colours of the data marks of a figure: lines, bars, line collections."""
    colours: set[str] = set()
    for axes in ax.figure.axes:
        for line in axes.get_lines():
            colours.add(to_hex(line.get_color()))
        for patch in axes.patches:
            colours.add(to_hex(patch.get_facecolor()))
        for collection in axes.collections:
            colours.update(to_hex(c) for c in collection.get_edgecolor())
            colours.update(to_hex(c) for c in collection.get_facecolor())
    return colours


def _accuracy_figure() -> Axes:
    methods = [f"method {i}" for i in range(7)]  # as many as the palette's series colours
    rows = [
        {"method": m, "redundancy": r, "accuracy": 0.6 + 0.04 * r + 0.01 * i + 0.01 * rep}
        for i, m in enumerate(methods)
        for r in (1, 3, 5)
        for rep in (0, 1)  # repeated runs: range bars are drawn too
    ]
    return plots.accuracy_vs_redundancy(pd.DataFrame(rows).assign(cost=lambda d: d.redundancy))


def _wage_figure() -> Axes:
    from hiddenwork.pay import ReferenceWage

    refs = [
        ReferenceWage(f"reference {i}", 2.0 + i, "USD", 2020, "2020-01-01", "a test")
        for i in range(4)
    ]
    return plots.wage_histogram(pd.Series(np.linspace(1, 9, 40)), refs, currency="USD")


FIGURES: dict[str, Callable[[], Axes]] = {
    "accuracy_vs_redundancy": _accuracy_figure,
    "wage_histogram": _wage_figure,
}


def test_every_plot_helper_is_checked() -> None:
    helpers = {name for name in plots.__all__ if callable(getattr(plots, name)) and name.islower()}
    assert helpers == set(FIGURES), "add the new plot helper to FIGURES"


@pytest.mark.parametrize("helper", sorted(FIGURES))
def test_plot_colours_are_colour_blind_safe(helper: str) -> None:
    import matplotlib.pyplot as plt

    ax = FIGURES[helper]()
    try:
        colours = drawn_colours(ax)
        hues = {c for c in colours if not is_neutral(c)}
        assert hues, "the figure draws no coloured mark"
        assert hues <= PALETTE, f"colours outside the Okabe-Ito palette: {hues - PALETTE}"
        for vision in ["normal", *DICHROMACY]:
            distance, a, b = closest_pair(hues | {"#ffffff"}, vision)
            assert distance >= MIN_DELTA_E, f"{a} and {b} look alike with {vision}: {distance:.1f}"
    finally:
        plt.close(ax.figure)


def test_lines_differ_by_more_than_colour() -> None:
    """Each method's line has its own marker and dash: readable in greyscale too."""
    import matplotlib.pyplot as plt

    ax = _accuracy_figure()
    try:
        lines = [line for line in ax.get_lines() if line.get_label().startswith("method")]
        styles = {(line.get_marker(), line.get_linestyle()) for line in lines}
        assert len(lines) == 7 and len(styles) == 7
    finally:
        plt.close(ax.figure)


def test_the_colour_check_catches_a_bad_palette() -> None:
    """The distinctness check is not blind: red and green fail it for deuteranopia."""
    distance, _, _ = closest_pair({"#d62728", "#2ca02c"}, "deuteranopia")
    assert distance < MIN_DELTA_E
    assert closest_pair({"#d62728", "#2ca02c"}, "normal")[0] > MIN_DELTA_E
