"""RemoteStore and push_release against a real Oxigraph server."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from eukg.errors import QuerySyntaxError, QueryTimeout, StoreError
from eukg.stores import QueryRequest, RemoteStore, push_release
from tests.conftest_oxigraph import run_oxigraph
from tests.stores.dataset import GRAPH_A, GRAPH_B, default_graph, named_graphs, write_release


def test_push_release_puts_every_graph(remote_store: RemoteStore) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    body = remote_store.execute(QueryRequest(query), 10).body
    counts = {
        str(r["g"]): int(r["n"].value)  # type: ignore[union-attr]
        for r in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
    }
    assert counts == {f"<{GRAPH_A}>": 1, f"<{GRAPH_B}>": 2}
    assert remote_store.triple_count() == len(default_graph())


def test_push_release_reports_what_it_sent(tmp_path: Path) -> None:
    # a fresh server: pushing into the shared one would change the other tests' data
    with run_oxigraph(tmp_path / "db") as server:
        result = push_release(write_release(tmp_path / "release"), server.store_url)
        assert result.named_graphs == 2
        assert result.triples == len(default_graph()) + sum(map(len, named_graphs().values()))
        # a second push replaces the graphs instead of adding to them
        push_release(tmp_path / "release", server.store_url)
        assert RemoteStore(server.query_url).triple_count() == len(default_graph())


def test_push_release_failure_names_status_and_body(
    release_dir: Path, oxigraph_server: str
) -> None:
    with pytest.raises(StoreError, match=r"PUT .*/nowhere\?default failed: HTTP 404"):
        push_release(release_dir, f"{oxigraph_server}/nowhere")


def test_push_release_needs_a_built_store(tmp_path: Path, oxigraph_server: str) -> None:
    with pytest.raises(StoreError, match="run 'eukg build' first"):
        push_release(tmp_path, f"{oxigraph_server}/store")


def test_push_release_through_the_store(release_dir: Path, oxigraph_server: str) -> None:
    with pytest.raises(StoreError, match="no graph store"):
        RemoteStore(f"{oxigraph_server}/query").push_release(release_dir)


def test_syntax_error_carries_the_remote_message(remote_store: RemoteStore) -> None:
    with pytest.raises(QuerySyntaxError, match=r"error at 1:19: expected"):
        remote_store.execute(QueryRequest("SELECT * { ?s ?p }"), 10)


def test_syntax_error_position_with_a_base_is_in_the_clients_text(
    remote_store: RemoteStore,
) -> None:
    request = QueryRequest("SELECT * { ?s ?p }", base_iri="http://example.org/")
    with pytest.raises(QuerySyntaxError, match=r"error at 1:19: expected"):
        remote_store.execute(request, 10)


def test_unreachable_endpoint_is_a_store_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        store = RemoteStore(f"http://127.0.0.1:{port}/query")
        with pytest.raises(StoreError, match="cannot reach the SPARQL endpoint"):
            store.execute(QueryRequest("ASK {}"), 5)


def test_endpoint_must_be_http() -> None:
    with pytest.raises(StoreError, match="http"):
        RemoteStore("file:///etc/passwd")
    with pytest.raises(StoreError, match="http"):
        RemoteStore("http://127.0.0.1:1/query", graph_store="ftp://x/")


def test_not_found_endpoint_is_a_store_error(oxigraph_server: str) -> None:
    with pytest.raises(StoreError, match="failed"):
        RemoteStore(f"{oxigraph_server}/nowhere").execute(QueryRequest("ASK {}"), 5)


def test_closed_store_refuses_queries(oxigraph_server: str) -> None:
    store = RemoteStore(f"{oxigraph_server}/query")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.execute(QueryRequest("ASK {}"), 5)


def test_slow_remote_query_times_out(tmp_path: Path) -> None:
    """A private server: Oxigraph cannot stop the query, so the server is stopped after."""
    p = ox.NamedNode("https://example.org/p")
    extra = [
        ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p, ox.Literal(str(i)))
        for i in range(2000)
    ]
    with run_oxigraph(tmp_path / "db") as server:
        push_release(write_release(tmp_path / "release", extra), server.store_url)
        store = RemoteStore(server.query_url)
        runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            store.execute(QueryRequest(runaway), 1)
        assert time.monotonic() - started < 3
