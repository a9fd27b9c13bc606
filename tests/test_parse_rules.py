"""Unit tests for the parsing rules, each on the literal line it is written for."""

from __future__ import annotations

import pytest

from indexer.parse.dates import find_session_date, parse_french_date, parse_time
from indexer.parse.departmental import _is_turn, is_stage_direction, name_list, table_of_contents, Para, clean_inline
from indexer.parse.votes import is_vote_block, parse_result, parse_vote_block
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
