"""Reading sources: cleaning rules of the PDF and text paths, cache, bad input."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from indexer import cli, sources
from indexer.sources import (SourceError, clean_pdf_pages, join_hyphenated, normalise_markdown,
                             read_source, strip_furniture, word_counts)

from .conftest import BUNDLED_TEXT

HEADER = "SEANCE DU CONSEIL DEPARTEMENTAL DU 22 SEPTEMBRE 2025"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("MINUTES_HOME", str(tmp_path / "home"))


# -- hyphenation -------------------------------------------------------------------


@pytest.mark.parametrize("head, tail, seen, expected", [
    ("il au", "rait", ["il aurait fallu"], "il aurait"),  # cut word, seen whole elsewhere
    ("particuliè", "rement positif", [], "particulièrement positif"),  # cut word never seen: glued
    ("du Pas-de", "Calais", [], "du Pas-de-Calais"),  # real compound
    ("région Hauts", "de-France", [], "région Hauts-de-France"),
    ("M. Jean", "Claude LEROY", [], "M. Jean-Claude LEROY"),  # capital after the hyphen
    ("Mme MESSEANNE", "GROBELNY", [], "Mme MESSEANNE-GROBELNY"),
    ("c'est peut", "être", [], "c'est peut-être"),  # compound part
    ("y a", "t-il", [], "y a-t-il"),
    ("celui", "ci", [], "celui-ci"),
    ("le porte", "parole", ["le porte-parole du groupe"], "le porte-parole"),  # seen hyphenated
    ("les plates", "formes", ["des formes"], "les plates-formes"),
])
def test_join_hyphenated(head, tail, seen, expected):
    assert join_hyphenated(head, tail, word_counts(seen)) == expected


def test_word_counts_ignore_fragments_of_cut_words():
    counts = word_counts(["nous au-", "rions pu", "le Pas-de-Calais"])
    assert counts["au"] == 0 and counts["rions"] == 0
    assert counts["pas-de-calais"] == 1


# -- running headers, page numbers, paragraphs ---------------------------------------------


WORDS = "budget collège route solidarité jeunesse culture tourisme santé".split()


def _pdf_like_pages(n: int = 6) -> list[tuple[int, str]]:
    pages = []
    for number in range(1, n + 1):
        word = WORDS[number % len(WORDS)]
        body = (f"Sur le {word}, premier paragraphe de la page qui se poursuit sur une deuxième ligne\n"
                f"assez longue pour ressembler à du texte justifié, puis se termine ici.\n\n"
                f"M. DUPONT.- Je prends la parole en page {number}.\nAdopté à l'unanimité.")
        pages.append((number, f"{HEADER}\nPage {number} sur {n}\n{body}\n- {number} -\n{number}"))
    return pages


def test_running_headers_and_page_numbers_are_stripped():
    pages = clean_pdf_pages(_pdf_like_pages())
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]
    for page in pages:
        assert HEADER not in page.text
        assert "sur 6" not in page.text
        assert not page.text.rstrip().endswith(str(page.number))
        assert f"Je prends la parole en page {page.number}." in page.text
        assert page.text.endswith("Adopté à l'unanimité.")  # repeats, but is a sentence


def test_furniture_keeps_body_lines_that_do_not_repeat():
    pages = [["Ville de Lannion", f"{word.capitalize()} : délibération", f"Conseil Municipal du 5 juillet 2021 {i}"]
             for i, word in enumerate(WORDS[:6], start=1)]
    for page in pages[:2]:
        page.insert(-1, "Vote : pour")  # at the foot of two pages out of six: content, kept
    stripped = strip_furniture(pages)
    assert stripped[0] == ["Budget : délibération", "Vote : pour"]
    assert stripped[2:] == [[f"{word.capitalize()} : délibération"] for word in WORDS[2:6]]


def test_wrapped_lines_are_joined_and_turns_start_paragraphs():
    text = clean_pdf_pages(_pdf_like_pages(3))[0].text
    assert ("premier paragraphe de la page qui se poursuit sur une deuxième ligne assez longue pour "
            "ressembler" in text)
    assert "\nM. DUPONT.- Je prends la parole" in text


def test_hyphenation_across_lines_and_pages_in_a_document():
    raw = [
        (1, "Nous au-\nrions voulu que le Pas-de-\nCalais soit entendu, et nous aurions\n"
            "raison de le dire. Y a-t-il une parti-"),
        (2, "cularité ? Peut-\nêtre."),
    ]
    pages = clean_pdf_pages(raw)
    flat = " ".join(p.text for p in pages)
    assert "Nous aurions voulu que le Pas-de-Calais soit entendu" in flat
    # the sentence cut by the page break is rejoined on the page where it starts
    assert pages[0].text.endswith("Y a-t-il une particularité ? Peut-être.")
    assert pages[1].text == ""


def _page(lines: list[str | None]) -> list[tuple[str, float | None]]:
    """Page lines with heights 13 points apart; None is a blank line's worth of gap."""
    out, y = [], 780.0
    for line in lines:
        if line is not None:
            out.append((line, y))
        y -= 13
    return out


def test_paragraph_gaps_and_page_breaks():
    long = "Une ligne de texte assez longue pour remplir la largeur de la page, comme dans le corps"
    first = _page([long, "du texte qui continue", None, "Pour : 78 voix", "Contre : 0 voix"])
    second = _page(["Abstention : 0 voix", None, "Le Président du Conseil départemental", "Jean-Claude LEROY"])
    third = _page(["Accusé de réception en préfecture : 062-226200012", long, "et sa fin."])
    leading = sources.line_spacing([first + _page([long] * 6)])
    assert leading == 13
    raw = [(1, sources.with_gaps(first, leading)), (2, sources.with_gaps(second, leading)),
           (3, sources.with_gaps(third, leading))]
    pages = clean_pdf_pages(raw)
    blocks = pages[0].text.split("\n\n")
    assert blocks[0] == long + " du texte qui continue"
    # a vote block cut by the page break is whole again, on the page where it starts
    assert blocks[1] == "Pour : 78 voix\nContre : 0 voix\nAbstention : 0 voix"
    assert pages[1].text == "Le Président du Conseil départemental\nJean-Claude LEROY"
    # a page break after a signature is a paragraph break
    assert pages[2].text.startswith("Accusé de réception en préfecture")


def test_stray_spaces_before_hyphens_and_commas_are_removed():
    (page,) = clean_pdf_pages([(1, "Présents : Monsieur Jean -Claude GAUTHIER , maire, vu ci -dessus - voir plus loin.")])
    assert page.text == "Présents : Monsieur Jean-Claude GAUTHIER, maire, vu ci-dessus - voir plus loin."


def test_words_split_by_a_stray_space_are_glued_back():
    texts = ["Sous la présidence de Madame Flore nce DEMOUY. Monsie ur TANGUY demande le m ontant.",
             "Madame Florence DEMOUY répond. Monsieur TANGUY remercie. Le montant est voté à la fin."]
    assert sources.rejoin_split_words(texts)[0] == (
        "Sous la présidence de Madame Florence DEMOUY. Monsieur TANGUY demande le montant.")
    # two real words stay apart, even when their concatenation exists
    assert sources.rejoin_split_words(["il est à bord du bateau", "un abord difficile, le bord du quai"])[0] == \
        "il est à bord du bateau"


# -- markdown artefacts of the text path ----------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("<u>1^{ère} partie</u> - Procès-verbal de séance", "1ère partie - Procès-verbal de séance"),
    ("le 1^{er} septembre, en 6^{ème}", "le 1er septembre, en 6ème"),
    ("pour **elle ne dessert plus** la gare", "pour elle ne dessert plus la gare"),
    ("Monsieur MEQUIGNON (*Vice-président en charge de la ruralité*), vous avez la parole",
     "Monsieur MEQUIGNON (Vice-président en charge de la ruralité), vous avez la parole"),
    (" (Rapport n°3 du rapport du Président)**", "(Rapport n°3 du rapport du Président)"),
    ("RAPPORT N°2**CONSEIL DEPARTEMENTAL****REUNION DU 22 SEPTEMBRE 2025****BUDGET SUPPLÉMENTAIRE",
     "RAPPORT N°2\nCONSEIL DEPARTEMENTAL\nREUNION DU 22 SEPTEMBRE 2025\nBUDGET SUPPLÉMENTAIRE"),
    ("<p>Constats et enjeux</p> <p>L'accompagnement des jeunes.</p>",
     "Constats et enjeux\n\nL'accompagnement des jeunes."),
    ('objectifs : <ul style="list-style-type: none"> • Assurer un accueil ; • Créer un lien',
     "objectifs :\n• Assurer un accueil ;\n• Créer un lien"),
    ("IMPUTATION\tLIBELLE\tMONTANT", "IMPUTATION | LIBELLE | MONTANT"),
    ("2 - Budget supplémentaire de l'exercice 2025\t11", "2 - Budget supplémentaire de l'exercice 2025 | 11"),
])
def test_markdown_artefacts(raw, expected):
    assert normalise_markdown(raw).strip() == expected


def test_rules_and_english_image_descriptions_are_dropped_french_kept():
    raw = ("Avant\n--\t---\n---\n"
           "Three handwritten signatures in blue ink. The first signature is a cursive script.\n"
           "A handwritten signature in dark ink, appearing to be 'Ludovic Pajot'.\n"
           "A l'occasion du passage du Tour de France, le Département a mis en place un jeu.\n"
           "Après\n")
    assert normalise_markdown(raw).split("\n")[:3] == [
        "Avant", "A l'occasion du passage du Tour de France, le Département a mis en place un jeu.", "Après"]


def test_normalising_is_idempotent_on_the_bundled_file():
    once = normalise_markdown(BUNDLED_TEXT.read_text(encoding="utf-8"))
    assert normalise_markdown(once) == once


def test_line_structure_is_kept():
    raw = ("**CRÉATION D'UNE PERSONNE MORALE ORGANISATRICE (PMO)\n"
           " ENTRE LE DÉPARTEMENT ET LA FDE\n"
           " (Rapport n°3 du rapport du Président)**\n\n"
           "M. MEQUIGNON.- Merci, Monsieur le Président.\n\n\n\n"
           "Monsieur le Président, chers collègues,\n")
    assert normalise_markdown(raw) == (
        "CRÉATION D'UNE PERSONNE MORALE ORGANISATRICE (PMO)\n"
        "ENTRE LE DÉPARTEMENT ET LA FDE\n"
        "(Rapport n°3 du rapport du Président)\n\n"
        "M. MEQUIGNON.- Merci, Monsieur le Président.\n\n"
        "Monsieur le Président, chers collègues,\n")


def test_lone_running_header_splits_pages_and_is_removed(tmp_path):
    path = tmp_path / "s.md"
    path.write_text(f"Première page.\n\n{HEADER}\n\nDeuxième page, avec {HEADER} dans la phrase.\n",
                    encoding="utf-8")
    doc = read_source(path)
    assert [p.text for p in doc.pages] == ["Première page.",
                                           f"Deuxième page, avec {HEADER} dans la phrase."]


def test_bundled_text_is_clean():
    doc = read_source(BUNDLED_TEXT)
    text = doc.text
    assert doc.kind == "text" and not doc.warnings
    for artefact in ("<u>", "^{", "**", "<p>", "<ul", "handwritten", "\t"):
        assert artefact not in text, artefact
    lines = text.split("\n")
    assert HEADER not in lines
    assert "(Rapport n°2 du rapport du Président)" in lines
    assert sum(line.startswith(("M. LE PRESIDENT.-", "M. LE PRÉSIDENT.-")) for line in lines) > 20
    assert "1ère partie - Procès-verbal de séance | 1" in lines


# -- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cp1252", "latin1", "utf16"])
def test_french_in_a_legacy_encoding_is_read_with_a_warning(good_inputs, name):
    doc = read_source(good_inputs[name])
    assert "Procès-verbal de la séance" in doc.text
    assert "Madame Hélène LEFÈVRE" in doc.text
    assert len(doc.warnings) == 1 and "UTF-8" in doc.warnings[0]


def test_legacy_encoding_warning_reaches_the_cli(good_inputs, capsys):
    assert cli.main(["parse", str(good_inputs["cp1252"])]) == 0
    err = capsys.readouterr().err
    assert "non UTF-8" in err and "Traceback" not in err


# -- PDF oddities that are still readable -------------------------------------------------------


def test_pdf_with_empty_user_password_is_read(good_inputs):
    doc = read_source(good_inputs["owner_encrypted"])
    assert doc.kind == "pdf"
    assert "Madame LEFÈVRE : Je souhaite évoquer la rénovation" in doc.text


def test_small_pdf_keeps_accents_and_turns(good_inputs):
    doc = read_source(good_inputs["small_pdf"])
    assert "Monsieur le Maire ouvre la séance à 19 heures." in doc.text
    assert "\nMadame LEFÈVRE : Je souhaite" in "\n" + doc.text


def test_one_or_two_workers_give_the_same_pages(pv_pdf, monkeypatch):
    monkeypatch.setenv("MINUTES_WORKERS", "1")
    one = read_source(pv_pdf.pdf, cache=False)
    monkeypatch.setenv("MINUTES_WORKERS", "2")
    two = read_source(pv_pdf.pdf, cache=False)
    assert one.pages == two.pages
    assert len(one.pages) >= sources.POOL_MIN_PAGES  # the pool really was used


# -- cache ------------------------------------------------------------------------------------


def test_second_read_comes_from_the_cache(good_inputs, tmp_path, monkeypatch):
    first = read_source(good_inputs["small_pdf"])
    entries = list((tmp_path / "home" / "cache").rglob("*.json"))
    assert len(entries) == 1 and not list((tmp_path / "home" / "cache").rglob(".tmp-*"))

    def boom(*_args, **_kwargs):
        raise AssertionError("the PDF was extracted again")

    monkeypatch.setattr(sources.pdf, "extract_raw_pages", boom)
    again = read_source(good_inputs["small_pdf"])
    assert again.pages == first.pages and again.sha256 == first.sha256


def test_corrupt_cache_entry_is_rebuilt(good_inputs, tmp_path):
    first = read_source(good_inputs["small_pdf"])
    (entry,) = (tmp_path / "home" / "cache").rglob("*.json")
    entry.write_text('{"version": "broken', encoding="utf-8")
    again = read_source(good_inputs["small_pdf"])
    assert again.pages == first.pages
    assert json.loads(entry.read_text(encoding="utf-8"))["sha256"] == first.sha256


# -- bad input ----------------------------------------------------------------------------------


BAD = {
    "missing": "introuvable",
    "directory": "dossier",
    "empty": "vide",
    "empty_pdf": "vide",
    "not_pdf": "n'est pas un PDF",
    "truncated": "tronqué",
    "encrypted": "mot de passe",
    "scanned": "OCR",
    "not_french": "UTF-8",
    "unsupported": "non pris en charge",
    "random_pdf": "n'est pas un PDF",
    "random_txt": "pas du texte",
}


@pytest.fixture(autouse=True)
def _no_ocr_for_bad_inputs(request, monkeypatch):
    """The scanned bad input is the one of a machine without tesseract (tests/test_ocr.py has OCR)."""
    if "bad_inputs" in request.fixturenames:
        monkeypatch.setenv("MINUTES_OCR", "0")


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_naming_the_file(bad_inputs, name):
    path = bad_inputs[name]
    with pytest.raises(SourceError) as info:
        read_source(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    assert BAD[name] in message


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_exits_2_without_traceback(bad_inputs, name, capsys):
    path = bad_inputs[name]
    started = time.perf_counter()
    code = cli.main(["parse", str(path)])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().split("\n")
    assert len(lines) == 1, err
    assert path.name in lines[0] and BAD[name] in lines[0]
    assert "Traceback" not in err
    assert elapsed < 5, f"{name} took {elapsed:.1f} s"


def test_scanned_pdf_says_ocr_first(bad_inputs, monkeypatch):
    monkeypatch.setenv("MINUTES_OCR", "0")  # as without tesseract
    with pytest.raises(SourceError, match=r"ne contient pas de texte : passez-le d'abord à l'OCR.*tesseract-ocr-fra"):
        read_source(bad_inputs["scanned"])


def test_random_megabytes_are_refused_without_reading_them_whole(bad_inputs, monkeypatch):
    def no_full_read(self):
        raise AssertionError("read the whole file")

    monkeypatch.setattr(Path, "read_bytes", no_full_read)
    for name in ("random_pdf", "random_txt"):
        with pytest.raises(SourceError):
            read_source(bad_inputs[name])


def test_words_counter_type():
    assert isinstance(word_counts([]), Counter)


def test_unexpected_error_on_a_file_is_one_line_and_exit_2(good_inputs, monkeypatch, capsys):
    import indexer.parse

    def broken(_path):
        raise ValueError("mise en page\ninattendue")

    monkeypatch.setattr(indexer.parse, "parse_file", broken)
    monkeypatch.delenv("MINUTES_DEBUG", raising=False)
    assert cli.main(["parse", str(good_inputs["small_pdf"])]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().split("\n")) == 1
    assert "court.pdf" in err and "Traceback" not in err


def test_terminal_escapes_in_a_document_never_reach_the_terminal(tmp_path, capsys):
    """A document carrying ESC/BEL sequences must not retitle or clear the user's terminal."""
    text = BUNDLED_TEXT.read_text(encoding="utf-8").replace(
        "Palestine", "Palestine \x1b]0;pwned\x07\x1b[2J\x9b31m", 1)
    assert "\x1b" in text
    path = tmp_path / "pv.txt"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["parse", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert "Palestine" in out and "pwned" in out
    assert not any(c in out for c in "\x1b\x07\x9b") and "\\u001b" not in out
