"""What a `minutes` process loads when it starts: no thread pool and no module it never uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_product_starts_no_blas_threads_beside_its_workers():
    """numpy, imported by every index run and server worker for array arithmetic, starts no
    OpenBLAS thread pool (it burned ~0.1 s of CPU on the core the workers use)."""
    assert _run("import os, indexer.qa.sessions, numpy; print(len(os.listdir('/proc/self/task')))") == "1"


def test_an_index_command_does_not_load_the_web_client_modules_whoosh_names():
    """Whoosh's compat module names urllib.request (with http.client, ssl, email: ~45 ms at each
    command's start); the index never downloads anything, and a later import still gets the
    real module."""
    code = ("import sys, indexer.cli, indexer.pipeline, indexer.search.whoosh_engine, whoosh.compat; "
            "print(sorted(m for m in ('urllib.request', 'http.client', 'ssl') if m in sys.modules)); "
            "import urllib.request; print(callable(urllib.request.urlopen), urllib.request.__file__ is not None)")
    assert _run(code).splitlines() == ["[]", "True True"]
