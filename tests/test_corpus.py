"""The corpus around the 2008 conclusions (issue 5): relations in ELI terms, and the named
queries on in-force status, succession, changes, agencies, legal bases, subjects, objectives and
time, each asserted on the shipped data."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.helpers import ask
from tests.test_named_queries import QUERIES, run

ACT = "https://w3id.org/eukg/id/eurlex/"


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        ("32023L0977", "eli:repeals", "32006F0960"),
        ("32006F0960", "eli:repealed_by", "32023L0977"),
        ("32016R0794", "eli:repeals", "32009D0371"),
        ("32019R1896", "eli:repeals", "32016R1624"),
        ("32016R1624", "eli:repeals", "32004R2007"),
        ("32024R0982", "eli:amends", "32008D0615"),
        ("32024R0982", "eli:amends", "32008D0616"),
        ("32008D0615", "eli:amended_by", "32024R0982"),
        ("32008D0616", "eli:ensures_implementation_of", "32008D0615"),
        ("32016R0794", "cdm:resource_legal_repeals_resource_legal", "32009D0371"),
    ],
)
def test_relations_in_eli_terms(store: ox.Store, subject: str, predicate: str, obj: str) -> None:
    assert ask(
        store,
        f'ASK {{ ?s {predicate} ?o . ?s eli:id_local "{subject}" . ?o eli:id_local "{obj}" }}',
    )


def test_amending_is_not_recorded_as_repealing(store: ox.Store) -> None:
    for target in ("32008D0615", "32008D0616"):
        assert not ask(
            store, f"ASK {{ <{ACT}32024R0982> eli:repeals|eukg:replaces <{ACT}{target}> }}"
        )


def test_agency_succession_is_recorded(store: ox.Store) -> None:
    # Europol: Convention → Decision 2009/371/JHA → Regulation (EU) 2016/794
    assert ask(
        store,
        "ASK { ?d eukg:replaces <https://w3id.org/eukg/id/doc/europol-convention> ; "
        'eli:id_local "32009D0371" }',
    )
    assert ask(
        store,
        f"ASK {{ <{ACT}32009D0371> eukg:establishes <https://w3id.org/eukg/id/org/europol> }}",
    )


def by(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in rows if key in r}


def test_in_force_on_a_date(store: ox.Store) -> None:
    rows = by(run(store, "in-force-on", date="2018-01-01"), "act")
    assert rows[ACT + "32009D0371"]["status"] == "not in force"
    assert rows[ACT + "32009D0371"]["since"] == "2017-04-30"
    assert rows[ACT + "32016R0794"]["status"] == "in force"
    assert rows[ACT + "32024R0982"]["status"] == "not yet adopted"
    early = by(run(store, "in-force-on", date="2024-04-10"), "act")
    assert early[ACT + "32024R0982"]["status"] == "not yet in force"  # entry into force 25.4.2024
    # repealed in 2023, but the date the repeal took effect is not recorded: not guessed
    later = by(run(store, "in-force-on", date="2024-01-01"), "act")
    assert later[ACT + "32006F0960"]["status"] == "undetermined"
    assert "2023-05-10" in later[ACT + "32006F0960"]["basis"]
    assert later[ACT + "32006F0960"]["by"] == ACT + "32023L0977"
    invalid = by(run(store, "in-force-on", date="2015-01-01"), "act")
    assert (
        invalid["https://w3id.org/eukg/id/doc/directive-2006-24-ec"]["status"] == "declared invalid"
    )


def test_succession_chain_reaches_the_current_successor(store: ox.Store) -> None:
    rows = run(store, "succession-chain", act=ACT + "32004R2007")
    assert [r["id"] for r in rows] == ["32004R2007", "32016R1624", "32019R1896"]
    assert [r["current"] for r in rows] == ["false", "false", "true"]
    middle = run(store, "succession-chain", act=ACT + "32016R1624")
    assert {r["role"] for r in middle} == {"predecessor", "the instrument asked about", "successor"}


def test_changes_to_an_instrument_in_time_order(store: ox.Store) -> None:
    rows = run(store, "changes-to", act=ACT + "32002D0187")
    assert [(r["change"], r["id"]) for r in rows] == [
        ("amends", "32009D0426"),
        ("repeals", "32018R1727"),
        ("replaces", "32018R1727"),
    ]


def test_agencies_and_founding_acts(store: ox.Store) -> None:
    rows = run(store, "agencies-founding-acts", agency="https://w3id.org/eukg/id/org/europol")
    assert [(r.get("id"), r["role"]) for r in rows][-2:] == [
        ("32009D0371", "establishes"),
        ("32016R0794", "succeeds founding act"),
    ]
    everything = run(store, "agencies-founding-acts")
    assert {r["agencyLabel"] for r in everything} >= {"Europol", "Frontex", "Eurojust"}


def test_instruments_by_legal_basis_subject_and_objective(store: ox.Store) -> None:
    basis = run(store, "instruments-by-legal-basis")
    assert any(r.get("id") == "32010D0131" for r in basis)
    subject = run(store, "instruments-by-subject", subject="http://eurovoc.europa.eu/616")
    assert {r.get("id") for r in subject} >= {"32006F0960", "32023L0977"}
    assert {r.get("subjectLabel") for r in subject} == {"exchange of information"}
    objective = run(
        store,
        "instruments-by-objective",
        objective="https://w3id.org/eukg/id/objective/information-exchange",
    )
    assert {r.get("id") for r in objective} >= {"32006F0960", "32008D0615", "32023L0977"}


def test_cited_documents_no_longer_in_force(store: ox.Store) -> None:
    rows = run(store, "cited-no-longer-in-force")
    assert {(r["citedId"], r["change"], r["byId"], r["byDate"]) for r in rows} == {
        ("32006F0960", "repealed", "32023L0977", "2023-05-10"),
    }
    assert rows[0]["currentSuccessorId"] == "32023L0977"


def test_timeline_between_two_dates(store: ox.Store) -> None:
    rows = run(store, "timeline", **{"from": "2008-06-01", "to": "2008-12-31"})
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates) and all("2008-06-01" <= d <= "2008-12-31" for d in dates)
    events = {(r["date"], r["event"], r.get("id")) for r in rows}
    assert ("2008-06-23", "adopted", "32008D0615") in events
    assert ("2008-08-06", "published in the Official Journal", "32008D0615") in events
    assert any(e[0] == "2008-10-24" and e[1] == "adopted" for e in events)


def test_every_issue_5_query_is_shipped() -> None:
    assert {
        "in-force-on",
        "succession-chain",
        "changes-to",
        "agencies-founding-acts",
        "instruments-by-legal-basis",
        "instruments-by-subject",
        "instruments-by-objective",
        "cited-no-longer-in-force",
        "timeline",
        "what-became-of-cited",
    } <= set(QUERIES)


def test_what_became_of_the_cited_documents(store: ox.Store) -> None:
    rows = run(store, "what-became-of-cited")
    changes = {(r.get("citedId"), r["change"], r.get("byId")) for r in rows}
    assert ("32006F0960", "repealed", "32023L0977") in changes
    assert ("32008D0615", "amended", "32024R0982") in changes
    assert ("32008D0615", "implementing rules adopted", "32008D0616") in changes
    assert ("9596/06", "no change recorded", None) in changes
    assert not any(c == ("32008D0615", "repealed", "32024R0982") for c in changes)
