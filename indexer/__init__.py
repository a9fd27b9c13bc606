"""Minutes of council sessions: sources → parse → record → index → search, answers, timelines."""

import os as _os
import sys as _sys

# numpy serves array arithmetic here, never linear algebra: OpenBLAS's thread pool, started when
# numpy is imported, only burns ~0.1 s of CPU on another core in each process that imports it (an
# index run, each server worker), beside the workers that need that core
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _whoosh_compat_without_urllib() -> None:
    """Whoosh's compat module imports urllib.request (with http.client, ssl and email: ~45 ms at
    each start of a command) for `urlretrieve`, which nothing here calls.  It is imported against
    a stand-in whose `urlretrieve` imports the real module when called; the stand-in leaves
    `sys.modules` at once, so that any later import gets the real module."""
    if "urllib.request" in _sys.modules or "whoosh.compat" in _sys.modules:
        return
    import types

    def urlretrieve(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        import importlib

        return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)

    stand_in = types.ModuleType("urllib.request")
    stand_in.urlretrieve = urlretrieve
    _sys.modules["urllib.request"] = stand_in
    try:
        import whoosh.compat  # noqa: F401
    except ImportError:  # no Whoosh: the commands that need it say so
        pass
    finally:
        if _sys.modules.get("urllib.request") is stand_in:
            del _sys.modules["urllib.request"]


_whoosh_compat_without_urllib()
