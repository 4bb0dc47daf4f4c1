"""The interface every query backend implements, and the result formats it can write.

A :class:`Store` answers one :class:`QueryRequest` at a time per calling thread, blocking, and
returns a :class:`QueryResponse` holding the serialised body. It raises only :mod:`eukg.errors`
classes: :class:`~eukg.errors.QuerySyntaxError`, :class:`~eukg.errors.QueryParameterError`
(a substitution that is not an RDF term, an unknown format), :class:`~eukg.errors.QueryRefused`
(and its subclass :class:`ResultNotWritable`), :class:`~eukg.errors.QueryTimeout`,
:class:`~eukg.errors.Overloaded` (as :class:`StoreOverloaded`, with a retry-after hint) and
:class:`~eukg.errors.StoreError`.

The dataset a query sees is the store's *default graph* (the merged graph of a build) plus its
named graphs (the source graphs); ``default_graph_uris`` / ``named_graph_uris`` replace it as
the SPARQL 1.1 Protocol says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import pyoxigraph as ox

from eukg.errors import Overloaded, QueryRefused

FormatKind = Literal["results", "graph"]


@dataclass(frozen=True)
class Format:
    """A serialisation a store can write: its name, MIME type and pyoxigraph format."""

    #: The name used in :class:`QueryRequest` (``json``, ``turtle``, …).
    name: str
    #: The MIME type of the body, without parameters.
    media_type: str
    #: ``results`` for SELECT/ASK results, ``graph`` for CONSTRUCT/DESCRIBE graphs.
    kind: FormatKind
    #: Other MIME types clients send for this format (for content negotiation).
    aliases: tuple[str, ...]
    #: The usual file extension, without the dot.
    extension: str
    #: The pyoxigraph format object.
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat

    @property
    def dataset(self) -> bool:
        """Whether the format holds named graphs (N-Quads, TriG)."""
        return self.name in ("nquads", "trig")


#: Every format by name. SELECT and ASK are written in the ``results`` formats, CONSTRUCT and
#: DESCRIBE in the ``graph`` formats (a graph in N-Quads or TriG is the default graph).
MEDIA_TYPES: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json",
            "application/sparql-results+json",
            "results",
            ("application/json",),
            "srj",
            ox.QueryResultsFormat.JSON,
        ),
        Format(
            "xml",
            "application/sparql-results+xml",
            "results",
            ("application/xml", "text/xml"),
            "srx",
            ox.QueryResultsFormat.XML,
        ),
        Format("csv", "text/csv", "results", (), "csv", ox.QueryResultsFormat.CSV),
        Format("tsv", "text/tab-separated-values", "results", (), "tsv", ox.QueryResultsFormat.TSV),
        Format(
            "turtle", "text/turtle", "graph", ("application/x-turtle",), "ttl", ox.RdfFormat.TURTLE
        ),
        Format("ntriples", "application/n-triples", "graph", (), "nt", ox.RdfFormat.N_TRIPLES),
        Format("rdfxml", "application/rdf+xml", "graph", (), "rdf", ox.RdfFormat.RDF_XML),
        Format("jsonld", "application/ld+json", "graph", (), "jsonld", ox.RdfFormat.JSON_LD),
        Format("nquads", "application/n-quads", "graph", (), "nq", ox.RdfFormat.N_QUADS),
        Format("trig", "application/trig", "graph", (), "trig", ox.RdfFormat.TRIG),
    )
}
RESULTS_FORMATS = tuple(name for name, f in MEDIA_TYPES.items() if f.kind == "results")
GRAPH_FORMATS = tuple(name for name, f in MEDIA_TYPES.items() if f.kind == "graph")


@dataclass(frozen=True)
class QueryRequest:
    """One SPARQL query and how its answer should be written."""

    query: str
    #: The format of SELECT and ASK results: one of :data:`RESULTS_FORMATS`.
    results_format: str = "json"
    #: The format of CONSTRUCT and DESCRIBE graphs: one of :data:`GRAPH_FORMATS`.
    graph_format: str = "turtle"
    #: ``default-graph-uri`` of the SPARQL Protocol: the default graph is their merge.
    default_graph_uris: tuple[str, ...] = ()
    #: ``named-graph-uri`` of the SPARQL Protocol: the only graphs GRAPH can see.
    named_graph_uris: tuple[str, ...] = ()
    #: Variables bound before evaluation: (name without '?', term in N-Triples syntax), e.g.
    #: ``("doc", "<https://…>")`` or ``("d", '"2008-10-24"^^<…#date>')``. A value is a term,
    #: never query text.
    substitutions: tuple[tuple[str, str], ...] = ()
    #: Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned at most; ``None``: all.
    max_rows: int | None = None
    #: The base IRI relative IRIs in the query are resolved against.
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryResponse:
    """The serialised answer to a :class:`QueryRequest`."""

    #: ``select``, ``ask``, ``construct`` or ``describe``.
    form: str
    #: The MIME type of ``body``, e.g. ``application/sparql-results+json``.
    media_type: str
    body: bytes
    #: Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in ``body``; ``None`` for ASK.
    rows: int | None
    #: Whether rows were left out because of ``max_rows``.
    truncated: bool


@runtime_checkable
class Store(Protocol):
    """A SPARQL query backend (see the module docstring for the errors it raises)."""

    #: A short name for logs and health checks (``embedded``, ``remote``).
    name: str

    def execute(self, request: QueryRequest, timeout: float) -> QueryResponse:
        """Answer ``request`` within ``timeout`` seconds; blocking and thread-safe."""
        ...

    def triple_count(self) -> int:
        """The number of triples in the default graph."""
        ...

    def close(self) -> None:
        """Release every process and connection; safe to call twice."""
        ...


class ResultNotWritable(QueryRefused):
    """The result cannot be written in the requested format (JSON-LD and RDF 1.2 triple terms,
    RDF/XML and a predicate that is no XML name); another format can write it (HTTP 406)."""


class StoreOverloaded(Overloaded):
    """Every worker is busy and the wait queue is full (or stayed full too long)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(f"{message}; retry after {retry_after} s")
        #: Seconds after which a retry may find a free worker (for the Retry-After header).
        self.retry_after = retry_after
