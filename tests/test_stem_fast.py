"""The fast Snowball French (`indexer.snowball_fr`) stems every word as NLTK's does.

Its steps look suffixes up by the word's last two letters, find the regions by regular
expressions and skip work that cannot change the word: a word of every ending each step knows,
built on random stems, must still get NLTK's stem (an index built before must stay valid).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from indexer.analysis import fold
from indexer.snowball_fr import FrenchStemmer

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
LETTERS = "aeiouyéèêëàâîïôûùüÿçœbcdfghjlmnpqrstvxz"


def _suffixes() -> list[str]:
    """Every suffix of every step, lowercase (the stemmer's own markers I, U, Y come from the word)."""
    names = ("step1", "step2a", "step2b", "step4")
    found = {s.lower() for n in names for s in getattr(FrenchStemmer, f"_FrenchStemmer__{n}_suffixes")}
    # endings that the steps test after a suffix is removed (step 1's "iv", "abil", step 5's doubles …)
    return sorted(found | {"iv", "at", "ic", "eus", "abl", "iqu", "ièr", "abil", "gu", "enn", "onn", "ett",
                           "ell", "eill", "qu", "ay", "oy", "ui", "s", "x"})


def _words() -> list[str]:
    rnd = random.Random(11)
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    words = {w.lower() for w in re.findall(r"\w+", text)}
    words |= {fold(w) for w in words} | {w[:-1] for w in words if w[-1:] in ("s", "x")}
    words |= {"".join(rnd.choice(LETTERS) for _ in range(rnd.randint(0, 14))) for _ in range(20000)}
    sufs = _suffixes()
    for _ in range(40000):
        head = "".join(rnd.choice(LETTERS) for _ in range(rnd.randint(0, 5)))
        words.add(head + "".join(rnd.choice(sufs) for _ in range(rnd.randint(1, 3))))
    return sorted(words)


def test_every_step_stems_as_nltk_snowball_french() -> None:
    nltk_snowball = pytest.importorskip("nltk.stem.snowball")
    words = _words()
    assert len(words) > 55000
    ref, ours = nltk_snowball.FrenchStemmer(), FrenchStemmer()
    differ = [(w, ours.stem(w), ref.stem(w)) for w in words if ours.stem(w) != ref.stem(w)]
    assert differ == []


def test_a_word_of_each_ending_takes_the_suffix_nltk_takes() -> None:
    """A word made of a stem and one suffix, for every suffix: the first suffix of a step's tuple
    that the word ends with is the one the lookup by last letters finds."""
    nltk_snowball = pytest.importorskip("nltk.stem.snowball")
    ref, ours = nltk_snowball.FrenchStemmer(), FrenchStemmer()
    heads = ["", "a", "p", "par", "aim", "cont", "déclar", "fonction", "qu", "oui", "bray", "inter"]
    words = [h + s for h in heads for s in _suffixes()]
    assert [ours.stem(w) for w in words] == [ref.stem(w) for w in words]

