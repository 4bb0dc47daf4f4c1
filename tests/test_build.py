"""``eukg build``: the served graph answers in ELI terms, dumps round-trip, failures leave the
previous build untouched."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from eukg.build import BuildResult, build, current_release
from eukg.config import Settings
from eukg.errors import ValidationFailed
from tests.helpers import CONCLUSIONS, ask, copy_data, select


def test_the_conclusions_cite_the_acts_and_council_documents_in_eli_terms(store: ox.Store) -> None:
    rows = select(store, f"SELECT ?id {{ <{CONCLUSIONS}> eli:cites ?x . ?x eli:id_local ?id }}")
    ids = {r["id"] for r in rows}
    assert {"32006F0960", "32008D0615", "9596/06", "15446/05", "11657/08", "11960/08"} <= ids


def test_a_part_of_the_conclusions_cites_9596_06(store: ox.Store) -> None:
    rows = select(
        store,
        f"SELECT ?part {{ ?part eli:is_part_of <{CONCLUSIONS}> ; eli:cites ?x . "
        '?x eli:id_local "9596/06" }',
    )
    assert any(r["part"].endswith("/rct_1") for r in rows), rows


def test_the_conclusions_are_dated_24_october_2008(store: ox.Store) -> None:
    rows = select(store, f"SELECT ?d {{ <{CONCLUSIONS}> eli:date_document ?d }}")
    assert [r["d"] for r in rows] == ["2008-10-24"]
    assert ask(store, f'ASK {{ <{CONCLUSIONS}> eli:date_document "2008-10-24"^^xsd:date }}')


def test_inverses_and_alignments_are_materialised(store: ox.Store) -> None:
    assert ask(store, f'ASK {{ ?x eli:cited_by <{CONCLUSIONS}> ; eli:id_local "32008D0615" }}')
    assert ask(store, f"ASK {{ <{CONCLUSIONS}> cdm:work_cites_work ?x }}")
    assert ask(
        store, f"ASK {{ <{CONCLUSIONS}> eli:has_part ?p . ?p eli:is_part_of <{CONCLUSIONS}> }}"
    )
    assert ask(store, f"ASK {{ <{CONCLUSIONS}> a eli:Work ; eli:type_document rt:CONCL }}")
    # titles live on ELI expressions, as ELI wants
    assert ask(
        store,
        "ASK { ?e a eli:Expression ; eli:realizes ?w ; eli:title ?t ; "
        'eli:language lang:ENG . ?w eli:id_local "32008D0615" }',
    )


def test_every_fact_is_traceable_to_a_source_graph(store: ox.Store) -> None:
    rows = select(
        store,
        'SELECT ?g ?url { GRAPH ?g { ?s eli:id_local "32006F0960" } '
        "?g a eukg:Source . OPTIONAL { ?g dct:source ?url } }",
    )
    assert rows and all(r["g"].startswith("https://w3id.org/eukg/id/source/") for r in rows)
    # nothing the build stores outside the default graph lacks a named graph of provenance
    orphans = select(
        store,
        "SELECT ?g { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?g a eukg:Source } "
        "FILTER(?g NOT IN (<https://w3id.org/eukg/id/graph/ontology>, "
        "<https://w3id.org/eukg/id/graph/inferred>)) } LIMIT 1",
    )
    assert not orphans, orphans


def test_build_metadata_and_dumps(built: BuildResult) -> None:
    meta = json.loads((built.release / "build.json").read_text())
    assert meta["counts"]["default_graph"] == built.total > built.asserted > 0
    for name in ("eukg.nq", "eukg.trig", "eukg.ttl", "eukg.nt", "eukg.jsonld"):
        assert (built.release / "dumps" / name).stat().st_size > 1000, name


def test_dumps_round_trip_to_an_isomorphic_graph(built: BuildResult, store: ox.Store) -> None:
    dumps = built.release / "dumps"
    default = Graph()
    for q in ox.parse(path=str(dumps / "eukg.nt"), format=ox.RdfFormat.N_TRIPLES):
        default.add((_rd(q.subject), _rd(q.predicate), _rd(q.object)))  # type: ignore[arg-type]
    from_ttl = Graph().parse(dumps / "eukg.ttl", format="turtle")
    assert isomorphic(default, from_ttl)
    from_jsonld = Graph().parse(dumps / "eukg.jsonld", format="json-ld")
    assert len(from_jsonld) == len(default)
    ds = Dataset()
    ds.parse(dumps / "eukg.trig", format="trig")
    quads = sum(1 for _ in ox.parse(path=str(dumps / "eukg.nq"), format=ox.RdfFormat.N_QUADS))
    assert quads == len(store)
    assert len(list(ds.quads())) == quads


def _rd(term: object) -> object:
    from eukg.terms import to_rdflib

    return to_rdflib(term)  # type: ignore[arg-type]


def _break_celex(data: Path) -> str:
    path = data / "corpus" / "information-exchange.trig"
    text = path.read_text(encoding="utf-8")
    assert '"32008D0615"' in text
    path.write_text(text.replace('"32008D0615"', '"3200BD615"'), encoding="utf-8")
    return "https://w3id.org/eukg/id/eurlex/32008D0615"


def test_invalid_data_stops_the_build_and_keeps_the_previous_one(
    tmp_path: Path, built: BuildResult, build_settings: Settings
) -> None:
    data = copy_data(tmp_path)
    node = _break_celex(data)
    settings = build_settings.with_(data_dir=data)
    before = current_release(settings)
    with pytest.raises(ValidationFailed) as err:
        build(settings)
    assert any(r.focus_node.strip("<>") == node for r in err.value.report.results)  # type: ignore[attr-defined]
    assert current_release(settings) == before
    assert ox.Store.read_only(str(before / "store")) is not None  # type: ignore[operator]
    assert not list((settings.build_dir / "releases").glob(".partial-*"))


def test_a_deployment_base_rewrites_instance_iris(tmp_path: Path) -> None:
    settings = Settings.from_env({}, build_dir=tmp_path / "b", base_iri="http://127.0.0.1:8000/")
    result = build(settings)
    store = ox.Store.read_only(str(result.release / "store"))
    rows = select(store, 'SELECT ?doc { ?doc eli:date_document "2008-10-24"^^xsd:date }')
    assert [r["doc"] for r in rows] == ["http://127.0.0.1:8000/id/doc/convergence-conclusions-2008"]
    # vocabulary IRIs are not instance IRIs: they keep the canonical namespace
    assert ask(store, "ASK { ?d a <https://w3id.org/eukg/ontology#CouncilConclusions> }")
    text = (result.release / "dumps" / "eukg.nt").read_text(encoding="utf-8")
    assert not re.search(r"<https://w3id\.org/eukg/id/", text)
