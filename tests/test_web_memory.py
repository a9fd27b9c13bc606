"""A server process's memory after use stays bounded: what questions and pages keep once they are
answered is held by bounded caches, not by whatever the last requests happened to read."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from indexer.benchgen import write_text_session
from indexer.index import index_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def three_sessions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled session and two copies of it under other dates, in one index."""
    tmp = tmp_path_factory.mktemp("three-sessions")
    texts = [write_text_session(tmp / "texts", name=f"cd62-{y}-06-30.txt") for y in (2031, 2032)]
    texts[1].write_text(texts[1].read_text(encoding="utf-8").replace("30 JUIN 2031", "30 JUIN 2032"), encoding="utf-8")
    home = tmp / "home"
    summary = index_paths([ROOT / "corpus", *texts], home=home)
    assert not summary.errors, summary.errors
    return home


def test_questions_keep_only_the_budget_of_sessions_in_memory(three_sessions: Path, monkeypatch) -> None:
    """Every question here reads all three sessions; once answered, the process keeps only what the
    knowledge budget allows (one session), not the merged knowledge of the last questions' sessions."""
    import indexer.answer as answer_mod
    import indexer.qa.store as store

    alive: list[weakref.ref] = []
    real = store.load_knowledge

    def tracked(home, sid, key):  # noqa: ANN001, ANN202
        rk = real(home, sid, key)
        alive.append(weakref.ref(rk))
        return rk

    sessions = answer_mod._sessions(three_sessions)
    assert len(sessions) == 3
    one = len(real(three_sessions, sessions[0][1], sessions[0][2]).sentences)
    monkeypatch.setattr(store, "load_knowledge", tracked)
    monkeypatch.setattr(answer_mod, "_record_knowledge", answer_mod.KnowledgeCache(budget=one + 2))
    answer_mod._merged.cache_clear()
    for question in ("À quelle heure la séance a-t-elle été suspendue ?", "Qui a présidé la séance ?"):
        assert answer_mod.ask(question, home=three_sessions).found, question
    gc.collect()
    assert len(alive) >= 3  # each session was read
    assert sum(ref() is not None for ref in alive) == 1
    assert answer_mod.ask("Qui a présidé la séance ?", home=three_sessions).found  # still answers
