"""The remote backend: the same API over any SPARQL 1.1 endpoint, and loading a build into it.

:class:`RemoteStore` sends queries with SPARQLWrapper (POST, ``query=`` only: it never sends
an update, whatever the text). It asks for SPARQL JSON results (SELECT/ASK) or N-Triples
(CONSTRUCT/DESCRIBE) and writes the requested format itself with pyoxigraph, so every format
works whatever the remote server offers. Queries are checked, and substitutions bound, exactly
as in the embedded backend (:func:`~eukg.stores.execution.prepare_query`).

:func:`push_release` loads a built release into a store with the SPARQL 1.1 Graph Store
Protocol: ``PUT ?default`` with the default graph, ``PUT ?graph=<iri>`` with each named graph.
It replaces those graphs; graphs the remote store has and the release lacks are left alone,
and the graphs are replaced one by one (not atomically).
"""

from __future__ import annotations

import ast
import http.client
import math
import tempfile
import urllib.error
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from SPARQLWrapper import ASK, CONSTRUCT, DESCRIBE, JSON, POST, SELECT, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from eukg import __version__
from eukg.errors import QueryParameterError, QuerySyntaxError, QueryTimeout, StoreError
from eukg.stores.base import QueryRequest, QueryResponse
from eukg.stores.binding import Insertion, Rewrite
from eukg.stores.execution import PreparedQuery, prepare_query
from eukg.stores.gate import Gate
from eukg.stores.results import count_from_response, query_response

USER_AGENT = f"eukg/{__version__}"
_WRAPPER_FORMS = {"select": SELECT, "ask": ASK, "construct": CONSTRUCT, "describe": DESCRIBE}
_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.8"
)
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_RESULTS_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class RemoteStore:
    """A SPARQL 1.1 query endpoint (and, optionally, its Graph Store Protocol endpoint)."""

    name = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        graph_store: str | None = None,
        service_allowlist: tuple[str, ...] = (),
        max_concurrent: int = 8,
        max_queued: int = 16,
        count_timeout: float = 60.0,
    ) -> None:
        """Query ``endpoint`` (an http(s) URL); load releases through ``graph_store``."""
        self.endpoint = _http_url(endpoint, "SPARQL endpoint")
        self.graph_store = _http_url(graph_store, "graph store") if graph_store else None
        self.service_allowlist = tuple(service_allowlist)
        self._count_timeout = count_timeout
        self._gate = Gate(max_concurrent, max_queued)

    def execute(self, request: QueryRequest, timeout: float) -> QueryResponse:
        """Send ``request`` to the endpoint and answer within about ``timeout`` seconds.

        The timeout applies to connecting and to each read (SPARQLWrapper's ``setTimeout``,
        whole seconds, at least 1); the remote server may go on computing.
        """
        if timeout <= 0:
            raise QueryParameterError(f"timeout must be positive, got {timeout!r}")
        prepared = prepare_query(request, self.service_allowlist)
        with self._gate.slot(wait=timeout, hold=timeout + 1):
            return self._send(prepared, timeout)

    def triple_count(self) -> int:
        """The number of triples in the endpoint's default graph."""
        return count_from_response(self.execute(QueryRequest(COUNT_QUERY), self._count_timeout))

    def push_release(self, release_dir: Path, *, timeout: float = 600.0) -> PushResult:
        """:func:`push_release` to this store's ``graph_store``."""
        if self.graph_store is None:
            raise StoreError(f"no graph store endpoint is set for {self.endpoint}")
        return push_release(release_dir, self.graph_store, timeout=timeout)

    def close(self) -> None:
        """Refuse further queries (there is no connection to close)."""
        self._gate.close()

    def _send(self, prepared: PreparedQuery, timeout: float) -> QueryResponse:
        rewrite = prepared.rewrite
        if prepared.base_iri is not None:
            base = f"BASE <{prepared.base_iri}> "
            rewrite = Rewrite(
                rewrite.original, base + rewrite.text, (Insertion(0, base), *rewrite.insertions)
            )
        graph = prepared.form in ("construct", "describe")
        wrapper = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(max(1, math.ceil(timeout)))
        wrapper.setQuery(rewrite.text)
        wrapper.queryType = _WRAPPER_FORMS[prepared.form]  # the guard's reading, never update
        wrapper.setReturnFormat(TURTLE if graph else JSON)
        wrapper.addCustomHttpHeader("Accept", _GRAPH_ACCEPT if graph else _RESULTS_ACCEPT)
        for iri in prepared.default_graph_uris:
            wrapper.addDefaultGraph(iri)
        for iri in prepared.named_graph_uris:
            wrapper.addNamedGraph(iri)
        try:
            with closing(wrapper.query().response) as response:
                media_type = response.headers.get_content_type()
                body = response.read()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(rewrite.map_message(_response_text(exc))) from None
        except SPARQLWrapperException as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} failed: {exc}") from None
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:1000].decode("utf-8", "replace")
            if exc.code in (408, 504):
                raise QueryTimeout(f"the SPARQL endpoint timed out: {detail}") from None
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint} answered HTTP {exc.code}: {detail}"
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _timeout(timeout) from None
            raise StoreError(
                f"cannot reach the SPARQL endpoint {self.endpoint}: {exc.reason}"
            ) from None
        except TimeoutError:
            raise _timeout(timeout) from None
        except (OSError, http.client.HTTPException) as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} failed: {exc}") from None
        result = self._parse(body, media_type, graph)
        return query_response(
            result, prepared.form, prepared.format, prepared.max_rows, dict(prepared.prefixes)
        )

    def _parse(
        self, body: bytes, media_type: str, graph: bool
    ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple | ox.Quad]:
        try:
            if graph:
                rdf_format = ox.RdfFormat.from_media_type(media_type)
                if rdf_format is None:
                    raise ValueError(f"unexpected media type {media_type}")
                return list(ox.parse(input=body, format=rdf_format))
            results_format = _RESULTS_TYPES.get(media_type)
            if results_format is None:
                raise ValueError(f"unexpected media type {media_type}")
            return ox.parse_query_results(body, format=results_format)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint} sent a result eukg cannot read: {exc}"
            ) from None


@dataclass(frozen=True)
class PushResult:
    """What :func:`push_release` loaded."""

    #: The named graphs PUT (the default graph is always PUT too).
    named_graphs: int
    #: Triples sent, all graphs together.
    triples: int


def push_release(release_dir: Path, graph_store_url: str, *, timeout: float = 600.0) -> PushResult:
    """Load the release in ``release_dir`` into the store at ``graph_store_url`` (SPARQL 1.1
    Graph Store Protocol; see the module docstring).

    Raises :class:`StoreError` naming the URL, HTTP status and body of a failed request.
    """
    url = _http_url(graph_store_url, "graph store")
    store_dir = Path(release_dir) / "store"
    if not store_dir.is_dir():
        raise StoreError(f"no built store in {store_dir} — run 'eukg build' first")
    try:
        store = ox.Store.read_only(str(store_dir))
        names = sorted(store.named_graphs(), key=lambda g: g.value)
    except OSError as exc:
        raise StoreError(f"cannot read the store in {store_dir}: {exc}") from None
    blank = [g for g in names if isinstance(g, ox.BlankNode)]
    if blank:
        raise StoreError(
            f"graph _:{blank[0].value} is named by a blank node: the Graph Store Protocol "
            "cannot address it"
        )
    separator = "&" if "?" in url else "?"
    graphs: list[tuple[str, ox.NamedNode | ox.DefaultGraph]] = [
        (f"{url}{separator}default", ox.DefaultGraph())
    ]
    graphs += [
        (f"{url}{separator}graph={quote(g.value, safe='')}", g)
        for g in names
        if isinstance(g, ox.NamedNode)
    ]
    triples = 0
    with tempfile.TemporaryDirectory(prefix="eukg-push-") as tmp:
        dump = Path(tmp) / "graph.nt"
        for target, graph in graphs:
            try:
                store.dump(str(dump), ox.RdfFormat.N_TRIPLES, from_graph=graph)
            except OSError as exc:
                raise StoreError(f"cannot write a dump in {tmp}: {exc}") from None
            with dump.open("rb") as lines:
                triples += sum(1 for _ in lines)
            _put(target, dump, timeout)
    return PushResult(named_graphs=len(names), triples=triples)


def _put(url: str, file: Path, timeout: float) -> None:
    with file.open("rb") as body:
        request = urllib.request.Request(
            url,
            data=body,
            method="PUT",
            headers={
                "Content-Type": "application/n-triples",
                "Content-Length": str(file.stat().st_size),
                "User-Agent": USER_AGENT,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:1000].decode("utf-8", "replace")
            raise StoreError(f"PUT {url} failed: HTTP {exc.code} {exc.reason}: {detail}") from None
        except urllib.error.URLError as exc:
            raise StoreError(f"PUT {url} failed: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise StoreError(f"PUT {url} failed: {exc}") from None


def _http_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(f"the {what} must be an http(s) URL, got {url!r}")
    return url


def _timeout(timeout: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query timed out: the SPARQL endpoint did not answer within {timeout:g} s"
    )


def _response_text(exc: SPARQLWrapperException) -> str:
    """The body the endpoint sent with a SPARQLWrapper error (it keeps only its repr)."""
    message = str(exc)
    _, found, raw = message.partition("Response:\n")
    if not found:
        return message
    try:
        body = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
