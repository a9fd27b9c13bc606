"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def search_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MINUTES_HOME holding the index of the bundled corpus, built once per test session."""
    from indexer.index import index_paths

    home = tmp_path_factory.mktemp("search-home")
    summary = index_paths([CORPUS], home=home)
    assert not summary.errors, summary.errors
    return home
