"""Benchmark: how long the labelling widget takes, in a real browser, to show the next item.

The seconds the widget records are the lab's data about human work: if the interface is slow,
the lab measures the software instead of the person (issue #5). This starts JupyterLab and
Debian's Chromium with the browser tests' harness (``tests/browser/harness.py``), shows a
labelling widget, gives it answers one after the other, and measures in the page, with
``performance.now()``:

dom
    from the key press (or click) event to the next item in the page (``data-token`` changed):
    the browser -> kernel -> browser round trip plus the widget's work on both sides;
painted
    to the first frame after that, when the new item is on screen.

Beside it, the time the kernel spent handling each answer (the widget's message handler:
check the key, append and fsync the line, build the new view, send it), and the kernel's
peak memory. Goal (issue #5): a median under 150 ms.

Usage::

    .venv/bin/python benchmarks/widget.py                   # 100 answers, texts and images
    .venv/bin/python benchmarks/widget.py --answers 30 --kind text --input click

Needs the dev dependencies (playwright) and ``/usr/bin/chromium`` (``apt-get install
chromium``). Figures depend on the machine: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402
from widgets import image_widget_cells, text_widget_cells  # noqa: E402

GOAL_MS = 150.0

# Put in the kernel after the widget is shown: time its message handler.
TIMED_HANDLER = """
import json, resource, time
_hw_handler = widget._on_front_end_message
_hw_seconds = []
def _hw_timed(w, content, buffers, _handle=_hw_handler):
    start = time.perf_counter()
    _handle(w, content, buffers)
    _hw_seconds.append(time.perf_counter() - start)
widget.on_msg(_hw_handler, remove=True)
widget.on_msg(_hw_timed)
"""
KERNEL_FIGURES = (
    "json.dumps({'handler_ms': [1000 * s for s in _hw_seconds], "
    "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
    "'events': len(widget.events())})"
)


# For comparison only (--nodelay): jupyter_server's kernel websocket leaves Nagle's algorithm on,
# so a reply made of several small messages waits for the browser's delayed ACK (40 ms on
# Linux). This server config turns it off, as tornado's WebSocketHandler.set_nodelay allows.
NODELAY_CONFIG = """
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler as _Handler
_open = _Handler.open
def _open_nodelay(self, *args, **kwargs):
    self.set_nodelay(True)
    return _open(self, *args, **kwargs)
_Handler.open = _open_nodelay
"""


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), by linear interpolation between order statistics."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run(browser: Any, server: harness.LabServer, kind: str, how: str, answers: int) -> dict:
    """Give ``answers`` answers to a fresh widget; returns the measured samples."""
    name = f"{kind}-{how}"
    cells = (
        text_widget_cells(n=answers + 1, path=f"{name}.jsonl")
        if kind == "text"
        else image_widget_cells(n=min(answers + 1, 60), path=f"{name}.jsonl")
    )
    harness.write_notebook(server.root / f"{name}.ipynb", cells)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        notebook = harness.NotebookPage(server, context.new_page(), f"{name}.ipynb").open()
        notebook.run_cells()
        widget = harness.LabellingView(notebook).wait_shown()
        notebook.kernel_eval("1", TIMED_HANDLER)
        notebook.page.evaluate(harness.LATENCY_PROBE)
        widget.root.focus()
        n_labels = 7 if kind == "text" else 10
        for i in range(answers):
            if widget.state == "finished":  # 60 digit images ship with the kit: when all are
                widget.press("u")  # done, undo takes the last one back to answer it again
                notebook.page.evaluate("() => { window.__hwLatency.samples.pop(); }")
            key = str(i % n_labels + (1 if kind == "text" else 0))
            if how == "key":
                widget.press(key)
            else:
                widget.click(widget.label_button(i % n_labels))
            notebook.page.wait_for_function(
                "() => { const s = window.__hwLatency.samples; "
                "return s.length && s[s.length - 1].painted !== null; }"
            )
        samples = notebook.page.evaluate("() => window.__hwLatency.samples")
        figures = notebook.kernel_json(KERNEL_FIGURES)
    finally:
        context.close()
        for session in server.api("GET", "/api/sessions"):  # its kernel: memory for the next
            if session.get("path") == f"{name}.ipynb":
                server.api("DELETE", f"/api/sessions/{session['id']}")
    return {"name": name, "samples": samples, **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=100, help="answers per run (100)")
    parser.add_argument("--kind", nargs="+", default=["text", "image"], choices=["text", "image"])
    parser.add_argument("--input", nargs="+", default=["key"], choices=["key", "click"])
    parser.add_argument(
        "--nodelay",
        action="store_true",
        help="for comparison: a server whose kernel websocket sets TCP_NODELAY",
    )
    args = parser.parse_args()
    reason = harness.unavailable_reason()
    if reason is not None:
        sys.exit(f"cannot run the widget benchmark: {reason}")

    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hw-bench-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        (Path(tmp) / "user").mkdir()
        os.environ["HOME"] = str(Path(tmp) / "user")  # playwright's driver: not the real home
        if args.nodelay:
            (Path(tmp) / "home" / "config").mkdir(parents=True)
            (Path(tmp) / "home" / "config" / "jupyter_server_config.py").write_text(NODELAY_CONFIG)
        with (
            harness.LabServer(root, home=Path(tmp) / "home") as server,
            harness.launch_chromium() as browser,
        ):
            for kind in args.kind:
                for how in args.input:
                    results.append(run(browser, server, kind, how, args.answers))

    server_kind = "TCP_NODELAY patched in" if args.nodelay else "as shipped"
    print(
        f"Labelling widget in JupyterLab (server {server_kind}) + Chromium (headless), "
        f"{args.answers} answers per row"
    )
    print("time from the answer (key/click event) to the next item, measured in the page (ms)")
    header = (
        f"{'run':<12} {'n':>4} {'DOM median':>11} {'DOM p95':>8} {'painted med':>12} "
        f"{'painted p95':>12} {'max':>7} {'kernel med':>11} {'kernel p95':>11} {'kernel MB':>10}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for result in results:
        dom = [s["dom"] for s in result["samples"]]
        painted = [s["painted"] for s in result["samples"]]
        handler = result["handler_ms"]
        print(
            f"{result['name']:<12} {len(dom):>4} {statistics.median(dom):>11.1f} "
            f"{percentile(dom, 95):>8.1f} {statistics.median(painted):>12.1f} "
            f"{percentile(painted, 95):>12.1f} {max(painted):>7.1f} "
            f"{statistics.median(handler):>11.2f} {percentile(handler, 95):>11.2f} "
            f"{result['peak_mb']:>10.0f}"
        )
        verdicts.append(statistics.median(painted) < GOAL_MS)
    print(
        f"\nGoal (issue #5): median under {GOAL_MS:.0f} ms from answer to next item painted: "
        + ("met" if all(verdicts) else "NOT met")
        + f". Total time {time.perf_counter() - started:.0f} s."
    )
    print("kernel med/p95: the widget's Python message handler alone (file write + fsync incl.).")


if __name__ == "__main__":
    main()
