"""The word prefilter of the decision formulas (`rules.votes.may_be_formula`) never hides a formula.

Lines without any formula word skip the dozen formula patterns (coverage, the municipal pass,
`decision_sentence`); these tests pin that a line one of the patterns matches always has such a word."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

from indexer.parse.municipal import _vote_step  # noqa: F401 - the pass that relies on the prefilter
from indexer.parse.rules import votes

ROOT = Path(__file__).resolve().parents[1]
# every pattern the prefilter stands for
GUARDED = [votes._DECISION_CUE, votes._UNANIMOUS_SENTENCE, votes._MAJORITY_SENTENCE, votes._NOTED, votes._ELECTED,
           votes._POSTPONED, votes._NO_REMARK]


def test_case_folding_letters_outside_lower_are_checked_by_the_pattern():
    """A letter that re.I matches with a formula word's letter, and that str.lower() does not turn into it
    (« İ », « ſ », « ı »), makes the prefilter ask the pattern itself."""
    gates = tuple(w for words, _ in votes._CUE_RULES for w in words) + votes._NO_REMARK_WORDS + votes._POSTPONED_WORDS \
        + votes._BODIES + ("élu",)
    letters = set("".join(votes._FORMULA_WORDS + votes._COUNT_WORDS + gates))
    pattern = re.compile("[" + re.escape("".join(sorted(letters))) + "]", re.I)
    odd = {c for c in map(chr, range(0x110000)) if not 0xD800 <= ord(c) < 0xE000
           and pattern.fullmatch(c) and c.lower() not in letters}
    assert odd <= set(votes._FOLDED_APART)
    assert votes.may_be_formula("après en avoİr délibéré") == bool(votes._FORMULA_WORD.search("après en avoİr délibéré"))


@lru_cache(maxsize=1)
def _formula_lines() -> list[str]:
    """Docstring examples of the rules, and every corpus line a guarded pattern matches."""
    lines = []
    for fn in (votes.decision_sentence, votes.unanimous_sentence, votes.majority_sentence, votes.noted_line,
               votes.election_line, votes.postponed_line, votes.approved_without_remark):
        lines += re.findall(r"``(.+?)``", " ".join((fn.__doc__ or "").split()))
    texts = [ROOT / "corpus" / "pas-de-calais-2025-09-22.txt"]
    texts += sorted((ROOT.parent / "shared" / "corpus-councils").glob("*/*.txt"))  # when the shared corpora are beside
    for raw in (ln for path in texts for ln in path.read_text(encoding="utf-8").splitlines()):
        line = " ".join(raw.split())
        if any(p.search(line) for p in GUARDED):
            lines.append(line)
    return lines


def test_every_formula_line_passes_the_prefilter():
    lines = _formula_lines()
    assert len(lines) > 100
    missed = [ln for ln in lines if any(p.search(ln) for p in GUARDED) and not votes.may_be_formula(ln)]
    assert missed == []


def test_a_line_without_formula_words_is_no_decision():
    line = "Monsieur le Président remercie les membres présents pour leur travail sur ce dossier."
    assert not votes.may_be_formula(line)
    assert votes.decision_sentence(line) is None
    assert votes.may_be_formula("Le Conseil, après en avoir délibéré, à l'unanimité, adopte le rapport.")
    assert votes.may_be_formula("2 contre, 1 abstention")


def test_the_gated_cue_finds_what_the_whole_cue_finds():
    """Each rule of the cue is tried only on lines with its words: same answer as the whole pattern."""
    text = (ROOT / "corpus" / "pas-de-calais-2025-09-22.txt").read_text(encoding="utf-8")
    lines = [" ".join(ln.split()) for ln in text.splitlines()[::3]] + _formula_lines() + ["après en avoİr délibéré", "1 pour ; 2 contre", "ADOPTION À L'UNANIMITÉ",
                                "Le Conseil municipal, à l'unanimité, DÉCIDE d'approuver", "par 12 VOIX",
                                "Décision : sans objet", "Vote favorable des membres", "La délibération est adoptée",
                                "Adoption par vote à main levée", "à la majorité des membres"]
    assert sum(1 for ln in lines if votes._DECISION_CUE.search(ln)) > 40
    for ln in lines:
        assert votes._has_cue(ln) == bool(votes._DECISION_CUE.search(ln)), ln


def test_formula_lines_of_a_page_are_the_lines_the_prefilter_passes():
    text = (ROOT / "corpus" / "pas-de-calais-2025-09-22.txt").read_text(encoding="utf-8")
    odd = ("Vote\r\n1 pour\x0cnothing here\u2028le conseil adopte\x1c2  contre, 1 abstention\n\nfin voix"
           "\r\ncontrepoint 3 pour")
    for page in (text, odd, odd + "\nabſtention 2 ſuffrages", odd.replace("adopte", "adopİe"), "", "vote",
                 "motif 3\npour moi\r\n4 \u2028contre 5\x1fabstention\x0b6\tpour\x1e7 contre"):
        expected = [votes.may_be_formula(" ".join(ln.split())) for ln in page.splitlines()]
        assert votes.formula_lines(page) == expected
    assert votes.formula_lines(odd) == [True, True, False, True, True, False, True, True]


def test_last_end_is_the_last_match_of_the_end_pattern():
    """`header.last_end` tries only the starts near a « séance »: the same match as the whole scan."""
    from indexer.parse.rules import header

    def scan(text):
        ends = list(header._END.finditer(text))
        return (ends[-1].span(), ends[-1].group(1)) if ends else None

    def fast(text):
        m = header.last_end(text)
        return (m.span(), m.group(1)) if m else None

    pieces = ["La séance est levée à 22 h 30.", "LEVÉE DE LA SÉANCE À 21 HEURES", "Fin de séance à 20h15",
              "Monsieur le Maire lève la séance à vingt-deux heures", "clôt la séance à 9 h", "séance",
              "la séance de travail, qui est close à 18 h", " séance séance est levée à 7 h ", "Levée de séance",
              "ſéance est levée à 3 h", "İ la séance est close à 4 h", ".", "\n"]
    rng = random.Random(7)
    texts = [(ROOT / "corpus" / "pas-de-calais-2025-09-22.txt").read_text(encoding="utf-8")]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    assert sum(1 for t in texts if scan(t)) > 1000
    for text in texts:
        assert fast(text) == scan(text), text


def test_gated_rules_answer_as_their_patterns():
    """noted, election, postponed, without-remark and other-body rules skip their pattern on a line
    without its words: same answers as the patterns alone."""
    text = (ROOT / "corpus" / "pas-de-calais-2025-09-22.txt").read_text(encoding="utf-8")
    lines = [" ".join(ln.split()) for ln in text.splitlines()[::3]] + _formula_lines() + [
        "Le Conseil prend acte du rapport.", "DONT ACTE", "Sont élus délégués : M. X", "M. X, ayant obtenu la majorité "
        "absolue, est proclamé élu maire", "Le point est retiré de l'ordre du jour.", "Ce dossier sera ajourné", "Ce point sera abordé ultérieurement.",
        "Le procès-verbal est approuvé sans observation.", "LA COMMISSION, après en avoir délibéré, décide",
        "Le Comité syndical approuve", "N° 12 - Le Bureau communautaire", "la conférence des maires adopte",
        "ſont élus", "le bureau a délibéré"]
    rules = [(votes.noted_line, lambda ln: len(ln) <= 400 and votes._NOTED.search(ln)),
             (votes.election_line, lambda ln: len(ln) <= 400 and votes._ELECTED.search(ln)),
             (votes.postponed_line, lambda ln: len(ln) < 400 and votes._POSTPONED.match(ln)),
             (votes.approved_without_remark, lambda ln: len(ln) < 400 and votes._NO_REMARK.search(ln)),
             (votes.other_body, lambda ln: votes._OTHER_BODY.match(ln) or votes._OTHER_BODY_DECIDES.search(ln))]
    for rule, pattern in rules:
        assert sum(1 for ln in lines if pattern(ln)) >= 2, rule.__name__
        for ln in lines:
            assert bool(rule(ln)) == bool(pattern(ln)), (rule.__name__, ln)


def test_every_numbered_heading_passes_the_heading_prefilter():
    from indexer.parse import coverage

    text = (ROOT / "corpus" / "pas-de-calais-2025-09-22.txt").read_text(encoding="utf-8")
    lines = text.splitlines() + ["  1. Budget", "IV - PERSONNEL", "N° 2018-024 – Subvention", "2014/25 – Tarifs",
                                 "\t12-045 (A) Marché", "١٢. Budget", "XI. Affaires"]
    heads = [raw for raw in lines if coverage._HEADING.match(" ".join(raw.split()))]
    assert len(heads) > 5
    assert all(coverage._MAY_HEAD.match(raw) for raw in heads)
