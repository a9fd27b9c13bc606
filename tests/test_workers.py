"""`minutes serve --workers N`: N processes share the socket and the index; one that dies is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_starvation import ROOT, Server

pytestmark = pytest.mark.slow


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(x) for x in path.read_text().split()} if path.exists() else set()


def _wait_for(predicate, seconds: float = 30.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _rss_mb(pid: int) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_workers_share_the_site_and_a_dead_one_is_replaced(search_home: Path) -> None:
    server = Server(search_home, "--workers", "3")
    try:
        assert _wait_for(lambda: len(_children(server.proc.pid)) == 3), _children(server.proc.pid)
        first = _children(server.proc.pid)
        # the supervisor serves nothing: it does not keep the app it loaded for the workers in memory
        assert _wait_for(lambda: _rss_mb(server.proc.pid) < 30), _rss_mb(server.proc.pid)
        assert all(_rss_mb(pid) > 2 * _rss_mb(server.proc.pid) for pid in first)
        for _ in range(12):  # every request is answered, whichever process takes it
            _, status, body = server.get("/recherche?q=budget")
            assert status == 200 and b"budget" in body.lower()
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        assert _wait_for(lambda: len(_children(server.proc.pid)) == 3 and victim not in _children(server.proc.pid))
        for _ in range(6):
            assert server.get("/elus")[1] == 200
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(20) == 0
        assert not any(Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
                       for pid in _children(server.proc.pid) | first - {victim})
    finally:
        stderr = server.close()
    assert "Traceback" not in stderr and "3 processus" in stderr


@pytest.mark.parametrize("value", ["0", "-2", "1000"])
def test_a_bad_number_of_workers_is_one_french_line(search_home: Path, value: str) -> None:
    minutes = ROOT / ".venv" / "bin" / "minutes"
    cmd = [str(minutes)] if minutes.exists() else [sys.executable, "-m", "indexer"]
    run = subprocess.run([*cmd, "serve", "--workers", value, "--port", "1"], capture_output=True, text=True,
                         env={**os.environ, "MINUTES_HOME": str(search_home)}, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "--workers" in run.stderr and "processus" in run.stderr and len(run.stderr.strip().splitlines()) == 1
