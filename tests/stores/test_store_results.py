"""eukg.stores.results and the format table: every term survives, limits are exact."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from eukg.stores import GRAPH_FORMATS, MEDIA_TYPES, RESULTS_FORMATS, ResultNotWritable
from eukg.stores.results import graph_response, solutions_response

XSD = "http://www.w3.org/2001/XMLSchema#"
S = ox.NamedNode("http://example.org/s")
TERMS: list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = [
    ox.NamedNode("http://example.org/é?x=1#f"),
    ox.BlankNode("b1"),
    ox.Literal("plain"),
    ox.Literal('quote " and \\ and \n newline'),
    ox.Literal("chat", language="fr"),
    ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL),
    ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("2008-10-24", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("x", datatype=ox.NamedNode("http://example.org/dt")),
    ox.Triple(S, ox.NamedNode("http://example.org/p"), ox.Literal("o")),
]


def test_media_types_match_pyoxigraph() -> None:
    assert set(RESULTS_FORMATS) == {"json", "xml", "csv", "tsv"}
    assert set(GRAPH_FORMATS) == {"turtle", "ntriples", "rdfxml", "jsonld", "nquads", "trig"}
    for fmt in MEDIA_TYPES.values():
        assert fmt.oxigraph.media_type.split(";")[0] == fmt.media_type


def solutions(
    rows: list[list[object]], names: list[str]
) -> tuple[list[ox.QuerySolution], list[ox.Variable]]:
    """Rows as pyoxigraph solutions, read from TSV (which keeps every term as written)."""
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join(_tsv(t) for t in row) for row in rows]
    result = ox.parse_query_results("\n".join(lines) + "\n", format=ox.QueryResultsFormat.TSV)
    assert isinstance(result, ox.QuerySolutions)
    return list(result), result.variables


def _tsv(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {term.subject} {term.predicate} {term.object} )>>"
    return str(term)


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_every_kind_of_term_survives(fmt: str) -> None:
    rows: list[list[object]] = [[t, None] if i % 2 else [None, t] for i, t in enumerate(TERMS)]
    given, variables = solutions(rows, ["a", "b"])
    response = solutions_response(given, variables, "select", MEDIA_TYPES[fmt], None)
    parsed = ox.parse_query_results(response.body, format=MEDIA_TYPES[fmt].oxigraph)  # type: ignore[arg-type]
    assert [list(r) for r in parsed] == [list(r) for r in given]  # type: ignore[union-attr]
    assert (response.rows, response.truncated) == (len(rows), False)


def test_blank_nodes_and_directions_in_json() -> None:
    store = ox.Store()
    store.add(ox.Quad(S, ox.NamedNode("http://example.org/p"), ox.BlankNode("b1")))
    store.add(ox.Quad(S, ox.NamedNode("http://example.org/q"), TERMS[5]))  # type: ignore[arg-type]
    result = store.query("SELECT ?p ?o { ?s ?p ?o } ORDER BY ?p")
    response = solutions_response(result, result.variables, "select", MEDIA_TYPES["json"], None)  # type: ignore[union-attr]
    bindings = json.loads(response.body)["results"]["bindings"]
    assert bindings[0]["o"]["type"] == "bnode"
    assert bindings[1]["o"] == {
        "type": "literal",
        "value": "مرحبا",
        "xml:lang": "ar",
        "its:dir": "rtl",
    }


@pytest.mark.parametrize(
    "limit,rows,truncated", [(0, 0, True), (2, 2, True), (3, 3, False), (9, 3, False)]
)
def test_row_limit_is_exact(limit: int, rows: int, truncated: bool) -> None:
    given, variables = solutions([[ox.Literal(n)] for n in "123"], ["n"])
    response = solutions_response(iter(given), variables, "select", MEDIA_TYPES["csv"], limit)
    assert (response.rows, response.truncated) == (rows, truncated)
    assert response.body.count(b"\r\n") == rows + 1


def test_graph_limit_counts_distinct_triples() -> None:
    t1 = ox.Triple(S, ox.NamedNode("http://example.org/p"), ox.Literal("1"))
    t2 = ox.Triple(S, ox.NamedNode("http://example.org/p"), ox.Literal("2"))
    response = graph_response([t1, t1, t1, t2], "construct", MEDIA_TYPES["ntriples"], 2)
    assert (response.rows, response.truncated) == (2, False)
    response = graph_response([t1, t1, t2], "construct", MEDIA_TYPES["ntriples"], 1)
    assert (response.rows, response.truncated) == (1, True)


def test_graph_in_a_dataset_format_is_the_default_graph() -> None:
    t = ox.Triple(S, ox.NamedNode("http://example.org/p"), ox.Literal("1"))
    body = graph_response([t], "construct", MEDIA_TYPES["nquads"], None).body
    assert [q.graph_name for q in ox.parse(body, format=ox.RdfFormat.N_QUADS)] == [
        ox.DefaultGraph()
    ]


def test_rdfxml_refuses_a_predicate_it_cannot_write() -> None:
    t = ox.Triple(S, ox.NamedNode("http://example.org/1"), ox.Literal("1"))
    with pytest.raises(ResultNotWritable, match="RDF/XML"):
        graph_response([t], "construct", MEDIA_TYPES["rdfxml"], None)


def test_jsonld_refuses_triple_terms() -> None:
    t = ox.Triple(S, ox.NamedNode("http://example.org/p"), TERMS[-1])  # type: ignore[arg-type]
    with pytest.raises(ResultNotWritable, match="ask for Turtle"):
        graph_response([t], "construct", MEDIA_TYPES["jsonld"], None)
    assert graph_response([t], "construct", MEDIA_TYPES["turtle"], None).rows == 1


def test_turtle_uses_given_prefixes_and_skips_unusable_ones() -> None:
    t = ox.Triple(S, ox.NamedNode("http://example.org/p"), ox.Literal("1"))
    prefixes = {"ex": "http://example.org/", "bad prefix": "http://x/", "rel": "relative/"}
    body = graph_response([t], "construct", MEDIA_TYPES["turtle"], None, prefixes).body
    assert b"@prefix ex: <http://example.org/>" in body and b"ex:p" in body
    assert b"bad prefix" not in body and b"relative" not in body
