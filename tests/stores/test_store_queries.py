"""Both backends answer the same queries the same way: formats, dataset, bindings, limits."""

from __future__ import annotations

import csv
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest

from eukg.errors import QueryParameterError, QuerySyntaxError
from eukg.stores import MEDIA_TYPES, QueryRequest, ResultNotWritable, Store
from tests.stores.dataset import (
    EX,
    GRAPH_A,
    GRAPH_B,
    INJECTION,
    PROLOGUE,
    QUOTED,
    default_graph,
    named_graphs,
)

TIMEOUT = 10.0
TITLES = PROLOGUE + "SELECT ?doc ?title WHERE { ?doc ex:title ?title } ORDER BY ?doc"


def run(backend: Store, query: str, **options: object) -> bytes:
    return backend.execute(QueryRequest(PROLOGUE + query, **options), TIMEOUT).body  # type: ignore[arg-type]


def rows(backend: Store, query: str, **options: object) -> list[tuple[str | None, ...]]:
    """The rows of a SELECT, each term in N-Triples syntax."""
    body = run(backend, query, **options)
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(None if t is None else str(t) for t in row) for row in solutions]


def iri(local: str) -> str:
    return f"<{EX}{local}>"


def test_many_threads_at_once(backend: Store) -> None:
    """The API calls execute from many threads: every answer is right."""
    formats = ["json", "xml", "csv", "tsv"]

    def ask(i: int) -> tuple[int, int | None]:
        request = QueryRequest(TITLES, results_format=formats[i % 4], max_rows=1 + i % 3)
        return i, backend.execute(request, TIMEOUT).rows

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(ask, range(30)))
    assert answers == [(i, 1 + i % 3) for i in range(30)]


def test_backend_implements_the_protocol(backend: Store) -> None:
    assert isinstance(backend, Store)
    assert backend.name in ("embedded", "remote")


def test_triple_count_is_the_default_graph(backend: Store) -> None:
    assert backend.triple_count() == len(default_graph())


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_results_parse_back_in_each_format(backend: Store, fmt: str) -> None:
    response = backend.execute(QueryRequest(TITLES, results_format=fmt), TIMEOUT)
    assert response.media_type == MEDIA_TYPES[fmt].media_type
    assert (response.form, response.rows, response.truncated) == ("select", 3, False)
    parsed = ox.parse_query_results(response.body, format=MEDIA_TYPES[fmt].oxigraph)  # type: ignore[arg-type]
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == ["doc", "title"]
    assert [(str(r["doc"]), str(r["title"])) for r in parsed] == [
        (iri("doc1"), '"Regulation 1/2008"@en'),
        (iri("doc2"), '"Directive 2/2011"@en'),
        (iri("doc3"), '"Décision 3"@fr'),
    ]


def test_select_csv_parses_back(backend: Store) -> None:
    response = backend.execute(QueryRequest(TITLES, results_format="csv"), TIMEOUT)
    assert response.media_type == "text/csv"
    table = list(csv.reader(io.StringIO(response.body.decode("utf-8"))))
    assert table == [
        ["doc", "title"],
        [f"{EX}doc1", "Regulation 1/2008"],
        [f"{EX}doc2", "Directive 2/2011"],
        [f"{EX}doc3", "Décision 3"],
    ]


def test_select_keeps_blank_nodes_and_typed_literals(backend: Store) -> None:
    result = rows(
        backend, "SELECT ?c ?name ?n { ex:doc3 ex:contact ?c ; ex:number ?n . ?c ex:name ?name }"
    )
    assert len(result) == 1
    contact, name, number = result[0]
    assert contact is not None and contact.startswith("_:")
    assert (name, number) == ('"Registry"', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(
    "query,expected",
    [("ASK { ex:doc1 ex:cites ex:doc2 }", True), ("ASK { ex:doc2 ex:cites ex:doc1 }", False)],
)
def test_ask_in_each_format(backend: Store, fmt: str, query: str, expected: bool) -> None:
    response = backend.execute(QueryRequest(PROLOGUE + query, results_format=fmt), TIMEOUT)
    assert (response.form, response.rows, response.truncated) == ("ask", None, False)
    if fmt in ("csv", "tsv"):
        assert response.body.strip() == (b"true" if expected else b"false")
    else:
        parsed = ox.parse_query_results(response.body, format=MEDIA_TYPES[fmt].oxigraph)  # type: ignore[arg-type]
        assert bool(parsed) is expected


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld", "nquads", "trig"])
def test_construct_parses_back_in_each_format(backend: Store, fmt: str) -> None:
    query = PROLOGUE + "CONSTRUCT { ?doc ex:label ?title } WHERE { ?doc ex:title ?title }"
    response = backend.execute(QueryRequest(query, graph_format=fmt), TIMEOUT)
    assert response.media_type == MEDIA_TYPES[fmt].media_type
    assert (response.form, response.rows, response.truncated) == ("construct", 3, False)
    parsed = {q.triple for q in ox.parse(response.body, format=MEDIA_TYPES[fmt].oxigraph)}  # type: ignore[arg-type]
    expected = {
        ox.Triple(t.subject, ox.NamedNode(EX + "label"), t.object)
        for t in default_graph()
        if t.predicate.value == EX + "title"
    }
    assert parsed == expected


def test_construct_turtle_uses_the_query_prefixes(backend: Store) -> None:
    body = run(backend, "CONSTRUCT WHERE { ex:doc1 ex:cites ?o }", graph_format="turtle")
    assert f"@prefix ex: <{EX}>".encode() in body
    assert b"ex:doc1 ex:cites ex:doc2" in body


def test_result_a_format_cannot_write_is_refused(backend: Store) -> None:
    query = PROLOGUE + "CONSTRUCT { ?doc ex:1 ?t } WHERE { ?doc ex:title ?t }"
    with pytest.raises(ResultNotWritable, match="cannot be written as RDF/XML"):
        backend.execute(QueryRequest(query, graph_format="rdfxml"), TIMEOUT)
    assert backend.execute(QueryRequest(query, graph_format="turtle"), TIMEOUT).rows == 3


def test_describe(backend: Store) -> None:
    response = backend.execute(QueryRequest(PROLOGUE + "DESCRIBE ex:doc1"), TIMEOUT)
    assert response.form == "describe"
    triples = {q.triple for q in ox.parse(response.body, format=ox.RdfFormat.TURTLE)}
    expected = {t for t in default_graph() if t.subject == ox.NamedNode(EX + "doc1")}
    assert expected <= triples


def test_default_graph_is_the_store_default_graph(backend: Store) -> None:
    assert rows(backend, "SELECT ?o { ex:doc1 ex:source ?o }") == []
    graphs = rows(backend, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert graphs == [(f"<{GRAPH_A}>",), (f"<{GRAPH_B}>",)]


def test_default_graph_uris_replace_the_default_graph(backend: Store) -> None:
    result = rows(backend, "SELECT ?s ?o { ?s ex:source ?o }", default_graph_uris=(GRAPH_A,))
    assert result == [(iri("doc1"), '"A"')]
    assert rows(backend, "SELECT ?t { ?s ex:title ?t }", default_graph_uris=(GRAPH_A,)) == []
    both = rows(
        backend, "SELECT ?o { ?s ex:source ?o } ORDER BY ?o", default_graph_uris=(GRAPH_A, GRAPH_B)
    )
    assert both == [('"A"',), ('"B"',)]


def test_named_graph_uris_restrict_graph(backend: Store) -> None:
    query = "SELECT ?g ?o { GRAPH ?g { ?s ex:source ?o } }"
    assert rows(backend, query, named_graph_uris=(GRAPH_B,)) == [(f"<{GRAPH_B}>", '"B"')]
    # with only named-graph-uri, the default graph is empty (SPARQL 1.1 Protocol 2.1.4)
    assert rows(backend, "SELECT * { ?s ?p ?o }", named_graph_uris=(GRAPH_B,)) == []


def test_substitution_binds_an_unprojected_variable(backend: Store) -> None:
    query = "SELECT ?title { ?doc ex:title ?title }"
    assert rows(backend, query, substitutions=(("doc", iri("doc1")),)) == [
        ('"Regulation 1/2008"@en',)
    ]


def test_substitution_is_seen_by_filters(backend: Store) -> None:
    query = "SELECT ?doc { ?doc ex:date ?date FILTER(?date > ?since) }"
    since = '"2010-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert rows(backend, query, substitutions=(("since", since),)) == [(iri("doc2"),)]


def test_substituted_variable_is_in_select_star(backend: Store) -> None:
    result = rows(
        backend, "SELECT * { ?doc ex:cites ?cited }", substitutions=(("doc", iri("doc1")),)
    )
    assert result == [(iri("doc2"), iri("doc1"))] or result == [(iri("doc1"), iri("doc2"))]


@pytest.mark.parametrize(
    "value,expected",
    [
        (INJECTION, [(iri("doc2"),)]),
        (QUOTED, [(iri("doc1"),)]),
        (INJECTION + " x", []),
        ('" } ; DROP ALL ; # "', []),
    ],
)
def test_substituted_text_is_one_plain_literal(
    backend: Store, value: str, expected: list[tuple[str]]
) -> None:
    before = backend.triple_count()
    term = json.dumps(value)  # a JSON string is an N-Triples string literal here
    result = rows(backend, "SELECT ?doc { ?doc ex:note ?note }", substitutions=(("note", term),))
    assert result == expected
    assert backend.triple_count() == before


@pytest.mark.parametrize(
    "term", ["} ; DROP ALL ; #", "_:b1", "<a> <b> <c>", '"x" . <urn:a> <urn:b> <urn:c>']
)
def test_substitution_that_is_not_one_term_is_refused(backend: Store, term: str) -> None:
    with pytest.raises(QueryParameterError):
        run(backend, "SELECT ?doc { ?doc ex:note ?note }", substitutions=(("note", term),))


def test_max_rows_truncates_select(backend: Store) -> None:
    response = backend.execute(QueryRequest(TITLES, max_rows=2), TIMEOUT)
    assert (response.rows, response.truncated) == (2, True)
    parsed = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
    assert len(list(parsed)) == 2  # type: ignore[arg-type]
    exact = backend.execute(QueryRequest(TITLES, max_rows=3), TIMEOUT)
    assert (exact.rows, exact.truncated) == (3, False)


def test_max_rows_truncates_construct(backend: Store) -> None:
    query = PROLOGUE + "CONSTRUCT WHERE { ?s ?p ?o }"
    response = backend.execute(QueryRequest(query, graph_format="ntriples", max_rows=4), TIMEOUT)
    assert (response.rows, response.truncated) == (4, True)
    assert len(list(ox.parse(response.body, format=ox.RdfFormat.N_TRIPLES))) == 4
    whole = backend.execute(QueryRequest(query, graph_format="ntriples"), TIMEOUT)
    assert (whole.rows, whole.truncated) == (len(default_graph()), False)


def test_base_iri_resolves_relative_iris(backend: Store) -> None:
    result = rows(backend, "SELECT ?t { <doc1> ex:title ?t }", base_iri=EX)
    assert result == [('"Regulation 1/2008"@en',)]


def test_syntax_error_carries_the_position(backend: Store) -> None:
    with pytest.raises(QuerySyntaxError, match=r"error at 1:19"):
        backend.execute(QueryRequest("SELECT * { ?s ?p }"), TIMEOUT)


def test_syntax_error_position_is_in_the_clients_text(backend: Store) -> None:
    query = "SELECT ?doc {\n  ?doc ?p ?note ?? }"
    with pytest.raises(QuerySyntaxError) as caught:
        backend.execute(QueryRequest(query, substitutions=(("note", '"x"'),)), TIMEOUT)
    match = re.search(r"(\d+):(\d+)", str(caught.value))
    assert match is not None and match.group(1) == "2"
    with pytest.raises(QuerySyntaxError) as plain:
        backend.execute(QueryRequest(query), TIMEOUT)
    assert str(caught.value) == str(plain.value)


def test_named_graph_content_is_kept(backend: Store) -> None:
    result = rows(backend, "SELECT ?p ?o { GRAPH <" + GRAPH_B + "> { ex:doc2 ?p ?o } } ORDER BY ?o")
    expected = sorted((str(t.predicate), str(t.object)) for t in named_graphs()[GRAPH_B])
    assert sorted(result) == expected
