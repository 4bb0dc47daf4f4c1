"""Both backends are read-only and never call an endpoint a client chose."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from eukg.errors import KGError, QueryRefused
from eukg.sparql_guard import READ_ONLY_MESSAGE
from eukg.stores import EmbeddedStore, QueryRequest, Store
from tests.stores.dataset import PROLOGUE

UPDATES = [
    "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "INSERT DATA { GRAPH <urn:g> { <urn:x> <urn:y> <urn:z> } }",
    'DELETE DATA { ex:doc1 ex:note "x" }',
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "INSERT { ?s ex:seen true } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING <urn:g> WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "CLEAR SILENT DEFAULT",
    "CLEAR GRAPH <https://example.org/eukg-test/graph/a>",
    "DROP ALL",
    "DROP SILENT NAMED",
    "DROP GRAPH <https://example.org/eukg-test/graph/b>",
    "CREATE GRAPH <urn:new>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE <https://example.org/eukg-test/graph/a> TO DEFAULT",
    "COPY DEFAULT TO <https://example.org/eukg-test/graph/a>",
    "drop all",
    "# a comment\n  clear default",
    "SELECT * { ?s ?p ?o } ; DROP ALL",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; DROP ALL",
]


def dataset_shape(backend: Store) -> bytes:
    """A fingerprint of the whole dataset (every graph), to compare before and after."""
    query = (
        "SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } "
        "GROUP BY ?g ORDER BY ?g"
    )
    return backend.execute(QueryRequest(query), 10).body


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused_and_changes_nothing(backend: Store, update: str) -> None:
    before = dataset_shape(backend)
    with pytest.raises(QueryRefused, match=READ_ONLY_MESSAGE):
        backend.execute(QueryRequest(PROLOGUE + update), 10)
    assert dataset_shape(backend) == before


@pytest.fixture
def canary() -> Iterator[socket.socket]:
    """A listening socket on loopback: it records whether anything connects."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock


def connected(canary: socket.socket, wait: float = 0.1) -> bool:
    """Whether anything connected to ``canary`` (after ``wait`` seconds)."""
    time.sleep(wait)
    canary.setblocking(False)
    try:
        conn, _ = canary.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def service_queries(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/sparql"
    host = f"http://127.0.0.1:{port}/"
    return [
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{host}> SELECT * {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{host}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?q ?r }} }} }}",
        f"SELECT * {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


@pytest.mark.parametrize("variant", range(len(service_queries(1))))
def test_service_is_refused_and_nothing_connects(
    backend: Store, canary: socket.socket, variant: int
) -> None:
    query = service_queries(canary.getsockname()[1])[variant]
    with pytest.raises(QueryRefused, match=r"SERVICE .* is not allowed"):
        backend.execute(QueryRequest(query), 5)
    assert not connected(canary)


def test_service_in_a_substitution_is_a_literal(backend: Store, canary: socket.socket) -> None:
    port = canary.getsockname()[1]
    value = f'"}} SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} #"'
    request = QueryRequest(
        PROLOGUE + "SELECT ?doc { ?doc ex:note ?note }", substitutions=(("note", value),)
    )
    assert backend.execute(request, 5).rows == 0
    assert not connected(canary)


def test_allow_listed_service_is_called(release_dir: Path, canary: socket.socket) -> None:
    """The canary works: with its IRI allow-listed, the embedded engine does connect."""
    url = f"http://127.0.0.1:{canary.getsockname()[1]}/sparql"
    outcome: list[object] = []
    with EmbeddedStore(
        release_dir / "store", workers=1, max_queued=0, service_allowlist=(url,)
    ) as backend:

        def call() -> None:
            try:
                outcome.append(
                    backend.execute(QueryRequest(f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"), 5)
                )
            except KGError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=call)
        thread.start()
        canary.settimeout(5)
        conn, _ = canary.accept()  # the engine connected
        conn.close()  # no answer: the engine reports an error
        thread.join(10)
    assert outcome and isinstance(outcome[0], KGError)
