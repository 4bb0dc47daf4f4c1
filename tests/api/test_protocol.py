"""The SPARQL 1.1 Protocol at /sparql, through the framework's test client: the three query
operations, HEAD, the Service Description, content negotiation, and every error case with its
status and a message that says what is wrong."""

from __future__ import annotations

import gzip
import json
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from eukg.namespaces import SD, VOID
from tests.api.conftest import Release

FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}
JSON = "application/sparql-results+json"
ASK_ANY = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def boolean(response: object) -> bool:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    return bool(json.loads(response.content)["boolean"])  # type: ignore[attr-defined]


def detail(response: object) -> str:
    return str(response.json()["detail"])  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- query operations


def test_get_post_form_and_post_direct_give_the_same_answer(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": COUNT}, headers={"accept": JSON})
    by_form = client.post("/sparql", content=urlencode({"query": COUNT}), headers=FORM)
    by_direct = client.post("/sparql", content=COUNT.encode(), headers=DIRECT)
    counts = {
        json.loads(r.content)["results"]["bindings"][0]["n"]["value"]
        for r in (by_get, by_form, by_direct)
    }
    assert len(counts) == 1 and int(counts.pop()) > 0


def test_form_bodies_are_decoded_once(client: TestClient) -> None:
    # %63 and %7b must reach the parser as the characters the client meant (normalization-2):
    # a second decoding would turn the IRI's %25 into % and change the answer
    query = "SELECT ?x WHERE { BIND(STR(<http://example.org/a%25b+c>) AS ?x) }"
    r = client.post("/sparql", content=urlencode({"query": query}), headers=FORM)
    value = json.loads(r.content)["results"]["bindings"][0]["x"]["value"]
    assert value == "http://example.org/a%25b+c"


def test_form_body_with_charset_parameter_is_accepted(client: TestClient) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"}
    assert boolean(client.post("/sparql", content=urlencode({"query": ASK_ANY}), headers=headers))


def test_head_answers_headers_without_a_body(client: TestClient) -> None:
    r = client.head("/sparql", params={"query": ASK_ANY}, headers={"accept": JSON})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(JSON)
    assert r.content == b""
    assert client.head("/sparql").status_code == 200


def test_default_graph_uri_selects_the_default_graph(client: TestClient, release: Release) -> None:
    ontology_graph = release.base_iri + "id/graph/ontology"
    ask = "ASK { ?c a <http://www.w3.org/2002/07/owl#Class> }"
    doc_ask = f"ASK {{ <{release.doc}> ?p ?o }}"
    params = {"default-graph-uri": ontology_graph}
    assert boolean(client.get("/sparql", params={"query": ask, **params}))
    assert not boolean(client.get("/sparql", params={"query": doc_ask, **params}))
    named = {"named-graph-uri": ontology_graph}
    q = f"ASK {{ GRAPH <{ontology_graph}> {{ ?c a <http://www.w3.org/2002/07/owl#Class> }} }}"
    assert boolean(client.get("/sparql", params={"query": q, **named}))


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    g = Graph().parse(data=r.content, format="turtle")
    assert set(g.subjects()) == {URIRef("http://testserver/s")}
    based = "BASE <http://example.org/> SELECT ?x WHERE { BIND(<a> AS ?x) }"
    r = client.get("/sparql", params={"query": based}, headers={"accept": JSON})
    assert json.loads(r.content)["results"]["bindings"][0]["x"]["value"] == "http://example.org/a"


# ----------------------------------------------------------------------------- negotiation


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (JSON, JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml;q=0.5, application/sparql-results+json", JSON),
        ("*/*", JSON),
        (None, JSON),
        ("application/json", JSON),
        (BROWSER, "application/sparql-results+xml"),
    ],
)
def test_select_formats_by_accept(client: TestClient, accept: str | None, expected: str) -> None:
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": COUNT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "expected", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        (None, "text/turtle", "turtle"),
        (BROWSER, "application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_by_accept(
    client: TestClient, accept: str | None, expected: str, rdflib_format: str
) -> None:
    query = 'CONSTRUCT { <urn:s> <urn:p> "é" } WHERE {}'
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": query}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    g = Graph().parse(data=r.content, format=rdflib_format)
    assert set(g) == {(URIRef("urn:s"), URIRef("urn:p"), Literal("é"))}


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("json", JSON),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(client: TestClient, fmt: str, expected: str) -> None:
    r = client.get("/sparql", params={"query": COUNT, "format": fmt}, headers={"accept": JSON})
    assert r.headers["content-type"].split(";")[0] == expected


def test_format_parameter_as_sparqlwrapper_sends_it(client: TestClient) -> None:
    # SPARQLWrapper repeats format with a name and a media type, and adds output and results
    query = "CONSTRUCT { <urn:s> <urn:p> 1 } WHERE {}"
    params = [
        ("query", query),
        ("format", "json-ld"),
        ("format", "application/ld+json"),
        ("output", "json-ld"),
        ("results", "json-ld"),
    ]
    r = client.get("/sparql?" + urlencode(params))
    assert r.headers["content-type"].split(";")[0] == "application/ld+json"


def test_csv_results_hold_the_values(client: TestClient) -> None:
    r = client.get(
        "/sparql",
        params={"query": "SELECT ?a WHERE { VALUES ?a { 1 2 } }"},
        headers={"accept": "text/csv"},
    )
    assert r.text.replace("\r\n", "\n").split("\n")[:3] == ["a", "1", "2"]


def test_ask_in_xml(client: TestClient) -> None:
    r = client.get(
        "/sparql", params={"query": ASK_ANY}, headers={"accept": "application/sparql-results+xml"}
    )
    assert "<boolean>true</boolean>" in r.text


def test_nothing_acceptable_is_406_with_the_alternatives(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT}, headers={"accept": "text/turtle"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in detail(r)
    r = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"accept": "text/csv"}
    )
    assert r.status_code == 406


def test_format_parameter_that_does_not_fit_is_400(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT, "format": "turtle"})
    assert r.status_code == 400 and "turtle" in detail(r)
    r = client.get("/sparql", params={"query": COUNT, "format": "yaml"})
    assert r.status_code == 400 and "not a known format" in detail(r)


# ----------------------------------------------------------------------------- service description


def test_service_description_is_turtle_with_the_endpoint(client: TestClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    endpoints = set(g.objects(None, SD.endpoint))
    assert endpoints == {URIRef("http://testserver/sparql")}
    service = next(g.subjects(SD.endpoint, None))
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = {str(o).rsplit("/", 1)[1] for o in g.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "Turtle"} <= formats
    triples = [int(o) for o in g.objects(None, VOID.triples)]
    assert triples and triples[0] > 0


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_service_description_in_other_formats(
    client: TestClient, accept: str, rdflib_format: str
) -> None:
    r = client.get("/sparql", headers={"accept": accept})
    assert r.headers["content-type"].startswith(accept)
    g = Graph().parse(data=r.content, format=rdflib_format)
    assert len(list(g.objects(None, SD.endpoint))) == 1


def test_service_description_for_a_browser_is_a_query_form(client: TestClient) -> None:
    r = client.get("/sparql", headers={"accept": BROWSER})
    assert r.headers["content-type"].startswith("text/html")
    assert '<form method="get"' in r.text and 'name="query"' in r.text


# ----------------------------------------------------------------------------- errors


def test_syntax_error_is_400_with_the_position(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert "1:" in detail(r) or "line" in detail(r)  # the parser's position
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "words"),
    [
        ("POST", {"content": b"", "headers": FORM}, 400, "no query"),
        ("POST", {"content": b"", "headers": DIRECT}, 400, "empty"),
        ("GET", {"params": [("query", ASK_ANY), ("query", ASK_ANY)]}, 400, "2 queries"),
        (
            "POST",
            {"content": urlencode([("query", ASK_ANY), ("query", "ASK {}")]), "headers": FORM},
            400,
            "2 queries",
        ),
        (
            "POST",
            {"content": ASK_ANY.encode(), "headers": DIRECT, "params": {"query": ASK_ANY}},
            400,
            "2 queries",
        ),
        ("GET", {"params": {"query": "  "}}, 400, "empty"),
        (
            "GET",
            {"params": {"query": ASK_ANY, "default-graph-uri": "not an iri"}},
            400,
            "absolute IRI",
        ),
        (
            "POST",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"content-type": "application/sparql-query; charset=UTF-16"},
            },
            400,
            "UTF-8",
        ),
        ("POST", {"content": b"ASK { \xff }", "headers": DIRECT}, 400, "UTF-8"),
        ("POST", {"content": b"query=ASK%20%7B%7D%FF", "headers": FORM}, 400, "UTF-8"),
        ("GET", {"params": {"query": "ASK {} %"}}, 400, ""),
        (
            "POST",
            {"content": b"ASK {}", "headers": {"content-type": "text/plain"}},
            415,
            "Content-Type",
        ),
        ("POST", {"content": b"ASK {}", "headers": {}}, 415, "Content-Type"),
        (
            "POST",
            {"content": urlencode({"update": "CLEAR ALL"}), "headers": FORM},
            403,
            "read-only",
        ),
        (
            "POST",
            {"content": b"CLEAR ALL", "headers": {"content-type": "application/sparql-update"}},
            403,
            "read-only",
        ),
        ("GET", {"params": {"update": "CLEAR ALL"}}, 403, "read-only"),
        (
            "POST",
            {
                "content": urlencode({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
                "headers": FORM,
            },
            403,
            "read-only",
        ),
        ("PUT", {"content": ASK_ANY.encode(), "headers": DIRECT}, 405, "PUT"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    client: TestClient, method: str, kwargs: dict[str, object], status: int, words: str
) -> None:
    r = client.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    assert words in detail(r)
    assert "Traceback" not in r.text


def test_non_utf8_in_the_query_string_is_400(client: TestClient) -> None:
    r = client.get("/sparql?query=ASK%20%7B%7D%FF")
    assert r.status_code == 400 and "UTF-8" in detail(r)


def test_updates_never_change_the_data(client: TestClient) -> None:
    marker = "<urn:x:s> <urn:x:p> <urn:x:o>"
    for body in (
        urlencode({"update": f"INSERT DATA {{ {marker} }}"}),
        urlencode({"query": f"INSERT DATA {{ {marker} }}"}),
    ):
        assert client.post("/sparql", content=body, headers=FORM).status_code == 403
    assert not boolean(client.get("/sparql", params={"query": f"ASK {{ {marker} }}"}))
    assert boolean(client.get("/sparql", params={"query": ASK_ANY}))


def test_service_calls_are_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": query})
    assert r.status_code in (400, 403) and "SERVICE" in detail(r).upper()


def test_body_over_the_limit_is_413(client: TestClient, settings: object) -> None:
    limit = settings.max_body  # type: ignore[attr-defined]
    body = b"ASK {}" + b" " * limit
    r = client.post("/sparql", content=body, headers=DIRECT)
    assert r.status_code == 413 and str(limit) in detail(r)


def test_query_over_the_length_limit_is_400(client: TestClient, settings: object) -> None:
    limit = settings.max_query_length  # type: ignore[attr-defined]
    query = "ASK {}" + "#" * limit
    r = client.post("/sparql", content=urlencode({"query": query}), headers=FORM)
    assert r.status_code == 400 and str(limit) in detail(r)


def test_errors_for_browsers_are_html(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT"}, headers={"accept": BROWSER})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "<!DOCTYPE html>" in r.text


@pytest.mark.parametrize(
    "path",
    [
        "/sparql?query=%00",
        "/sparql?query=SELECT%20%3F",
        "/sparql?query=ASK%7B%7D&default-graph-uri=",
        "/sparql?query=ASK%7B%7D&format=%00",
        "/id/",
        "/id/%00",
        "/id/a%20b",
        "/id/../../etc/passwd",
        "/data/x.ttl",
        "/data/",
        "/doc/%3E",
        "/queries/%3Cx%3E",
        "/dumps/..%2Fbuild.json",
        "/ontology.exe",
        "/queries/documents?page=0",
        "/queries/documents?page=x",
        "/queries/documents?page=99999999",
        "/queries/documents?class=%3E",
        "/queries/documents?nope=1",
    ],
)
def test_typical_bad_input_never_reaches_the_500_handler(client: TestClient, path: str) -> None:
    r = client.get(path)  # the test client raises if the app fails with an unhandled error
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
    assert "Traceback" not in r.text and r.json()["detail"]


# ----------------------------------------------------------------------------- CORS, gzip


def test_cors_allows_reads_from_any_origin_without_credentials(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ASK_ANY}, headers={"origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    pre = client.options(
        "/sparql",
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


def test_large_answers_are_gzipped_when_accepted(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 500"
    r = client.get(
        "/sparql", params={"query": query}, headers={"accept-encoding": "gzip", "accept": JSON}
    )
    assert r.headers.get("content-encoding") == "gzip"
    assert len(json.loads(r.content)["results"]["bindings"]) == 500  # httpx decompressed it
    raw = client.get(
        "/sparql", params={"query": query}, headers={"accept-encoding": "identity", "accept": JSON}
    )
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content)
