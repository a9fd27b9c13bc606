"""Punkt sentence splitting with given parameters: the tokenizing half of NLTK's Punkt, without NLTK.

Importing `nltk` loads most of the library (~0.3 s in every cold process: a server's start, each CLI
command); the product only splits sentences with parameters trained offline
(`scripts/train_punkt.py`, which still uses NLTK's trainer).  This is the code path of
`nltk.tokenize.punkt.PunktSentenceTokenizer.tokenize` (NLTK 3.10, Apache License 2.0, © NLTK Project;
algorithm of Kiss & Strunk 2006), with the same regular expressions compiled by the same engine
(`regex`, as NLTK does), so that it splits exactly as NLTK does (`tests/test_answer_text.py` compares
them on the corpora).
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Iterator

import regex

# orthographic context flags (how a word type was seen: beginning/middle of a sentence, upper/lower case)
_ORTHO_BEG_UC = 1 << 1
_ORTHO_MID_UC = 1 << 2
_ORTHO_UNK_UC = 1 << 3
_ORTHO_BEG_LC = 1 << 4
_ORTHO_MID_LC = 1 << 5
_ORTHO_UNK_LC = 1 << 6
_ORTHO_UC = _ORTHO_BEG_UC + _ORTHO_MID_UC + _ORTHO_UNK_UC
_ORTHO_LC = _ORTHO_BEG_LC + _ORTHO_MID_LC + _ORTHO_UNK_LC

_SENT_END_CHARS = (".", "?", "!")
_PUNCTUATION = tuple(";:,.!?")

_NON_WORD = r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\xab\xbb%s])" % regex.escape(
    "".join(set(_SENT_END_CHARS) - {"."}))
_MULTI_CHAR = r"(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)"
_WORD_START = r"[^\(\"\`{\[:;&\#\*@\)}\]\-,]"

_WORD_TOKENIZER = regex.compile(r"""(
        %(MultiChar)s
        |
        (?=%(WordStart)s)\S+?  # Accept word characters until end is found
        (?= # Sequences marking a word's end
            \s|                                 # White-space
            $|                                  # End-of-string
            %(NonWord)s|%(MultiChar)s|          # Punctuation
            ,(?=$|\s|%(NonWord)s|%(MultiChar)s) # Comma if at end of word
        )
        |
        \S
    )""" % {"NonWord": _NON_WORD, "MultiChar": _MULTI_CHAR, "WordStart": _WORD_START},
    regex.UNICODE | regex.VERBOSE)

_PERIOD_CONTEXT = regex.compile(r"""
        %(SentEndChars)s             # a potential sentence ending
        (?=(?P<after_tok>
            %(NonWord)s              # either other punctuation
            |
            \s+(?P<next_tok>\S+)     # or whitespace and some other token
        ))""" % {"NonWord": _NON_WORD, "SentEndChars": "[%s]" % regex.escape("".join(_SENT_END_CHARS))},
    regex.UNICODE | regex.VERBOSE)

_BOUNDARY_REALIGNMENT = regex.compile(r'["\')\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\s+|(?=--)|$)',
                                      regex.MULTILINE)
_RE_NON_PUNCT = regex.compile(r"[^\W\d]", regex.UNICODE)
_RE_ELLIPSIS = regex.compile(r"\.\.+$")
_RE_NUMERIC = regex.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_RE_INITIAL = regex.compile(r"[^\W\d]\.$", regex.UNICODE)


class Parameters:
    """What the trainer learnt: abbreviations, collocations, sentence starters, orthographic contexts."""

    def __init__(self) -> None:
        self.abbrev_types: set[str] = set()
        self.collocations: set[tuple[str, str]] = set()
        self.sent_starters: set[str] = set()
        self.ortho_context: defaultdict[str, int] = defaultdict(int)


class _Token:
    __slots__ = ("tok", "type", "period_final", "parastart", "linestart", "sentbreak", "abbr", "ellipsis")

    def __init__(self, tok: str, parastart: bool | None = None, linestart: bool | None = None) -> None:
        self.tok = tok
        low = tok.lower()
        head = low[:1]  # a number starts with a digit, « - », « . » or « , »: any other token is its own type
        self.type = _RE_NUMERIC.sub("##number##", low) if head in "-.," or head.isdigit() else low
        self.period_final = tok.endswith(".")
        self.parastart, self.linestart = parastart, linestart
        self.sentbreak = self.abbr = self.ellipsis = None

    @property
    def type_no_period(self) -> str:
        if len(self.type) > 1 and self.type[-1] == ".":
            return self.type[:-1]
        return self.type

    @property
    def type_no_sentperiod(self) -> str:
        return self.type_no_period if self.sentbreak else self.type

    @property
    def first_upper(self) -> bool:
        return self.tok[0].isupper()

    @property
    def first_lower(self) -> bool:
        return self.tok[0].islower()


def _pair_iter(iterator):  # noqa: ANN001, ANN202
    iterator = iter(iterator)
    try:
        prev = next(iterator)
    except StopIteration:
        return
    for el in iterator:
        yield (prev, el)
        prev = el
    yield (prev, None)


class SentenceTokenizer:
    """`tokenize(text)` → sentences, as `nltk.tokenize.punkt.PunktSentenceTokenizer(params).tokenize`."""

    def __init__(self, params: Parameters) -> None:
        self._params = params
        self._breaks: dict[str, bool] = {}

    def tokenize(self, text: str) -> list[str]:
        return [text[s.start:s.stop] for s in self._realign_boundaries(text, self._slices_from_text(text))]

    # -- words and their annotation

    @staticmethod
    def _tokenize_words(plaintext: str) -> Iterator[_Token]:
        parastart = False
        for line in plaintext.split("\n"):
            if line.strip():
                line_toks = iter(_WORD_TOKENIZER.findall(line))
                try:
                    tok = next(line_toks)
                except StopIteration:
                    continue
                yield _Token(tok, parastart=parastart, linestart=True)
                parastart = False
                for tok in line_toks:
                    yield _Token(tok)
            else:
                parastart = True

    def _first_pass(self, aug_tok: _Token) -> None:
        tok = aug_tok.tok
        if tok in _SENT_END_CHARS:
            aug_tok.sentbreak = True
        elif _RE_ELLIPSIS.match(tok):
            aug_tok.ellipsis = True
        elif aug_tok.period_final and not tok.endswith(".."):
            abbrevs = self._params.abbrev_types
            if tok[:-1].lower() in abbrevs or tok[:-1].lower().split("-")[-1] in abbrevs:
                aug_tok.abbr = True
            else:
                aug_tok.sentbreak = True

    def _annotate_tokens(self, tokens: Iterator[_Token]) -> Iterator[_Token]:
        def first(toks: Iterator[_Token]) -> Iterator[_Token]:
            for t in toks:
                self._first_pass(t)
                yield t

        for token1, token2 in _pair_iter(first(tokens)):
            self._second_pass(token1, token2)
            yield token1

    def _second_pass(self, aug_tok1: _Token, aug_tok2: _Token | None) -> None:
        if not aug_tok2 or not aug_tok1.period_final:
            return
        typ = aug_tok1.type_no_period
        next_typ = aug_tok2.type_no_sentperiod
        tok_is_initial = _RE_INITIAL.match(aug_tok1.tok)
        # collocation heuristic: an abbreviation, not a sentence break
        if (typ, next_typ) in self._params.collocations:
            aug_tok1.sentbreak = False
            aug_tok1.abbr = True
            return
        # an abbreviation or an ellipsis may also end the sentence
        if (aug_tok1.abbr or aug_tok1.ellipsis) and not tok_is_initial:
            is_sent_starter = self._ortho_heuristic(aug_tok2)
            if is_sent_starter is True:
                aug_tok1.sentbreak = True
                return
            if aug_tok2.first_upper and next_typ in self._params.sent_starters:
                aug_tok1.sentbreak = True
                return
        # initials and ordinals marked as sentence breaks may be abbreviations
        if tok_is_initial or typ == "##number##":
            is_sent_starter = self._ortho_heuristic(aug_tok2)
            if is_sent_starter is False:
                aug_tok1.sentbreak = False
                aug_tok1.abbr = True
                return
            if (is_sent_starter == "unknown" and tok_is_initial and aug_tok2.first_upper
                    and not (self._params.ortho_context[next_typ] & _ORTHO_LC)):
                aug_tok1.sentbreak = False
                aug_tok1.abbr = True

    def _ortho_heuristic(self, aug_tok: _Token) -> bool | str:
        if aug_tok.tok in _PUNCTUATION:
            return False
        ortho_context = self._params.ortho_context[aug_tok.type_no_sentperiod]
        if aug_tok.first_upper and (ortho_context & _ORTHO_LC) and not (ortho_context & _ORTHO_MID_UC):
            return True
        if aug_tok.first_lower and ((ortho_context & _ORTHO_UC) or not (ortho_context & _ORTHO_BEG_LC)):
            return False
        return "unknown"

    def _contains_sentbreak(self, text: str) -> bool:
        # a pure function of the context (« M. LEROY », « séance. La »), and the same contexts come back
        got = self._breaks.get(text)
        if got is None:
            if len(self._breaks) >= 16_384:  # a few MB at most
                self._breaks.clear()
            got = self._breaks[text] = self._find_sentbreak(text)
        return got

    def _find_sentbreak(self, text: str) -> bool:
        found = False  # the last token does not count
        for tok in self._annotate_tokens(self._tokenize_words(text)):
            if found:
                return True
            if tok.sentbreak:
                found = True
        return False

    # -- candidate breaks and slices

    @staticmethod
    def _last_whitespace_index(text: str) -> int:
        for i in range(len(text) - 1, -1, -1):
            if text[i] in string.whitespace:
                return i
        return 0

    def _potential_end_contexts(self, text: str):  # noqa: ANN202
        previous_slice = slice(0, 0)
        previous_match = None
        for match in _PERIOD_CONTEXT.finditer(text):
            before_text = text[previous_slice.stop:match.start()]
            index_after_last_space = self._last_whitespace_index(before_text)
            if index_after_last_space:
                index_after_last_space += previous_slice.stop + 1
            else:
                index_after_last_space = previous_slice.start
            prev_word_slice = slice(index_after_last_space, match.start())
            if previous_match and previous_slice.stop <= prev_word_slice.start:
                yield (previous_match,
                       text[previous_slice] + previous_match.group() + previous_match.group("after_tok"))
            previous_match = match
            previous_slice = prev_word_slice
        if previous_match:
            yield previous_match, text[previous_slice] + previous_match.group() + previous_match.group("after_tok")

    def _slices_from_text(self, text: str) -> Iterator[slice]:
        last_break = 0
        for match, context in self._potential_end_contexts(text):
            if self._contains_sentbreak(context):
                yield slice(last_break, match.end())
                last_break = match.start("next_tok") if match.group("next_tok") else match.end()
        yield slice(last_break, len(text.rstrip()))

    @staticmethod
    def _realign_boundaries(text: str, slices: Iterator[slice]) -> Iterator[slice]:
        realign = 0
        for sentence1, sentence2 in _pair_iter(slices):
            sentence1 = slice(sentence1.start + realign, sentence1.stop)
            if not sentence2:
                if text[sentence1]:
                    yield sentence1
                continue
            m = _BOUNDARY_REALIGNMENT.match(text[sentence2])
            if m:
                yield slice(sentence1.start, sentence2.start + len(m.group(0).rstrip()))
                realign = m.end()
            else:
                realign = 0
                if text[sentence1]:
                    yield sentence1
