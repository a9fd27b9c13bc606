"""The shipped stem memo (indexer/data/stems_fr.txt, scripts/make_stem_memo.py) changes no stem.

A cold process looks the stems of common words up instead of computing them; each entry must be
the stem `analysis.stem` computes, or an index built before would no longer match its queries.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from indexer import analysis
from indexer.qa import text as qa_text

ROOT = Path(__file__).resolve().parent.parent


def test_every_memo_entry_is_the_stem_computed_afresh() -> None:
    """After a change of the stemmer or of its rules, this fails until scripts/make_stem_memo.py is run."""
    memo = analysis.load_memo(analysis.MEMO_FILE)
    assert len(memo) > 20_000
    differ = {w: s for w, s in memo.items() if analysis.compute_stem(w) != s}
    assert differ == {}


def test_the_memo_has_the_words_of_minutes_lowercase_and_folded() -> None:
    """The index stems lowercase words, the Q&A folded tokens: both forms are in the memo."""
    memo = analysis.load_memo(analysis.MEMO_FILE)
    for word in ("délibérations", "deliberations", "élus", "elus", "conseil", "subventions", "collèges", "colleges"):
        assert memo[word] == analysis.compute_stem(word)
    assert memo["délibérations"] == memo["deliberations"] == "deliber"


def test_stems_with_the_memo_are_the_stems_without() -> None:
    """The index's terms and the Q&A's stems of the bundled session, in a process with the memo and in
    one without: the same."""
    code = (
        "import sys, json\n"
        "from indexer import analysis\n"
        "if sys.argv[1] == 'off': analysis._memo = {}\n"
        "from indexer.qa import text\n"
        "t = open(sys.argv[2], encoding='utf-8').read()\n"
        "print(json.dumps([analysis.analyze(t), [text.stem(w) for w in text.tokens(t)], len(analysis._memo)]))\n"
    )
    bundled = str(ROOT / "corpus" / "pas-de-calais-2025-09-22.txt")
    runs = {}
    for mode in ("on", "off"):
        out = subprocess.run([sys.executable, "-c", code, mode, bundled], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        runs[mode] = json.loads(out.stdout)
    terms, stems, memo_size = runs["on"]
    assert memo_size > 20_000 and runs["off"][2] == 0  # one process used the memo, the other not
    assert "deliber" in terms and len(terms) > 150_000
    assert terms == runs["off"][0]
    assert stems == runs["off"][1]


def test_a_missing_or_damaged_memo_only_means_computing(tmp_path: Path) -> None:
    damaged = tmp_path / "stems_fr.txt"
    damaged.write_text("elus elu\nconseil\n", encoding="utf-8")  # a line cut short
    assert analysis.load_memo(damaged) == {}
    damaged.write_text("elus elu\nconseil\ncommunes commun\n", encoding="utf-8")
    assert analysis.load_memo(damaged) == {}
    damaged.write_text("elus elu\nconseil conseil\ncommunes commun", encoding="utf-8")  # no last newline
    assert analysis.load_memo(damaged) == {}
    damaged.write_text("elus elu\nconseil conseil\n", encoding="utf-8")
    assert analysis.load_memo(damaged) == {"elus": "elu", "conseil": "conseil"}
    damaged.write_bytes(b"\xff\xfe\x00")
    assert analysis.load_memo(damaged) == {}
    assert analysis.load_memo(tmp_path / "absent.txt") == {}
    assert qa_text.stem("deliberations") == analysis.compute_stem("deliberations")[: qa_text.STEM_CHARS]


def test_the_memo_is_package_data() -> None:
    """An install (wheel or editable) carries indexer/data/stems_fr.txt: pyproject's package data names it."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["indexer"]
    relative = analysis.MEMO_FILE.relative_to(ROOT / "indexer").as_posix()
    assert any(fnmatch.fnmatch(relative, p) for p in patterns)
    assert analysis.MEMO_FILE.is_file()
