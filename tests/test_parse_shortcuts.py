"""Shortcuts of the reading and parsing rules answer exactly as the patterns they stand for.

Each speed-up of a rule (a look-back taken from a window instead of a search from every position, a count
found by substring search instead of a pattern over the page, a line's formula count remembered) is checked
here against the plain form it replaced, on tricky and random input: a shortcut that drifts from its
pattern changes what a user reads (a heading glued to its neighbour, a decision not counted)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from indexer.parse import coverage
from indexer.parse.rules import votes
from indexer.sources import text

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"


def _random_texts(pieces: list[str], n: int, seed: int, most: int = 40) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, most))) for _ in range(n)]


# -- the text path's bold rule ---------------------------------------------------------------------------

def _unbold_reference(line: str) -> str:
    """`text._unbold` as written with its patterns (a search from every position of the window)."""
    def repl(m: re.Match[str]) -> str:
        start, end = m.start(), m.end()
        context = max(0, start - text._CONTEXT)
        if re.compile(r"[^\W_]$").search(line, context, start) and re.compile(r"[^\W_]").match(line, end):
            return "\n"
        b = re.compile(r"(\S{1,40})\s*$").search(line, context, start)
        a = re.compile(r"\s*(\S{1,40})").match(line, end)
        if b and a and text._mostly_upper(b.group(1)) and text._mostly_upper(a.group(1)):
            return "\n"
        return ""
    line = re.sub(r"\*{2,}", repl, line)
    return re.sub(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])", r"\1", line)


def test_bold_runs_are_handled_as_by_their_patterns():
    pieces = ["**", "***", "*", " ", "  ", "\t", "\n", "\u2003", "\x1f", "RAPPORT", "N°2", "CONSEIL", "Conseil", "é",
              "É", "_", "1", "٣", "a", "-", "X" * 45, "x" * 45, "(", ")", "\u00a0", "ǅ"]
    lines = _random_texts(pieces, 6000, seed=3)
    lines += ["RAPPORT N°2**CONSEIL DEPARTEMENTAL", "**ORDRE DU JOUR**", "le **budget** voté", "A\n**B", "A \n**B",
              "A\n\n**B", "**", "x" * 200 + "**ABC", "É**É", "_**_"]
    changed = 0
    for line in lines:
        assert text._unbold(line) == _unbold_reference(line), repr(line)
        changed += "\n" in text._unbold(line) and "\n" not in line
    assert changed > 100  # the line-break branch is exercised, not only the removal


def test_word_end_is_the_last_letter_or_digit_before_an_optional_final_newline():
    for s in ["", "a", "a\n", "a\n\n", "\n", "_", "a_", "1", "٣", "é\n", "a ", " a", "a\r", "ǅ", "²", "Ⅻ"]:
        assert text._ends_in_word(s) == bool(re.search(r"[^\W_]$", s)), repr(s)


def test_blank_line_runs_are_squeezed_as_before():
    for s in ["", "\n", "\n\n", "\n\n\n", "a\n\n\n\nb", "\n\n\n\n\n\n\nx\n\n\n", "a\n \n\n\nb", "\r\n\r\n\r\n"]:
        assert text._squeeze_blank_lines(s) == re.sub(r"\n{3,}", "\n\n", s)


def test_running_headers_are_found_on_the_lines_the_pattern_matches():
    lines = ["SÉANCE DU CONSEIL DÉPARTEMENTAL DU 22 SEPTEMBRE 2025", "  SEANCE DU CONSEIL DEPARTEMENTAL DU 1er JUIN 2024 ",
             "Séance du conseil départemental du 22 septembre 2025", "SÉANCE DU CONSEIL DÉPARTEMENTAL", "x"]
    pages = text.split_pages("\n".join(["début", *(x for ln in lines for x in (ln, "texte"))]))
    assert len(pages) == 3  # the two lines the pattern matches split the text, the others stay
    assert [p.text.count("SÉANCE DU CONSEIL") for p in pages] == [0, 0, 1]
    assert all(text.RUNNING_HEADER.match(ln) is None or text._HEADER_WORDS in ln for ln in lines)


# -- decision formulas ----------------------------------------------------------------------------------

_COUNT_IN_LINE = re.compile(r"\d[^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+(?:pour|contre|abstention)", re.I)


def test_count_formulas_are_found_on_the_lines_the_count_pattern_matches():
    """`formula_lines` finds « 2 contre » by searching the count words: every line `_COUNT` matches within
    the line (spaces of every kind, digits of every script) and no other."""
    pieces = ["2", "٣", "x", " ", "  ", "\t", "\u2003", "\u00a0", "\x1f", "\n", "\r\n", "\x0c", "\u2028", "pour", "POUR",
              "contre", "Contre", "abstention", "abstentions", "rencontre", "a", ",", " " * 30]
    pages = _random_texts(pieces, 3000, seed=5, most=30)
    found = 0
    for page in pages:
        lines = page.splitlines()
        got = votes.formula_lines(page)
        for line, flag in zip(lines, got):
            word = any(w in " ".join(line.split()).lower() for w in votes._FORMULA_WORDS)
            assert flag == (word or bool(_COUNT_IN_LINE.search(line))), repr(line)
            found += flag and not word
    assert found > 300


def _formulas_reference(line: str) -> int:
    """What coverage counted on a formula line before `_formulas_in`."""
    if coverage._NOT_A_DECISION.match(line) or votes.other_body(line):
        return 0
    n = len(coverage._TALLY_EN.findall(line))
    if n:
        return n
    return int(bool(votes.decision_sentence(line) is not None or votes.noted_line(line) is not None
                    or votes.election_line(line) or votes.postponed_line(line) or votes.approved_without_remark(line)
                    or re.match(r"^\W*(?:Vote|VOTE)\s*:|^\W*ADOPT[ÉE]|^\W*REJET[ÉE]", line)))


def test_a_lines_formula_count_is_the_rules_answer():
    lines = [" ".join(ln.split()) for ln in BUNDLED.read_text(encoding="utf-8").splitlines()]
    lines += sorted({" ".join(ln.split()) for path in (ROOT.parent / "shared" / "corpus-councils").glob("*/*.txt")
                     for ln in path.read_text(encoding="utf-8").splitlines()})
    lines += ["Vote : Pour à l'unanimité", "ADOPTÉ", "Motion Carried 6-1, Motion Passed 4 - 3", "Le bureau adopte",
              "Vu le code", "Le Conseil prend acte", "Sont élus : M. X", "Ce point est reporté", "x" * 401 + " adopte",
              "Le Conseil municipal, après en avoir délibéré, à l'unanimité, DÉCIDE", "approuvé sans observation"]
    for fn in (votes.decision_sentence, votes.noted_line, votes.election_line, votes.postponed_line,
               votes.approved_without_remark, votes.other_body):  # the examples of their docstrings
        lines += re.findall(r"``(.+?)``", " ".join((fn.__doc__ or "").split()))
    lines = [ln for ln in lines if ln and votes.may_be_formula(ln)]
    assert sum(1 for ln in lines if _formulas_reference(ln)) > 40
    for ln in lines:
        assert coverage._formulas_in(ln) == _formulas_reference(ln), ln


def test_decision_sentence_is_its_checks_then_the_cued_rule():
    for line in ["Le Conseil, après en avoir délibéré, à l'unanimité, adopte", "Le Bureau, après en avoir délibéré",
                 "Vu la délibération adoptée à l'unanimité", "Vote favorable à l'unanimité.", "rien"]:
        expected = None if (len(line) > 400 or not votes.may_be_formula(line) or votes._NOT_A_DECISION.match(line)
                            or votes._OTHER_BODY.match(line) or votes._OTHER_BODY_DECIDES.search(line)) \
            else votes.cued_decision(line)
        assert votes.decision_sentence(line) == expected


def test_not_voting_lines_are_read_behind_their_word():
    for line in ["Mme DANAN, M. GOSSOT et Mme HUDO ne prennent pas part au vote.", "M. X ne prend pas part au VOTE",
                 "M. X ne participe pas à ce vote", "Madame Jacqueline HEURTAULT, présidente de l'association, ne prend "
                 "pas part au vote.", "M. X vote contre"]:
        m = re.match(votes._NOT_VOTING, line)
        assert votes.not_voting_line(line) == (votes.split_names(m.group("who")) if m else [])
    assert votes.not_voting_line("Mme DANAN ne prend pas part au vote.") == ["Mme DANAN"]


def test_session_times_are_only_searched_in_paragraphs_naming_the_session():
    """The departmental debate tries its opening, resumption, suspension and closing patterns only on a
    paragraph whose folded text holds « ance »: every paragraph they match has it."""
    from indexer.parse import departmental

    paras = [" ".join(ln.split()) for ln in BUNDLED.read_text(encoding="utf-8").splitlines()]
    paras += ["(La séance débute à 10 heures 03 sous la présidence de M. X, Président)", "LA SÉANCE EST LEVÉE À 12 H",
              "La SEANCE est suspendue à 11 h", "(La séance reprend à 14 heures)", "La séance\test levée à 9 h"]
    paras = [" ".join(p.split()) for p in paras]
    patterns = (departmental._START, departmental._RESUMED, departmental._SUSPENDED, departmental._CLOSED)
    matched = [p for p in paras if any(rx.search(p) for rx in patterns)]
    assert len(matched) >= 6
    assert all("ance " in p.lower() for p in matched)
