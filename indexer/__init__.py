"""Minutes of council sessions: sources → parse → record → index → search, answers, timelines."""

import os as _os
import sys as _sys

# numpy serves array arithmetic here, never linear algebra: OpenBLAS's thread pool, started when
# numpy is imported, only burns ~0.1 s of CPU on another core in each process that imports it (an
# index run, each server worker), beside the workers that need that core
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class _RunWithoutUrllib:
    """The loader of whoosh.compat, run against a stand-in urllib.request: the module imports
    urllib.request (with http.client, ssl and email: ~45 ms at each start of a command) for
    `urlretrieve`, which nothing here calls.  The stand-in's `urlretrieve` imports the real module
    when called, and the stand-in leaves `sys.modules` at once: a later import gets the real one."""

    def __init__(self, loader) -> None:  # noqa: ANN001
        self._loader = loader

    def __getattr__(self, name: str):  # noqa: ANN204 - get_source, is_package … of the real loader
        return getattr(self._loader, name)

    def create_module(self, spec):  # noqa: ANN001, ANN201
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:  # noqa: ANN001
        if "urllib.request" in _sys.modules:
            self._loader.exec_module(module)
            return
        import types

        def urlretrieve(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            import importlib

            return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)

        stand_in = types.ModuleType("urllib.request")
        stand_in.urlretrieve = urlretrieve
        _sys.modules["urllib.request"] = stand_in
        try:
            self._loader.exec_module(module)
        finally:
            if _sys.modules.get("urllib.request") is stand_in:
                del _sys.modules["urllib.request"]


class _WhooshCompatFinder:
    """Finds whoosh.compat, when a module first imports Whoosh, and gives it `_RunWithoutUrllib`."""

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001, ANN201
        if name != "whoosh.compat":
            return None
        if self in _sys.meta_path:
            _sys.meta_path.remove(self)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _RunWithoutUrllib(spec.loader)
        return spec


if "whoosh.compat" not in _sys.modules:
    _sys.meta_path.insert(0, _WhooshCompatFinder())
