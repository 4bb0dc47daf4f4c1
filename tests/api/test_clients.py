"""Real clients against a real server (uvicorn on 127.0.0.1): SPARQLWrapper with every result
format, rdflib's SPARQLStore, and curl in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from xml.dom.minidom import Document

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from api.app import create_app
from eukg.config import Settings
from eukg.stores.base import Store
from eukg.stores.remote import RemoteStore, push_release
from tests.api.conftest import Release
from tests.api.servers import LiveServer
from tests.conftest_oxigraph import run_oxigraph

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT = 'SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 "x") (2 "é") } } ORDER BY ?a'
CONSTRUCT = 'CONSTRUCT { <urn:s> <urn:p> "é"@fr , 1 } WHERE {}'
EXPECTED = {
    (URIRef("urn:s"), URIRef("urn:p"), Literal("é", lang="fr")),
    (URIRef("urn:s"), URIRef("urn:p"), Literal(1)),
}


def wrapper(live_url: str, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(live_url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def as_graph(result: object, fmt: str) -> Graph:
    if isinstance(result, Graph):
        return result
    assert isinstance(result, bytes), type(result)
    return Graph().parse(data=result, format=fmt)


# ----------------------------------------------------------------------------- SPARQLWrapper


def test_sparqlwrapper_json(live_url: str) -> None:
    result = wrapper(live_url, SELECT, JSON).query().convert()
    assert isinstance(result, dict)
    rows = [(b["a"]["value"], b["b"]["value"]) for b in result["results"]["bindings"]]
    assert rows == [("1", "x"), ("2", "é")]


def test_sparqlwrapper_xml(live_url: str) -> None:
    result = wrapper(live_url, SELECT, XML).query().convert()
    assert isinstance(result, Document)
    literals = [n.firstChild.data for n in result.getElementsByTagName("literal")]
    assert literals == ["1", "x", "2", "é"]


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_and_tsv(live_url: str, fmt: str, delimiter: str) -> None:
    result = wrapper(live_url, SELECT, fmt).query().convert()
    assert isinstance(result, bytes)
    text = result.decode("utf-8")
    if fmt == TSV:  # terms in Turtle syntax, no quoting rules: split on tabs
        rows = [line.split(delimiter) for line in text.splitlines()]
        assert rows == [["?a", "?b"], ["1", '"x"'], ["2", '"é"']]
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert rows == [["a", "b"], ["1", "x"], ["2", "é"]]


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [(TURTLE, "turtle"), (RDFXML, "xml"), (XML, "xml"), (JSONLD, "json-ld")],
)
def test_sparqlwrapper_graph_formats(live_url: str, fmt: str, rdflib_format: str) -> None:
    result = wrapper(live_url, CONSTRUCT, fmt).query().convert()
    assert set(as_graph(result, rdflib_format)) == EXPECTED


def test_sparqlwrapper_ntriples(live_url: str) -> None:
    sparql = wrapper(live_url, CONSTRUCT, N3)
    sparql.setOnlyConneg(True)
    sparql.addCustomHttpHeader("Accept", "application/n-triples")
    response = sparql.query()
    assert response.info()["content-type"].startswith("application/n-triples")
    assert set(as_graph(response.convert(), "nt")) == EXPECTED


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_post(live_url: str, request_method: str) -> None:
    sparql = wrapper(live_url, SELECT, JSON)
    sparql.setMethod(POST)
    sparql.setRequestMethod(request_method)
    result = sparql.query().convert()
    assert len(result["results"]["bindings"]) == 2  # type: ignore[index]


def test_sparqlwrapper_sees_a_syntax_error(live_url: str) -> None:
    with pytest.raises(QueryBadFormed) as info:
        wrapper(live_url, "SELECT * WHERE {", JSON).query()
    assert "1:" in str(info.value)


def test_sparqlwrapper_reads_the_graph(live_url: str, release: Release) -> None:
    query = f"SELECT ?text WHERE {{ <{release.part}> <https://w3id.org/eukg/ontology#text> ?text }}"
    result = wrapper(live_url, query, JSON).query().convert()
    texts = [b["text"]["value"] for b in result["results"]["bindings"]]  # type: ignore[index]
    assert texts == [release.part_text]


# ----------------------------------------------------------------------------- rdflib SPARQLStore


def test_rdflib_sparqlstore(live_url: str, release: Release) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=live_url + "/sparql", returnFormat="xml"))
    try:
        rows = list(graph.query(f"SELECT ?p ?o WHERE {{ <{release.part}> ?p ?o }}"))
        assert (URIRef("https://w3id.org/eukg/ontology#text"), Literal(release.part_text)) in {
            (p, o) for p, o in rows
        }
        triples = set(graph.triples((URIRef(release.part), None, None)))
        assert len(triples) == len(rows)
        assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
        constructed = graph.query(CONSTRUCT).graph
        assert constructed is not None and set(constructed) == EXPECTED
    finally:
        graph.close()


def test_rdflib_sparqlstore_json(live_url: str) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=live_url + "/sparql", returnFormat="json"))
    try:
        values = sorted(int(row[0]) for row in graph.query(SELECT))
        assert values == [1, 2]
    finally:
        graph.close()


# ----------------------------------------------------------------------------- curl


def curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    exe = shutil.which("curl")
    assert exe, (
        "curl is not installed: the API tests drive the service with curl (apt install curl)"
    )
    return subprocess.run([exe, "-sS", "--max-time", "30", *args], capture_output=True, timeout=60)


def test_curl_get_post_form_and_post_direct(live_url: str) -> None:
    url = live_url + "/sparql"
    accept = ["-H", "Accept: application/sparql-results+json"]
    outs = [
        curl("--get", "--data-urlencode", f"query={SELECT}", *accept, url),
        curl("--data-urlencode", f"query={SELECT}", *accept, url),
        curl("--data-binary", SELECT, "-H", "Content-Type: application/sparql-query", *accept, url),
    ]
    for out in outs:
        assert out.returncode == 0, out.stderr
        rows = json.loads(out.stdout)["results"]["bindings"]
        assert [r["b"]["value"] for r in rows] == ["x", "é"]


def test_curl_head_gzip_and_errors(live_url: str) -> None:
    url = live_url + "/sparql"
    head = curl("-I", "--get", "--data-urlencode", "query=ASK {}", url)
    assert b"200" in head.stdout.split(b"\r\n")[0]
    assert b"content-type: application/sparql-results+json" in head.stdout.lower()
    big = "SELECT * WHERE { ?s ?p ?o } LIMIT 300"
    gz = curl("--compressed", "-D", "-", "--get", "--data-urlencode", f"query={big}", url)
    assert b"content-encoding: gzip" in gz.stdout.lower()
    assert b'"bindings"' in gz.stdout
    bad = curl(
        "-w", "%{http_code}", "-o", "/dev/null", "--get", "--data-urlencode", "query=SELECT {", url
    )
    assert bad.stdout == b"400"


def test_curl_follows_an_iri_to_its_description(live_url: str, release: Release) -> None:
    path = release.local(release.nested)
    out = curl("-L", "-H", "Accept: text/turtle", "-D", "-", f"{live_url}/id/{path}")
    assert out.returncode == 0, out.stderr
    assert b" 303 " in out.stdout.split(b"\r\n")[0]
    turtle = out.stdout.split(b"\r\n\r\n")[-1]
    g = Graph().parse(data=turtle, format="turtle")
    assert (
        URIRef(release.nested),
        URIRef("https://w3id.org/eukg/ontology#text"),
        Literal(release.nested_text),
    ) in g


# ----------------------------------------------------------------------------- concurrency


def test_a_slow_query_does_not_delay_other_clients(
    store: Store, backend: str, settings: Settings, release: Release, tmp_path: Path
) -> None:
    """A query past the time limit is stopped (503 with Retry-After) and, while it runs,
    another client is answered at once: queries never run on the event loop. The remote
    backend gets a private Oxigraph server, stopped afterwards with the query it still runs."""
    with ExitStack() as stack:
        if backend == "remote":
            server = stack.enter_context(run_oxigraph(tmp_path / "db"))
            push_release(release.path, server.store_url)
            store = RemoteStore(server.query_url)
            stack.callback(store.close)
        app = create_app(settings.with_(query_timeout=2.0), store, queries={}, release=release.path)
        url = stack.enter_context(LiveServer(app))
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        outcome: dict[str, object] = {}

        def run_slow() -> None:
            r = requests.post(url + "/sparql", data={"query": slow}, timeout=60)
            outcome["status"] = r.status_code
            outcome["retry"] = r.headers.get("retry-after")

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        quick = requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        elapsed = time.monotonic() - started
        thread.join(timeout=60)
    assert quick.status_code == 200 and elapsed < 1.5, elapsed
    assert outcome["status"] == 503 and outcome["retry"], outcome
