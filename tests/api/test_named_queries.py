"""Named queries as a REST API: listing, typed parameters bound as RDF terms (injection attempts
stay plain values), pagination with correct totals, negotiation, and the OpenAPI schema."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rdflib import Graph, URIRef

from api.app import create_app
from eukg.config import Settings
from eukg.named_queries import NamedQuery, load_named_queries
from eukg.stores.base import Store
from tests.api.conftest import FIXTURE_QUERIES, Release
from tests.helpers import ROOT

EUKG = "https://w3id.org/eukg/ontology#"
SHIPPED = sorted((ROOT / "queries").glob("*.rq"))
INJECTIONS = [
    '"} ; DROP ALL ; SELECT * {',
    "} ; DROP",
    "' } DELETE WHERE { ?s ?p ?o } #",
    '\\" . } INSERT DATA { <urn:a> <urn:b> <urn:c> } #',
    '""" ) } UNION { ?s ?p ?o',
    "<https://w3id.org/eukg/id/doc/x> . ?s ?p ?o",
    "line one\nline two\r\n\ttab",
    "?number",
    "9596/06",
]


def rows(response: object) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    doc = json.loads(response.content)  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def test_the_list_describes_every_query(
    client: TestClient, named_queries: dict[str, NamedQuery]
) -> None:
    listed = {q["name"]: q for q in client.get("/queries").json()["queries"]}
    assert set(listed) == set(named_queries)
    docs = listed["parts-of-kind"]
    assert docs["summary"].startswith("The parts of a document")
    kind = next(p for p in docs["parameters"] if p["name"] == "kind")
    assert (
        kind["type"] == "iri" and len(kind["enum"]) == 4 and kind["default"].endswith("Paragraph")
    )
    assert docs["url"].endswith("/queries/parts-of-kind")
    html = client.get("/queries", headers={"accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "parts-of-kind" in html.text


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURE_QUERIES.glob("*.rq")))
def test_every_query_answers_with_its_defaults_and_examples(
    client: TestClient, named_queries: dict[str, NamedQuery], name: str
) -> None:
    q = named_queries[name]
    params = {p.name: p.example for p in q.params if p.required}
    r = client.get(f"/queries/{name}", params=params)
    assert r.status_code == 200, r.text
    if q.form == "construct":
        assert r.headers["content-type"].startswith("text/turtle")
        Graph().parse(data=r.content, format="turtle")
    else:
        rows(r)


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_value_crafted_to_break_out_is_a_plain_literal(client: TestClient, value: str) -> None:
    found = rows(client.get("/queries/register-number", params={"number": value}))
    echoed = [r["number"] for r in found]
    assert value in echoed  # came back exactly, as one literal
    assert all(r["number"] == value for r in found)
    still = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(still.content)["boolean"] is True


@hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=40,
    )
)
def test_any_string_value_is_bound_as_itself(client: TestClient, value: str) -> None:
    found = rows(client.get("/queries/register-number", params={"number": value}))
    assert value in [r["number"] for r in found]


def test_a_value_crafted_for_an_iri_parameter_is_refused(client: TestClient) -> None:
    for value in ("https://x/> } ; DROP ALL ; <urn:x", "not an iri", "http://a b", ""):
        r = client.get("/queries/cited-works", params={"doc": value})
        assert r.status_code == 400, value
        assert "not an absolute IRI" in r.json()["detail"]


def test_a_known_value_finds_its_document(client: TestClient) -> None:
    query = f"SELECT ?doc ?n WHERE {{ ?doc <{EUKG}registerNumber> ?n }} ORDER BY ?doc LIMIT 1"
    known = rows(client.get("/sparql", params={"query": query}))
    assert known, "the test release has no Council register number"
    found = rows(client.get("/queries/register-number", params={"number": known[0]["n"]}))
    assert known[0]["doc"] in {r.get("doc") for r in found}


def test_parameter_errors_say_what_is_wrong(client: TestClient, release: Release) -> None:
    cases = [
        ({}, "required"),
        ({"doc": release.doc, "kind": EUKG + "Citation"}, "is not one of"),
        ({"doc": release.doc, "nope": "1"}, "has no parameter 'nope'"),
        ({"doc": release.doc, "page": "2"}, "not paginated"),
    ]
    for params, words in cases:
        r = client.get("/queries/parts-of-kind", params=params)
        assert r.status_code == 400 and words in r.json()["detail"], (params, r.text)
    r = client.get(f"/queries/parts-of-kind?doc={release.doc}&doc={release.doc}")
    assert r.status_code == 400 and "more than once" in r.json()["detail"]
    assert client.get("/queries/no-such-query").status_code == 404


def test_enum_values_select_what_they_name(client: TestClient, release: Release) -> None:
    points = rows(
        client.get("/queries/parts-of-kind", params={"doc": release.doc, "kind": EUKG + "Point"})
    )
    assert points and all(r["kind"] == EUKG + "Point" for r in points)
    assert release.nested in {r["part"] for r in points} or release.source == "real"


def test_pagination_totals_and_links(client: TestClient) -> None:
    first = client.get("/queries/documents")
    total = int(first.headers["x-total-count"])
    size = 2
    pages = -(-total // size)
    seen: list[dict[str, str]] = []
    for page in range(1, pages + 2):
        seen += rows(client.get("/queries/documents", params={"page": page}))
    assert len(seen) == total and total >= 2
    assert len({r["doc"] for r in seen}) == total
    links = {
        rel.split('"')[1]: url.strip().strip("<>")
        for url, rel in (part.split(";") for part in first.headers["link"].split(","))
    }
    assert parse_qs(urlsplit(links["last"]).query)["page"] == [str(pages)]
    if pages > 1:
        assert parse_qs(urlsplit(links["next"]).query)["page"] == ["2"]
    # the total is the number of rows the whole query returns
    query = load_named_queries(FIXTURE_QUERIES)["documents"]
    text = query.with_values({"class": ox.NamedNode(EUKG + "Document")})
    everything = client.get("/sparql", params={"query": text})
    assert len(rows(everything)) == total


def test_named_queries_negotiate_like_the_endpoint(client: TestClient, release: Release) -> None:
    r = client.get(
        "/queries/parts-of-kind", params={"doc": release.doc}, headers={"accept": "text/csv"}
    )
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("doc,kind")
    r = client.get("/queries/parts-of-kind", params={"doc": release.doc, "format": "xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = client.get(
        "/queries/cited-works",
        params={"doc": release.doc},
        headers={"accept": "application/ld+json"},
    )
    g = Graph().parse(data=r.content, format="json-ld")
    assert (URIRef(release.doc), URIRef(EUKG + "cites"), URIRef(release.cited)) in g
    r = client.get("/queries/cited-works", headers={"accept": "text/csv"})
    assert r.status_code == 406


# ----------------------------------------------------------------------------- OpenAPI


def test_openapi_documents_every_route_parameter_and_media_type(
    app: FastAPI, client: TestClient, named_queries: dict[str, NamedQuery]
) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    documented = {r.path for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema}
    assert documented <= set(paths)
    assert {
        "/sparql",
        "/queries",
        "/id/{path}",
        "/data/{path}",
        "/ontology",
        "/void",
        "/dumps/{name}",
        "/doc/{path}",
        "/health",
    } <= set(paths)
    for op in (op for item in paths.values() for op in item.values()):
        assert op.get("summary"), op.get("operationId")
    sparql_types = set(paths["/sparql"]["get"]["responses"]["200"]["content"])
    assert {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
    } <= sparql_types
    post_types = set(paths["/sparql"]["post"]["requestBody"]["content"])
    assert post_types == {"application/x-www-form-urlencoded", "application/sparql-query"}
    for name, q in named_queries.items():
        op = paths[f"/queries/{name}"]["get"]
        params = {p["name"]: p for p in op["parameters"]}
        for p in q.params:
            doc = params[p.name]
            assert doc["required"] is p.required
            assert p.description in doc["description"]
            if p.enum:
                assert doc["schema"]["enum"] == list(p.enum)
            if p.default is not None:
                assert doc["schema"]["default"] == p.default
        assert "format" in params and ("page" in params) == bool(q.pagination)
        assert op["responses"]["200"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# ----------------------------------------------------------------------------- shipped queries


def test_the_shipped_queries_load_into_the_app(store: Store, settings: Settings) -> None:
    queries = load_named_queries(ROOT / "queries")  # a bad header fails here
    create_app(settings, store, queries=queries)  # and a reserved parameter name here


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_query_is_reachable_with_its_parameters(
    store: Store, settings: Settings, path: Path
) -> None:
    queries = load_named_queries(ROOT / "queries")
    q = queries[path.stem]
    missing = [p.name for p in q.params if p.required and p.example is None]
    assert not missing, f"{path.name}: required parameters need an 'example': {missing}"
    app = create_app(settings, store, queries={q.name: q})
    with TestClient(app) as c:
        params = {p.name: p.example for p in q.params if p.required}
        r = c.get(f"/queries/{q.name}", params=params)
        assert r.status_code == 200, r.text
        for p in q.params:
            if p.enum:  # every allowed value is accepted
                ok = c.get(f"/queries/{q.name}", params={**params, p.name: p.enum[-1]})
                assert ok.status_code == 200, ok.text
        if q.params:
            assert c.get(f"/queries/{q.name}", params={**params, "zz": "1"}).status_code == 400
