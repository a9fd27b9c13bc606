"""Snowball French stemmer, without NLTK: `nltk.stem.snowball.FrenchStemmer` (NLTK 3.10, Apache License
2.0, © NLTK Project; algorithm of snowball.tartarus.org) copied so that stemming a word does not import
NLTK (~0.3 s in every cold process).  Same steps, minus the optional stopword list (`ignore_stopwords`),
so the same stems: `tests/test_answer_text.py` and `tests/test_stem_fast.py` compare them with NLTK's.

Faster than NLTK's (~3 µs a word instead of ~9, `scripts/bench_stem.py`), for a cold process stems
every distinct word once: each step looks up the few suffixes that end with the word's last two
letters (`_by_ending`) instead of testing its ~40 suffixes in turn, the regions are found by regular
expressions, and the marking of 'u', 'i', 'y' and the un-accenting of step 6 are skipped when they
cannot change the word.  Each step still takes the first suffix of its tuple that the word ends with
and decides on it with NLTK's very tests (region membership `suffix in r2` included).
"""

# ruff: noqa

from __future__ import annotations

import re

_VOWELS = "aeiouy\xe2\xe0\xeb\xe9\xea\xe8\xef\xee\xf4\xfb\xf9"  # FrenchStemmer.__vowels
# A letter the marking of FrenchStemmer.stem may put into upper case: 'u' after 'q', 'u' or 'i'
# between vowels, 'y' beside a vowel (a superset: the marking loop itself decides)
_MARKABLE = re.compile(f"qu|[{_VOWELS}][ui][{_VOWELS}]|[{_VOWELS}]y|y[{_VOWELS}]")
_VOWEL_THEN_NOT = re.compile(f"[{_VOWELS}][^{_VOWELS}]")
_VOWEL = re.compile(f"[{_VOWELS}]")


def _by_ending(suffixes):
    """`suffixes` grouped by the last two letters a word must have to end with them (one-letter
    suffixes also under their letter alone), each group in the tuple's order: a step's loop over
    its group finds the same first suffix as over the whole tuple, in a few tests instead of ~40."""
    table = {}
    keys = {s[-2:] for s in suffixes if len(s) >= 2} | {s for s in suffixes if len(s) == 1}
    for key in keys:
        table[key] = tuple(
            s for s in suffixes
            if (len(s) >= 2 and s[-2:] == key) or (len(s) == 1 and s == key[-1])
        )
    return table


def suffix_replace(original, old, new):
    """Replaces the old suffix of the original string by a new suffix."""
    return original[: -len(old)] + new


class _StandardStemmer:
    """nltk.stem.snowball._StandardStemmer (its regions R1 and R2 are found in FrenchStemmer.stem)."""

    stopwords: frozenset = frozenset()


class FrenchStemmer(_StandardStemmer):
    """
    The French Snowball stemmer.

    :cvar __vowels: The French vowels.
    :type __vowels: unicode
    :cvar __step1_suffixes: Suffixes to be deleted in step 1 of the algorithm.
    :type __step1_suffixes: tuple
    :cvar __step2a_suffixes: Suffixes to be deleted in step 2a of the algorithm.
    :type __step2a_suffixes: tuple
    :cvar __step2b_suffixes: Suffixes to be deleted in step 2b of the algorithm.
    :type __step2b_suffixes: tuple
    :cvar __step4_suffixes: Suffixes to be deleted in step 4 of the algorithm.
    :type __step4_suffixes: tuple
    :note: A detailed description of the French
           stemming algorithm can be found under
           http://snowball.tartarus.org/algorithms/french/stemmer.html
    """

    __vowels = "aeiouy\xe2\xe0\xeb\xe9\xea\xe8\xef\xee\xf4\xfb\xf9"
    __step1_suffixes = (
        "issements",
        "issement",
        "atrices",
        "atrice",
        "ateurs",
        "ations",
        "logies",
        "usions",
        "utions",
        "ements",
        "amment",
        "emment",
        "ances",
        "iqUes",
        "ismes",
        "ables",
        "istes",
        "ateur",
        "ation",
        "logie",
        "usion",
        "ution",
        "ences",
        "ement",
        "euses",
        "ments",
        "ance",
        "iqUe",
        "isme",
        "able",
        "iste",
        "ence",
        "it\xe9s",
        "ives",
        "eaux",
        "euse",
        "ment",
        "eux",
        "it\xe9",
        "ive",
        "ifs",
        "aux",
        "if",
    )
    __step2a_suffixes = (
        "issaIent",
        "issantes",
        "iraIent",
        "issante",
        "issants",
        "issions",
        "irions",
        "issais",
        "issait",
        "issant",
        "issent",
        "issiez",
        "issons",
        "irais",
        "irait",
        "irent",
        "iriez",
        "irons",
        "iront",
        "isses",
        "issez",
        "\xeemes",
        "\xeetes",
        "irai",
        "iras",
        "irez",
        "isse",
        "ies",
        "ira",
        "\xeet",
        "ie",
        "ir",
        "is",
        "it",
        "i",
    )
    __step2b_suffixes = (
        "eraIent",
        "assions",
        "erions",
        "assent",
        "assiez",
        "\xe8rent",
        "erais",
        "erait",
        "eriez",
        "erons",
        "eront",
        "aIent",
        "antes",
        "asses",
        "ions",
        "erai",
        "eras",
        "erez",
        "\xe2mes",
        "\xe2tes",
        "ante",
        "ants",
        "asse",
        "\xe9es",
        "era",
        "iez",
        "ais",
        "ait",
        "ant",
        "\xe9e",
        "\xe9s",
        "er",
        "ez",
        "\xe2t",
        "ai",
        "as",
        "\xe9",
        "a",
    )
    __step4_suffixes = ("i\xe8re", "I\xe8re", "ion", "ier", "Ier", "e", "\xeb")

    def stem(self, word):
        """
        Stem a French word and return the stemmed form.

        :param word: The word that is stemmed.
        :type word: str or unicode
        :return: The stemmed form.
        :rtype: unicode

        """
        word = word.lower()

        if word in self.stopwords:
            return word

        step1_success = False
        rv_ending_found = False
        step2a_success = False
        step2b_success = False

        # Fast path: a word none of whose letters the marking below can change ('qu', a 'u' or 'i'
        # between vowels, a 'y' beside a vowel) skips it.
        if _MARKABLE.search(word) is not None:
            # In-place mutation joined once; a per-match rebuild was O(n**2) on a
            # crafted token (CWE-407). Reads see earlier upper-casings as before.
            chars = list(word)
            # Every occurrence of 'u' after 'q' is put into upper case.
            for i in range(1, len(chars)):
                if chars[i - 1] == "q" and chars[i] == "u":
                    chars[i] = "U"

            # Every occurrence of 'u' and 'i'
            # between vowels is put into upper case.
            # Every occurrence of 'y' preceded or
            # followed by a vowel is also put into upper case.
            vowels = self.__vowels
            for i in range(1, len(chars) - 1):
                if chars[i - 1] in vowels and chars[i + 1] in vowels:
                    if chars[i] == "u":
                        chars[i] = "U"

                    elif chars[i] == "i":
                        chars[i] = "I"

                if chars[i - 1] in vowels or chars[i + 1] in vowels:
                    if chars[i] == "y":
                        chars[i] = "Y"
            word = "".join(chars)

        # The regions (nltk's _r1r2_standard and __rv_french, inline: the hot path).  R1 is the
        # region after the first non-vowel following a vowel, R2 the same in R1.  RV is the region
        # after the third letter if the word begins with two vowels (or with "par", "col", "tap"),
        # else after the first vowel not at the beginning of the word.
        m = _VOWEL_THEN_NOT.search(word)
        if m is None:
            r1 = r2 = ""
        else:
            start = m.end()
            r1 = word[start:]
            m = _VOWEL_THEN_NOT.search(word, start)
            r2 = word[m.end() :] if m is not None else ""
        rv = ""
        if len(word) >= 2:
            if word.startswith(("par", "col", "tap")) or (
                word[0] in _VOWELS and word[1] in _VOWELS
            ):
                rv = word[3:]
            else:
                m = _VOWEL.search(word, 1)
                if m is not None:
                    rv = word[m.end() :]

        # STEP 1: Standard suffix removal
        for suffix in _STEP1.get(word[-2:]) or _STEP1.get(word[-1:], ()):
            if word.endswith(suffix):
                if suffix == "eaux":
                    word = word[:-1]
                    step1_success = True

                elif suffix in ("euse", "euses"):
                    if suffix in r2:
                        word = word[: -len(suffix)]
                        step1_success = True

                    elif suffix in r1:
                        word = suffix_replace(word, suffix, "eux")
                        step1_success = True

                elif suffix in ("ement", "ements") and suffix in rv:
                    word = word[: -len(suffix)]
                    step1_success = True

                    if word[-2:] == "iv" and "iv" in r2:
                        word = word[:-2]

                        if word[-2:] == "at" and "at" in r2:
                            word = word[:-2]

                    elif word[-3:] == "eus":
                        if "eus" in r2:
                            word = word[:-3]
                        elif "eus" in r1:
                            word = "".join((word[:-1], "x"))

                    elif word[-3:] in ("abl", "iqU"):
                        if "abl" in r2 or "iqU" in r2:
                            word = word[:-3]

                    elif word[-3:] in ("i\xe8r", "I\xe8r"):
                        if "i\xe8r" in rv or "I\xe8r" in rv:
                            word = "".join((word[:-3], "i"))

                elif suffix == "amment" and suffix in rv:
                    word = suffix_replace(word, "amment", "ant")
                    rv = suffix_replace(rv, "amment", "ant")
                    rv_ending_found = True

                elif suffix == "emment" and suffix in rv:
                    word = suffix_replace(word, "emment", "ent")
                    rv_ending_found = True

                elif (
                    suffix in ("ment", "ments")
                    and suffix in rv
                    and not rv.startswith(suffix)
                    and rv[rv.rindex(suffix) - 1] in self.__vowels
                ):
                    word = word[: -len(suffix)]
                    rv = rv[: -len(suffix)]
                    rv_ending_found = True

                elif suffix == "aux" and suffix in r1:
                    word = "".join((word[:-2], "l"))
                    step1_success = True

                elif (
                    suffix in ("issement", "issements")
                    and suffix in r1
                    and word[-len(suffix) - 1] not in self.__vowels
                ):
                    word = word[: -len(suffix)]
                    step1_success = True

                elif (
                    suffix
                    in (
                        "ance",
                        "iqUe",
                        "isme",
                        "able",
                        "iste",
                        "eux",
                        "ances",
                        "iqUes",
                        "ismes",
                        "ables",
                        "istes",
                    )
                    and suffix in r2
                ):
                    word = word[: -len(suffix)]
                    step1_success = True

                elif (
                    suffix
                    in ("atrice", "ateur", "ation", "atrices", "ateurs", "ations")
                    and suffix in r2
                ):
                    word = word[: -len(suffix)]
                    step1_success = True

                    if word[-2:] == "ic":
                        if "ic" in r2:
                            word = word[:-2]
                        else:
                            word = "".join((word[:-2], "iqU"))

                elif suffix in ("logie", "logies") and suffix in r2:
                    word = suffix_replace(word, suffix, "log")
                    step1_success = True

                elif suffix in ("usion", "ution", "usions", "utions") and suffix in r2:
                    word = suffix_replace(word, suffix, "u")
                    step1_success = True

                elif suffix in ("ence", "ences") and suffix in r2:
                    word = suffix_replace(word, suffix, "ent")
                    step1_success = True

                elif suffix in ("it\xe9", "it\xe9s") and suffix in r2:
                    word = word[: -len(suffix)]
                    step1_success = True

                    if word[-4:] == "abil":
                        if "abil" in r2:
                            word = word[:-4]
                        else:
                            word = "".join((word[:-2], "l"))

                    elif word[-2:] == "ic":
                        if "ic" in r2:
                            word = word[:-2]
                        else:
                            word = "".join((word[:-2], "iqU"))

                    elif word[-2:] == "iv":
                        if "iv" in r2:
                            word = word[:-2]

                elif suffix in ("if", "ive", "ifs", "ives") and suffix in r2:
                    word = word[: -len(suffix)]
                    step1_success = True

                    if word[-2:] == "at" and "at" in r2:
                        word = word[:-2]

                        if word[-2:] == "ic":
                            if "ic" in r2:
                                word = word[:-2]
                            else:
                                word = "".join((word[:-2], "iqU"))
                break

        # STEP 2a: Verb suffixes beginning 'i'
        if not step1_success or rv_ending_found:
            for suffix in _STEP2A.get(word[-2:]) or _STEP2A.get(word[-1:], ()):
                if word.endswith(suffix):
                    if (
                        suffix in rv
                        and len(rv) > len(suffix)
                        and rv[rv.rindex(suffix) - 1] not in self.__vowels
                    ):
                        word = word[: -len(suffix)]
                        step2a_success = True
                    break

            # STEP 2b: Other verb suffixes
            if not step2a_success:
                for suffix in _STEP2B.get(rv[-2:]) or _STEP2B.get(rv[-1:], ()):
                    if rv.endswith(suffix):
                        if suffix == "ions" and "ions" in r2:
                            word = word[:-4]
                            step2b_success = True

                        elif suffix in (
                            "eraIent",
                            "erions",
                            "\xe8rent",
                            "erais",
                            "erait",
                            "eriez",
                            "erons",
                            "eront",
                            "erai",
                            "eras",
                            "erez",
                            "\xe9es",
                            "era",
                            "iez",
                            "\xe9e",
                            "\xe9s",
                            "er",
                            "ez",
                            "\xe9",
                        ):
                            word = word[: -len(suffix)]
                            step2b_success = True

                        elif suffix in (
                            "assions",
                            "assent",
                            "assiez",
                            "aIent",
                            "antes",
                            "asses",
                            "\xe2mes",
                            "\xe2tes",
                            "ante",
                            "ants",
                            "asse",
                            "ais",
                            "ait",
                            "ant",
                            "\xe2t",
                            "ai",
                            "as",
                            "a",
                        ):
                            word = word[: -len(suffix)]
                            rv = rv[: -len(suffix)]
                            step2b_success = True
                            if rv.endswith("e"):
                                word = word[:-1]
                        break

        # STEP 3
        if step1_success or step2a_success or step2b_success:
            if word[-1] == "Y":
                word = "".join((word[:-1], "i"))
            elif word[-1] == "\xe7":
                word = "".join((word[:-1], "c"))

        # STEP 4: Residual suffixes
        else:
            if len(word) >= 2 and word[-1] == "s" and word[-2] not in "aiou\xe8s":
                word = word[:-1]

            for suffix in _STEP4.get(word[-2:]) or _STEP4.get(word[-1:], ()):
                if word.endswith(suffix):
                    if suffix in rv:
                        if suffix == "ion" and suffix in r2 and rv[-4] in "st":
                            word = word[:-3]

                        elif suffix in ("ier", "i\xe8re", "Ier", "I\xe8re"):
                            word = suffix_replace(word, suffix, "i")

                        elif suffix == "e":
                            word = word[:-1]

                        elif suffix == "\xeb" and word[-3:-1] == "gu":
                            word = word[:-1]
                        break

        # STEP 5: Undouble
        if word.endswith(("enn", "onn", "ett", "ell", "eill")):
            word = word[:-1]

        # STEP 6: Un-accent (only an 'é' or 'è' changes)
        for i in range(1, len(word) if ("\xe9" in word or "\xe8" in word) else 0):
            if word[-i] not in self.__vowels:
                i += 1
            else:
                if i != 1 and word[-i] in ("\xe9", "\xe8"):
                    word = "".join((word[:-i], "e", word[-i + 1 :]))
                break

        word = word.replace("I", "i").replace("U", "u").replace("Y", "y")

        return word


_STEP1 = _by_ending(FrenchStemmer._FrenchStemmer__step1_suffixes)
_STEP2A = _by_ending(FrenchStemmer._FrenchStemmer__step2a_suffixes)
_STEP2B = _by_ending(FrenchStemmer._FrenchStemmer__step2b_suffixes)
_STEP4 = _by_ending(FrenchStemmer._FrenchStemmer__step4_suffixes)
assert FrenchStemmer._FrenchStemmer__vowels == _VOWELS
