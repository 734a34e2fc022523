"""`make lab`, the README's first command, starts JupyterLab on labs/ at a localhost URL."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(request: urllib.request.Request, until: float) -> str:
    """The body of ``request``, retrying while the server is still binding its port."""
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return str(response.read().decode())
        except urllib.error.URLError:
            if time.monotonic() > until:
                raise
            time.sleep(0.5)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_labs_on_localhost() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        url, seen, deadline = None, [], time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            match = re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=\w+)", line)
            url = match.group(1) if match else None
        assert url, "make lab printed no localhost URL:\n" + "".join(seen[-60:])
        token = url.split("token=")[1]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents?type=directory",
            headers={"Authorization": f"token {token}"},
        )
        listing = _get(request, until=time.monotonic() + 60)
        # The server's root is labs/: the first lab is at its top level.
        assert '"01-train-a-classifier"' in listing
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
