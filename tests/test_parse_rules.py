"""Unit tests for the parsing rules, each on the literal line it is written for."""

from __future__ import annotations

import pytest

from indexer.parse.dates import find_session_date, parse_french_date, parse_time
from indexer.parse.departmental import _is_turn, is_stage_direction, name_list, table_of_contents, Para, clean_inline
from indexer.parse.rules.vote_blocks import is_vote_block, parse_result, parse_vote_block
from indexer.people import Roster, fold, split_civility, surname_of


# -- votes ----------------------------------------------------------------------

def test_vote_block_on_several_lines():
    block = ("Pour : 76 voix (Groupe Socialiste, Républicain et Citoyen ; Groupe Communiste et Républicain ; "
             "Groupe Union pour le Pas-de-Calais ; Groupe Rassemblement National ; Non-inscrits)\n Contre : 0 voix\n"
             " Abstention : 0 voix\n Absentes sans délégation de vote : 2 (Groupe Socialiste, Républicain et Citoyen)")
    assert is_vote_block(block)
    vote = parse_vote_block(block)
    assert (vote.for_, vote.against, vote.abstention, vote.absent) == (76, 0, 0, 2)
    assert vote.for_groups[-1] == "Non-inscrits" and len(vote.for_groups) == 5
    assert vote.absent_groups == ["Groupe Socialiste, Républicain et Citoyen"]
    assert vote.unanimous


def test_vote_block_with_names_inside_a_group():
    block = ("Nombre d'abstentions : 24 voix (Groupe Union pour le Pas-de-Calais ; Groupe Rassemblement National) "
             "Pour : 54 voix (Groupe Socialiste, Républicain et Citoyen ; Groupe Union pour le Pas-de-Calais "
             "(M. Bruno COUSEIN, Mme Maryse JUMEZ) ; Non-inscrits) Contre : 0 voix")
    vote = parse_vote_block(block)
    assert (vote.for_, vote.abstention, vote.against) == (54, 24, 0)
    assert vote.for_groups[1] == "Groupe Union pour le Pas-de-Calais (M. Bruno COUSEIN, Mme Maryse JUMEZ)"
    assert not vote.unanimous


def test_vote_block_head_counts():
    block = ("Nombre de Conseillers départementaux en exercice : 78 Nombre de Conseillers départementaux présents "
             "au moment du vote : 71 Nombre de délégations de vote : 7 Absent sans délégation de vote : 0")
    vote = parse_vote_block(block)
    assert (vote.in_office, vote.present, vote.proxies, vote.absent) == (78, 71, 7, 0)


@pytest.mark.parametrize("text", ["Pour le groupe.", "Pour : la suite, voir plus bas.", "Contre toute attente, 3 élus."])
def test_not_a_vote_block(text):
    assert not is_vote_block(text)


@pytest.mark.parametrize("text,result", [("(Adopté)", "adopté"), ("(Adoptée)", "adopté"), ("(Rejeté)", "rejeté"),
                                         ("Adopté à l'unanimité", "adopté"), ("Adopté par le conseil hier", None)])
def test_result_line(text, result):
    assert parse_result(text) == result


# -- dates and times ---------------------------------------------------------------

def test_dates():
    assert parse_french_date("Publication électronique le : 8 octobre 2025") == "2025-10-08"
    assert parse_french_date("Date de télétransmission : 08/10/2025") == "2025-10-08"
    assert parse_french_date("le 1er décembre 2023") == "2023-12-01"
    assert find_session_date("Sommaire 12 mars 2024\nSÉANCE DU\n\n22 SEPTEMBRE 2025") == "2025-09-22"


@pytest.mark.parametrize("text,expected", [("10 heures 03", "10:03"), ("14h39", "14:39"), ("20 h", "20:00"),
                                           ("à 15 heures 26.", "15:26"), ("sans heure", None), ("99 h 99", None)])
def test_times(text, expected):
    assert parse_time(text) == expected


# -- turns, directions, lists ---------------------------------------------------------

@pytest.mark.parametrize("line", ["M. LE PRESIDENT.- Merci.", "MME HINGREZ-CEREDA.- Merci, Monsieur le Président.",
                                  "Mme CAUWET.- Monsieur le Président, chers collègues.", "M. LE PRÉSIDENT.- Douce."])
def test_speaker_turns(line):
    assert _is_turn(line)


@pytest.mark.parametrize("line", ["M. le Président va chercher la trompette.", "Mme GAUTHIER quitte l'hémicycle.",
                                  "M. Dupont.- dit quelque chose", "Monsieur MAHUET : bonjour"])
def test_not_departmental_turns(line):
    assert not _is_turn(line)


@pytest.mark.parametrize("text", ["Applaudissements.", "Projection de photos.", "Mme GAUTHIER quitte l'hémicycle.",
                                  "(M. Alexandre MALFAIT procède à l'appel)", "Diffusion d'une vidéo",
                                  "L'Assemblée, debout, observe une minute de silence.",
                                  "Retour de Mme GAUTHIER dans l'hémicycle."])
def test_stage_directions(text):
    assert is_stage_direction(text)


@pytest.mark.parametrize("text", ["(Rapport n°2 du rapport du Président)", "Merci, Monsieur le Président.",
                                  "(" + "un très long aparté " * 20 + ")"])
def test_not_stage_directions(text):
    assert not is_stage_direction(text)


def test_name_list():
    assert name_list("M. Jean-Claude LEROY, Mme Mireille HINGREZ-CÉRÉDA, M. Daniel MACIEJASZ.") == [
        "M. Jean-Claude LEROY", "Mme Mireille HINGREZ-CÉRÉDA", "M. Daniel MACIEJASZ"]


def test_table_of_contents():
    toc = table_of_contents([Para("1 - Partenariat éducatif avec les collèges publics du Pas-de-Calais\t9\n"
                                  "2 - Budget supplémentaire de l'exercice 2025 - Affectation du résultat | 11", None)])
    assert toc == {1: ("Partenariat éducatif avec les collèges publics du Pas-de-Calais", 9),
                   2: ("Budget supplémentaire de l'exercice 2025 - Affectation du résultat", 11)}


def test_markup_is_removed():
    assert clean_inline("<u>1^{ère} partie</u> - **Vœux** *(rires)*") == " 1ère partie  - Vœux (rires)"


# -- people -------------------------------------------------------------------------------

def test_fold_and_names():
    assert fold("HINGREZ-CÉRÉDA") == "hingrez cereda"
    assert fold("Vœu") == "voeu"
    assert split_civility("Mme Mireille HINGREZ-CÉRÉDA") == ("Mme", "Mireille HINGREZ-CÉRÉDA")
    assert surname_of("Jean-Claude LEROY") == "LEROY"
    assert surname_of("Alain DE CARRION") == "DE CARRION"


def test_roster_resolves_label_variants():
    roster = Roster()
    hingrez = roster.add("Mme Mireille HINGREZ-CÉRÉDA")
    assert roster.find("HINGREZ-CEREDA") is hingrez
    assert roster.find("Mme Mireille HINGREZ CEREDA") is hingrez
    leroy = roster.add("M. Jean-Claude LEROY")
    roster.add_title("LE PRESIDENT", leroy)
    assert roster.resolve("M. LE PRÉSIDENT.-", "LE PRÉSIDENT") is leroy
    assert "M. LE PRÉSIDENT.-" in leroy.labels


def test_roster_keeps_homonyms_apart():
    roster = Roster()
    roster.add("M. Jean DUPONT")
    roster.add("Mme Anne DUPONT")
    assert roster.find("DUPONT") is None  # ambiguous: never guess
    assert roster.find("Anne DUPONT").name == "Anne DUPONT"


# -- decision formulas (rules/votes.py) -----------------------------------------

from indexer.parse.citycouncil import english_date, english_time, tally  # noqa: E402
from indexer.parse.dates import met_date  # noqa: E402
from indexer.parse.rules.header import presidency  # noqa: E402
from indexer.parse.rules.headings import (number_alone, number_prefix, numbered_deliberation_heading,  # noqa: E402
                                          strip_page_ref, sub_heading)
from indexer.parse.rules.turns import bare_name_starts  # noqa: E402
from indexer.parse.rules.votes import decision_sentence, election_line, noted_line, result_word  # noqa: E402


@pytest.mark.parametrize("line, expected", [
    ("DECISION : le Conseil Municipal accepte à l'unanimité les propositions du rapporteur.", ("adopté", None, None, None)),
    ("Vote favorable à l'unanimité.", ("adopté", None, None, None)),
    ("Délibération adoptée par 19 voix POUR", ("adopté", 19, None, None)),
    ("Le Conseil communautaire, après en avoir délibéré, avec 61 voix pour, 3 contre et 5 abstentions :",
     ("adopté", 61, 3, 5)),
    ("2 contre, 1 abstention, 12 pour", ("adopté", 12, 2, 1)),
    ("8 voix contre, 1 abstention, 6 pour", ("rejeté", 6, 8, 1)),  # the counts decide
    ("Le conseil municipal, après en avoir délibéré, à l'unanimité (23 voix), décide :", ("adopté", 23, None, None)),
    ("LE CONSEIL MUNICIPAL, A L'UNANIMITE, APPROUVE CETTE PROPOSITION", ("adopté", None, None, None)),
    ("Le conseil municipal, après en avoir délibéré, par quatorze voix pour et deux abstentions, adopte le budget.",
     ("adopté", 14, None, 2)),
    ("Après en avoir délibéré, le Conseil municipal rejette la demande de subvention.", ("rejeté", None, None, None)),
    ("Proposition non retenue par le conseil municipal.", ("rejeté", None, None, None)),
    ("Le conseil municipal, après en avoir délibéré, émet un avis défavorable au projet.",
     ("avis défavorable", None, None, None)),
])
def test_decision_sentence_in_every_phrasing(line, expected):
    vote = decision_sentence(line)
    assert vote is not None
    assert (vote.result, vote.for_, vote.against, vote.abstention) == expected


@pytest.mark.parametrize("line", [
    "Considérant que la commission a adopté le rapport à l'unanimité le 3 mai ;",
    "Vu la délibération du 12 mars adoptée à l'unanimité,",
    "Le bureau communautaire, après en avoir délibéré à l'unanimité :",
    "N° DBC 2022-041 - Voirie - Convention avec le département Le bureau communautaire, après en avoir délibéré à l'unanimité :",
    "Le Conseil Municipal, après en avoir délibéré,",  # the vote comes on the next line
    "Il est proposé au conseil municipal d'adopter le règlement intérieur.",
])
def test_not_a_council_decision(line):
    assert decision_sentence(line) is None


def test_outcomes_beyond_adopted_and_rejected():
    assert noted_line("- prend acte du rapport annuel d'activité 2022.").result == "pris acte"
    assert noted_line("Information sur les marchés passés en 2022. DONT ACTE.").result == "pris acte"
    assert election_line("Sont élus délégués titulaires : M. Paul MARTIN, Mme Anne PETIT.").result == "élection"
    assert result_word("Le point est retiré de l'ordre du jour.") == "retiré"
    assert result_word("Ce projet de délibération est reporté au prochain conseil.") == "reporté"
    assert noted_line("Le Maire propose de prendre une décision.") is None


# -- US city council tallies (citycouncil.py) ------------------------------------

def test_tally_second_number_is_read_from_the_names():
    v = tally("Moved by Smith to adopt. Motion Carried 6-1. Pass: Jones.")
    assert (v.for_, v.against, v.abstention, v.abstention_groups) == (6, 0, 1, ["Jones"])
    v = tally("Moved by Smith to adopt. Motion Carried 6-1. Absent: Jones.")
    assert (v.for_, v.against, v.abstention, v.absent) == (6, 0, None, 1)
    v = tally("Motion Carried 5-2. Nays: Brown and Jones.")
    assert (v.for_, v.against, v.against_groups) == (5, 2, ["Brown", "Jones"])
    v = tally("Motion Carried 5-1-1. Nays: Brown. Pass: Jones.")
    assert (v.for_, v.against, v.abstention) == (5, 1, 1)
    assert tally("Moved by Smith to receive and file. Motion Carried 7-0.").result == "pris acte"
    assert tally("Moved by Brown to approve. Motion Failed 3-4.").result == "rejeté"


def test_english_dates_and_times():
    assert english_date("SUMMARY OF COUNCIL MEETING\nMarch 8, 2004 4:30 P.M.") == "2004-03-08"
    assert (english_time("March 8, 2004 4:30 P.M."), english_time("7:30 AM")) == ("16:30", "07:30")


# -- headings (rules/headings.py) ---------------------------------------------------

def test_deliberation_numbers_of_every_shape():
    assert numbered_deliberation_heading("2019/14 – SUBVENTIONS AUX ASSOCIATIONS") == ("2019/14", "SUBVENTIONS AUX ASSOCIATIONS")
    assert numbered_deliberation_heading("N°2019/15 - ACHAT D'UN TRACTEUR")[0] == "2019/15"
    assert numbered_deliberation_heading("2021.03.12 - 4 VOTE DU BUDGET")[0] == "2021.03.12 - 4"
    assert numbered_deliberation_heading("2019 sera une année de travaux") is None
    assert number_prefix("N° 2021-033 - Budget annexe de l'eau") == ("2021-033", "Budget annexe de l'eau")
    assert number_alone("DELIBERATION DU CONSEIL MUNICIPAL N° DEL2022_07") == "DEL2022_07"
    assert number_alone("DELIBERATION DU CONSEIL MUNICIPAL N° DEL2022_07 : Budget") is None
    assert sub_heading("4.2 Cantine scolaire") == ("4.2", "Cantine scolaire")
    assert sub_heading("4.2.1 Tarifs") == ("4.2.1", "Tarifs")
    assert strip_page_ref("Compte administratif 2021 page 07") == "Compte administratif 2021"


# -- header (rules/header.py, dates.py) -----------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Le conseil municipal s'est réuni sous la présidence de Monsieur Paul MARTIN Maire.", ("Monsieur Paul MARTIN", "Maire")),
    ("… s'est réuni en mairie sous la présidence de Anne Durand, Maire.", ("Anne Durand", "Maire")),
    ("Présidence : M. Pierre LEROUX\nSecrétaire : Mme Anne PETIT", ("M. Pierre LEROUX", "")),
    ("La convocation a été faite le 2 mars 2022 par Sophie Marchand, Présidente.", ("Sophie Marchand", "Président")),
])
def test_presidency_in_every_formula(text, expected):
    assert presidency(text) == expected


def test_meeting_formula_date_wins_over_cited_dates():
    folded = fold("Vu la loi n° 2022-12 du 3 février 2022. Le 14 avril 2023, le conseil municipal de la commune "
                  "de X s'est réuni en séance ordinaire")
    assert met_date(folded) == "2023-04-14"
    text = ("L'an deux mille dix-neuf, le cinq juillet, le conseil municipal s'est réuni.\n"
            "1. Approbation du compte rendu de la séance du 21 juin 2019")
    assert find_session_date(text) == "2019-07-05"


# -- turns (rules/turns.py) -----------------------------------------------------------

def test_reported_speech_of_members_named_without_civility():
    known = {"paul martin", "martin", "anne petit", "petit", "denis vanhecke", "vanhecke"}
    text = ("Le débat s'ouvre. Paul Martin répond que le budget est tenu. Cette Convention précise les tarifs. "
            "Denis Vanecke ajoute que rien ne change.")
    starts = bare_name_starts(text, known)
    assert [label for _, label, _, _ in starts] == ["Paul Martin", "Denis Vanecke"]  # one letter off the list


def test_an_intercommunal_council_is_not_municipal():
    from indexer.parse.rules.header import council_kind

    text = "L'an deux mille vingt, le 3 mars, les conseillers communautaires de Vallée Agglomération se sont réunis."
    assert council_kind(text) == ("Conseil communautaire de Vallée Agglomération", "séance du conseil communautaire")
    assert council_kind("Le conseil municipal de Lens s'est réuni.") is None


def test_a_budget_table_row_is_not_a_heading():
    from indexer.parse.rules.headings import numbered_heading

    assert numbered_heading("10 - Dotations, fonds divers 150 000,00") is None
    assert numbered_heading("10 - Dotations aux associations 2024") == (10, "Dotations aux associations 2024")


def test_attendance_after_the_agenda_of_the_convocation():
    from indexer.parse import parse_document
    from indexer.sources import Document, Page
    from pathlib import Path

    text = ("Séance du conseil municipal du 4 mars 2019\nORDRE DU JOUR\nBudget primitif\nTravaux de voirie\n"
            "L'an deux mille dix-neuf, le quatre mars, le conseil municipal s'est réuni sous la présidence de "
            "Monsieur Jean DUPONT Maire.\nPrésents : M. Jean DUPONT\nM. Paul MARTIN – Mme Anne PETIT\n"
            "Absents-excusés : M. Louis BERNARD\nSecrétaire : Mme Anne PETIT\n"
            "2019/01 – BUDGET PRIMITIF\nLe conseil municipal à l'unanimité approuve le budget primitif.")
    record = parse_document(Document(path=Path("cm.txt"), pages=[Page(1, text)], warnings=[], kind="text",
                                     sha256="0" * 64))
    s = record.session
    assert s.present == ["Jean DUPONT", "Paul MARTIN", "Anne PETIT"] and s.excused == ["Louis BERNARD"]
    assert record.deliberation("2019/01").vote.result == "adopté"


@pytest.mark.parametrize("text, expected", [
    ("19 H 26", "19:26"), ("21 heures 30", "21:30"), ("18h00", "18:00"), ("vingt heures trente", "20:30"),
    ("dix huit heures trente", "18:30"), ("neuf heures et demie", "09:30"),
])
def test_clock_times_in_digits_and_words(text, expected):
    from indexer.parse.rules.header import clock_time

    assert clock_time(text) == expected


def test_start_and_end_formulas():
    from indexer.parse.rules.header import _END, _START, clock_time

    start = _START.search("Le jeudi 24 octobre 2013 à 17 h 30, le Conseil municipal de la commune s'est réuni")
    assert clock_time(start.group(1)) == "17:30"
    end = _END.search("La séance du conseil municipal, au cours de laquelle 12 délibérations ont été prises, "
                      "a été levée à 22h15")
    assert clock_time(end.group(1)) == "22:15"
    assert clock_time(_END.search("Monsieur DUPONT lève la séance à 21 heures 45").group(1)) == "21:45"


def test_postponed_withdrawn_and_other_bodies():
    from indexer.parse.rules.votes import other_body, postponed_line

    assert postponed_line("Ce projet de délibération est reporté au conseil du 12 décembre prochain.").result == "reporté"
    assert postponed_line("Le point est retiré de l'ordre du jour.").result == "retiré"
    assert postponed_line("Le projet avance bien.") is None
    assert other_body("La commission d'appel d'offres, après en avoir délibéré, a retenu la société X.")
    assert not other_body("Le Conseil municipal, après en avoir délibéré, à l'unanimité, approuve.")
    v = decision_sentence("QUI NE PRENNENT PAS PART AU VOTE, ACCEPTE CETTE PROPOSITION")
    assert v is not None and v.result == "adopté"
    assert tally("Moved by Smith to defer. Motion Carried 7-0.").result == "retiré"


def test_a_document_that_is_one_deliberation_without_number():
    from pathlib import Path

    from indexer.parse import parse_document
    from indexer.sources import Document, Page

    text = ("VILLE DE SAINT-EXEMPLE\nDÉLIBÉRATIONS DU CONSEIL MUNICIPAL DU 3 JUIN 2021\n"
            "Le jeudi 3 juin 2021 à 18 h 00, le Conseil municipal s'est réuni sous la présidence de Anne Durand, Maire.\n"
            "Présents : Anne Durand - Paul Martin - Luc Petit\nSecrétaire de séance : Luc Petit\n"
            "Convention avec le syndicat des eaux – Avenant n°2\nde la convention de 2015.\n"
            "Le syndicat propose de prolonger la convention.\nDélibération adoptée à l'unanimité")
    record = parse_document(Document(path=Path("cm.txt"), pages=[Page(1, text)], warnings=[], kind="text",
                                     sha256="0" * 64))
    assert [a.title for a in record.agenda] == ["Convention avec le syndicat des eaux – Avenant n°2 de la convention de 2015"]
    (d,) = record.deliberations
    assert d.vote.result == "adopté" and not d.numbered and d.item == "deliberation"


def test_minutes_approved_without_remark():
    from indexer.parse.rules.votes import approved_without_remark

    assert approved_without_remark("Le procès-verbal de la séance du 3 mai ne fait l'objet d'aucune remarque.").result == "adopté"
    assert approved_without_remark("Le compte rendu est approuvé sans observation.").result == "adopté"
    assert approved_without_remark("Le Maire fait une remarque sur le compte rendu.") is None


def test_unanimity_with_exceptions():
    v = decision_sentence("Le conseil municipal, après en avoir délibéré, à l'unanimité moins deux abstentions "
                          "(M. Paul MARTIN, Mme Anne PETIT), adopte le budget.")
    assert (v.result, v.abstention, v.abstention_groups, v.unanimous) == (
        "adopté", 2, ["M. Paul MARTIN", "Mme Anne PETIT"], False)
    v = decision_sentence("Après en avoir délibéré, le Conseil municipal approuve à l'unanimité, M. Luc BERNARD "
                          "s'abstenant.")
    assert (v.abstention, v.abstention_groups) == (1, ["M. Luc BERNARD"])
    v = decision_sentence("Le conseil municipal, à l'unanimité des suffrages exprimés, Mme Anne PETIT et M. Paul MARTIN "
                          "votant contre, adopte la motion.")
    assert (v.against, v.against_groups) == (2, ["Mme Anne PETIT", "M. Paul MARTIN"])


def test_attendance_box_interleaved_with_the_proxy_list():
    from pathlib import Path

    from indexer.parse import parse_document
    from indexer.sources import Document, Page

    text = ("Compte rendu du conseil municipal du 3 juin 2021\n"
            "Présents : Anne Durand - Paul Martin -\nLuc Petit - Marie Curie\nExcusés ont donné pouvoir :\n"
            "Jean Dupont à Anne Durand\nElus en exercice : 7\nSophie Morel à Paul Martin\nAbsents : 1\n"
            "Secrétaire de séance : Luc Petit\n1. Budget primitif\nLe conseil municipal, à l'unanimité, adopte le budget.")
    record = parse_document(Document(path=Path("cm.txt"), pages=[Page(1, text)], warnings=[], kind="text",
                                     sha256="0" * 64))
    s = record.session
    assert s.present == ["Anne Durand", "Paul Martin", "Luc Petit", "Marie Curie"]
    assert [(p.giver, p.holder) for p in s.proxies] == [("Jean Dupont", "Anne Durand"), ("Sophie Morel", "Paul Martin")]


def test_submitting_to_the_vote_is_procedure_not_speech():
    from indexer.parse.rules.turns import reported_starts

    assert reported_starts("M. le Maire soumet cette proposition à délibération.") == []
    assert reported_starts("Madame le Maire soumet le projet au vote.") == []
    assert [s[1] for s in reported_starts("M. le Maire soumet une idée nouvelle aux élus.")] == ["M. le Maire"]


def test_count_lines_without_colon_and_more_number_shapes():
    from indexer.parse.rules.headings import deliberation_heading
    from indexer.parse.rules.votes import count_line

    assert count_line("Pour 20") == ("pour", 20, [])
    assert count_line("Contre 2 (M. Paul MARTIN, Mme Anne PETIT)") == ("contre", 2, ["M. Paul MARTIN", "Mme Anne PETIT"])
    assert count_line("Pour 2025, le budget sera revu.") is None
    assert deliberation_heading("Délibération n°2023-045 – Objet : Tarifs de la cantine") == ("2023-045", "Tarifs de la cantine")
    assert deliberation_heading("N° 2023-46 : Subvention au club") == ("2023-46", "Subvention au club")
    assert number_alone("N° 2023-47") == "2023-47"


def test_a_number_on_one_line_and_its_objet_on_the_next():
    from pathlib import Path

    from indexer.parse import parse_document
    from indexer.sources import Document, Page

    text = ("Compte rendu du conseil municipal du 3 juin 2021\nN° 2021-12\nObjet : Tarifs de la cantine\n"
            "Le conseil municipal, après en avoir délibéré, par 10 voix pour et 3 contre, adopte les tarifs.\n"
            "N° 2021-13\nObjet : Subvention au club\nVote :\nPour 4\nContre 9\n")
    record = parse_document(Document(path=Path("cm.txt"), pages=[Page(1, text)], warnings=[], kind="text",
                                     sha256="0" * 64))
    assert [(a.deliberation, a.title) for a in record.agenda] == [("2021-12", "Tarifs de la cantine"),
                                                                   ("2021-13", "Subvention au club")]
    assert record.deliberation("2021-12").vote.result == "adopté"
    assert record.deliberation("2021-13").vote.result == "rejeté"  # more against than for


def test_counts_written_on_one_line_are_split_per_label():
    from indexer.parse.rules.votes import count_line, split_counts

    line = ("− Pour : 6, Madame BOURBIER, Monsieur GAUTHIER − Contre : 4, Monsieur GOSSOT, Madame HUDO "
            "− Abstentions : 9, Madame HEURTAULT, Monsieur LEBLANC")
    pieces = split_counts(line)
    assert [count_line(p) for p in pieces] == [
        ("pour", 6, ["Madame BOURBIER", "Monsieur GAUTHIER"]),
        ("contre", 4, ["Monsieur GOSSOT", "Madame HUDO"]),
        ("abstention", 9, ["Madame HEURTAULT", "Monsieur LEBLANC"])]
    assert [count_line(p) for p in split_counts("Abstentions : Mme Debuisser, M. Leblanc Contre : M. Papin, M. Tanguy")] \
        == [("abstention", None, ["Mme Debuisser", "M. Leblanc"]), ("contre", None, ["M. Papin", "M. Tanguy"])]
    assert split_counts("− Pour : 16") == ["− Pour : 16"]
    assert split_counts("Il votera Contre : cela ne change rien.") == ["Il votera Contre : cela ne change rien."]


def test_count_before_its_label_and_reasons_after_names():
    from indexer.parse.rules.votes import count_line

    assert count_line("4 abstentions : Mme Debuisser, M. Leblanc, M. Papin, M. Thuillier") == (
        "abstention", 4, ["Mme Debuisser", "M. Leblanc", "M. Papin", "M. Thuillier"])
    assert count_line("1 contre : M. Leblanc") == ("contre", 1, ["M. Leblanc"])
    assert count_line("Absentions : M. Thuillier, Mme Debuisser qui préfère la guinguette.") == (
        "abstention", None, ["M. Thuillier", "Mme Debuisser"])
    assert count_line("− Abstentions : 3, Madame HUDO, Madame DANAN en raison d’un manque d’informations") == (
        "abstention", 3, ["Madame HUDO", "Madame DANAN"])


def _municipal(text):
    from indexer.parse import parse_document
    from pathlib import Path

    from indexer.sources.base import Document, Page

    return parse_document(Document(path=Path("cm.txt"), pages=[Page(1, text)], warnings=[], kind="text", sha256="0"))


def test_unanimity_then_abstentions_is_not_unanimous_and_counts_on_one_line():
    text = ("Conseil municipal de Pierrefonds\nSéance du 3 avril 2025\n\n"
            "D2025-010- Objet : Compte financier unique 2024\n"
            "Le Conseil municipal, après en avoir délibéré, à l'unanimité :\n- APPROUVE le compte financier unique.\n"
            "4 abstentions : Mme Debuisser, M. Leblanc, M. Papin, M. Thuillier D2025-011- Objet : Affectation des résultats\n"
            "Le Conseil municipal, après en avoir délibéré, à la majorité :\n"
            "Pour : 6, Madame BOURBIER, Monsieur GAUTHIER − Contre : 4, Monsieur GOSSOT, Madame HUDO\n")
    record = _municipal(text)
    first, second = record.votes[0], record.votes[1]
    assert not first.unanimous and first.abstention == 4 and "M. Thuillier" in first.abstention_groups
    assert second.item != first.item  # the heading run into the abstention line is read
    assert second.for_ == 6 and second.against == 4 and second.against_groups == ["Monsieur GOSSOT", "Madame HUDO"]


def test_count_lines_after_a_named_part_are_a_vote_of_their_own():
    text = ("Conseil municipal de Pierrefonds\nSéance du 3 avril 2025\n\n"
            "D2025-012- Objet : Subventions 2025 aux associations\n"
            "Le Conseil municipal, après en avoir délibéré, à la majorité :\n- ATTRIBUE les subventions.\n"
            "Pour le Festival des Forêts, Monsieur Papin estime qu’il s’agit d’une association professionnelle. "
            "Abstentions : Mme Debuisser, M. Leblanc Contre : M. Papin, M. Tanguy\n"
            "Pour l’Enceinte, Madame Debuisser demande pourquoi une telle augmentation.\n"
            "Contre : M. Leblanc qui estime qu’il y a trop de bruit.\n")
    votes = _municipal(text).votes
    assert len(votes) == 3 and len({v.item for v in votes}) == 1
    festival, enceinte = votes[1], votes[2]
    assert festival.text.startswith("Pour le Festival des Forêts :")
    assert festival.against_groups == ["M. Papin", "M. Tanguy"] and festival.abstention_groups == ["Mme Debuisser", "M. Leblanc"]
    assert enceinte.against_groups == ["M. Leblanc"] and votes[0].against is None


def test_a_formula_vote_after_a_named_part_keeps_its_count_lines():
    text = ("Conseil municipal de Pierrefonds\nSéance du 3 avril 2025\n\n"
            "D2025-013- Objet : Vote des taux d’imposition\n"
            "Pour le budget, Monsieur Ribeiro rappelle les taux.\n"
            "Le Conseil municipal, après en avoir délibéré, à la majorité :\n- DÉCIDE de fixer les taux.\n"
            "1 contre : M. Leblanc\n")
    votes = _municipal(text).votes
    assert len(votes) == 1 and votes[0].against == 1 and votes[0].against_groups == ["M. Leblanc"]
