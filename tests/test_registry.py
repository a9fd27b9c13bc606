"""The register of persons across sessions (indexer/registry.py), on small hand-made records."""

from __future__ import annotations

from indexer.model import Person, Record, Session, Speech
from indexer.people import slug
from indexer.registry import build_registry, edits


def _record(date: str, names: list[str], speakers: tuple[str, ...] = (), group: dict[str, str] | None = None,
            roles: dict[str, list[str]] | None = None) -> Record:
    sid = f"cm-{date}"
    persons = [Person(id=slug(n), name=n, group=(group or {}).get(n, ""), roles=(roles or {}).get(n, []),
                      labels=[f"M. {n.split()[-1]}"]) for n in names]
    speeches = [Speech(id=f"{sid}/s{k:03d}", order=k, label=f"M. {n.split()[-1]}", speaker=n, person_id=slug(n),
                       item=None, text="Bonjour.", words=1) for k, n in enumerate(speakers, start=1)]
    return Record(session=Session(id=sid, body="Conseil municipal", date=date), persons=persons, speeches=speeches)


def test_a_name_cut_by_the_text_layer_is_the_same_person() -> None:
    records = [_record("2020-01-10", ["Michel LEBLANC", "Ronan TANGUY"]),
               _record("2021-03-02", ["M ichel LEBLANC", "R onan TANGUY"], speakers=("M ichel LEBLANC",)),
               _record("2022-05-05", ["Michel LEBLANC", "Marie-Alice DEBUIS SER"]),
               _record("2023-05-05", ["Marie-Alice DEBUISSER"])]
    reg = build_registry(records)
    leblanc = reg.get("m-ichel-leblanc")
    assert leblanc is not None and leblanc.id == "michel-leblanc" and leblanc.name == "Michel LEBLANC"
    assert set(leblanc.ids) == {"michel-leblanc", "m-ichel-leblanc"}
    assert leblanc.sessions == ["cm-2020-01-10", "cm-2021-03-02", "cm-2022-05-05"]
    assert "mêmes lettres" in leblanc.evidence[0]
    assert reg.canonical("marie-alice-debuis-ser") == "marie-alice-debuisser"
    assert reg.get("r-onan-tanguy").name == "Ronan TANGUY"
    assert len(reg.persons) == 3


def test_first_names_one_letter_apart_merge_only_when_never_listed_together() -> None:
    apart = build_registry([_record("2016-01-10", ["Carine DUTEIL"]), _record("2019-01-10", ["Karine DUTEIL"]),
                            _record("2020-01-10", ["Karine DUTEIL"])])
    entry = apart.get("carine-duteil")
    assert entry is not None and entry.id == "karine-duteil"
    assert "jamais cités dans la même séance" in entry.evidence[0]
    together = build_registry([_record("2016-01-10", ["Carine DUTEIL", "Karine DUTEIL"])])
    assert len(together.persons) == 2  # two people of one family sit together: never merged
    different = build_registry([_record("2016-01-10", ["Jean MARTIN"]), _record("2017-01-10", ["Paul MARTIN"])])
    assert len(different.persons) == 2


def test_a_surname_alone_joins_the_one_close_full_name_of_its_session() -> None:
    reg = build_registry([_record("2020-01-10", ["Romain RIBEIRO", "RIBERO"]), _record("2021-01-10", ["Romain RIBEIRO"])])
    assert reg.canonical("ribero") == "romain-ribeiro"
    assert reg.get("romain-ribeiro").name == "Romain RIBEIRO"
    lonely = build_registry([_record("2020-01-10", ["POUPINOT", "Romain RIBEIRO"])])
    assert lonely.canonical("poupinot") == "poupinot"  # nobody close: stays on its own


def test_groups_and_roles_carry_the_dates_they_were_held() -> None:
    name = "Florence DEMOUY"
    reg = build_registry([
        _record("2015-10-15", [name], group={name: "Opposition"}),
        _record("2018-03-01", [name], group={name: "Opposition"}),
        _record("2020-06-11", [name], group={name: "Majorité"}, roles={name: ["Maire"]}),
        _record("2025-09-29", [name], group={name: "Majorité"}, roles={name: ["Maire"]})])
    entry = reg.get("florence-demouy")
    assert [(h.value, h.first, h.last, h.sessions) for h in entry.groups] == [
        ("Opposition", "2015-10-15", "2018-03-01", 2), ("Majorité", "2020-06-11", "2025-09-29", 2)]
    assert [(h.value, h.first, h.last) for h in entry.roles] == [("Maire", "2020-06-11", "2025-09-29")]
    assert entry.group == "Majorité"


def test_edit_distance_stops_early() -> None:
    assert edits("carine", "karine", 1) == 1
    assert edits("ribero", "ribeiro", 1) == 1
    assert edits("reibero", "ribeiro", 1) == 2
    assert edits("jean", "jean-pierre", 1) == 2
