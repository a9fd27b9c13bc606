"""Configuration from environment variables, with defaults that work from a checkout."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
#: threads of the web server that `minutes serve` runs (waitress)
SERVER_THREADS = 16

#: set by the `minutes` command for a command that ends its process without tearing down its
#: objects (`cli.run`): a run may then leave its largest structures to the end of the process
#: rather than free them one by one on its way (the postings of an index segment: 0.11 s after
#: the 78 Pierrefonds sessions)
ENDS_BY_EXIT = False


def minutes_home() -> Path:
    """Where the index, the parsed records and the extraction cache live ($MINUTES_HOME, default ./var)."""
    return Path(os.environ.get("MINUTES_HOME", "var")).resolve()


def index_dir() -> Path:
    return minutes_home() / "index"


def cache_dir() -> Path:
    return minutes_home() / "cache"


def workers() -> int:
    """Processes used for PDF extraction ($MINUTES_WORKERS, default: all cores)."""
    value = os.environ.get("MINUTES_WORKERS")
    if value and value.isdigit() and int(value) > 0:
        return int(value)
    return os.cpu_count() or 1
