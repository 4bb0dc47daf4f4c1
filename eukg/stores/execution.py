"""From a :class:`QueryRequest` to something an engine may run, and running it on pyoxigraph.

:func:`prepare_query` is the same for every backend: it checks the formats and graph IRIs,
refuses updates and ``SERVICE`` calls with :mod:`eukg.sparql_guard`, and binds the
substitutions (:mod:`eukg.stores.binding`). It runs in the calling thread, before a worker or
a connection is used. :func:`run_prepared` runs a prepared query on an open pyoxigraph store
(in the embedded backend's worker processes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from eukg.errors import QueryParameterError, QuerySyntaxError, StoreError
from eukg.sparql_guard import check_query
from eukg.stores.base import (
    GRAPH_FORMATS,
    MEDIA_TYPES,
    RESULTS_FORMATS,
    Format,
    QueryRequest,
    QueryResponse,
)
from eukg.stores.binding import Rewrite, bind_variables, parse_substitutions
from eukg.stores.results import query_response


@dataclass(frozen=True)
class PreparedQuery:
    """A checked query, ready for an engine (picklable: it travels to worker processes)."""

    #: The text to run (the client's text with the substitutions bound) and how it was made.
    rewrite: Rewrite
    #: ``select``, ``ask``, ``construct`` or ``describe``.
    form: str
    #: The name of the format to write (a key of :data:`MEDIA_TYPES`).
    format_name: str
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    max_rows: int | None
    base_iri: str | None
    #: The query's PREFIX declarations, reused when writing Turtle, TriG and RDF/XML.
    prefixes: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """The query text to run."""
        return self.rewrite.text

    @property
    def format(self) -> Format:
        """The format to write the result in."""
        return MEDIA_TYPES[self.format_name]

    @property
    def restricts_dataset(self) -> bool:
        """Whether the protocol's graph IRIs replace the dataset of the store."""
        return bool(self.default_graph_uris or self.named_graph_uris)


def prepare_query(request: QueryRequest, service_allowlist: Iterable[str] = ()) -> PreparedQuery:
    """Check ``request`` and bind its substitutions; executes nothing.

    Raises :class:`QueryRefused` (update, SERVICE), :class:`QuerySyntaxError` (no query form)
    and :class:`QueryParameterError` (unknown format, bad graph IRI or substitution).
    """
    if request.results_format not in RESULTS_FORMATS:
        raise QueryParameterError(
            f"unknown results format {request.results_format!r} "
            f"(known: {', '.join(RESULTS_FORMATS)})"
        )
    if request.graph_format not in GRAPH_FORMATS:
        raise QueryParameterError(
            f"unknown graph format {request.graph_format!r} (known: {', '.join(GRAPH_FORMATS)})"
        )
    if request.max_rows is not None and request.max_rows < 0:
        raise QueryParameterError(f"max_rows must be >= 0, got {request.max_rows}")
    for iri in (*request.default_graph_uris, *request.named_graph_uris):
        _named_node(iri, "graph IRI")
    if request.base_iri is not None:
        _named_node(request.base_iri, "base IRI")
    info = check_query(request.query, service_allowlist, base_iri=request.base_iri)
    terms = parse_substitutions(request.substitutions)
    rewrite = bind_variables(request.query, terms)
    if terms:
        check_query(rewrite.text, service_allowlist, base_iri=request.base_iri)
    graph = info.form in ("construct", "describe")
    return PreparedQuery(
        rewrite=rewrite,
        form=info.form,
        format_name=request.graph_format if graph else request.results_format,
        default_graph_uris=request.default_graph_uris,
        named_graph_uris=request.named_graph_uris,
        max_rows=request.max_rows,
        base_iri=request.base_iri,
        prefixes=info.prefixes,
    )


def run_prepared(store: ox.Store, prepared: PreparedQuery) -> QueryResponse:
    """Run ``prepared`` on ``store`` and write the response.

    Raises :class:`QuerySyntaxError` with the parser's position (in the client's text),
    :class:`StoreError` when the store cannot be read or evaluation fails, and
    :class:`QueryRefused` when the result cannot be written in the requested format.
    """
    options: dict[str, object] = {}
    if prepared.base_iri is not None:
        options["base_iri"] = prepared.base_iri
    if prepared.restricts_dataset:
        options["default_graph"] = [ox.NamedNode(i) for i in prepared.default_graph_uris]
        options["named_graphs"] = [ox.NamedNode(i) for i in prepared.named_graph_uris]
    try:
        result = store.query(prepared.text, **options)  # type: ignore[arg-type]
        return query_response(
            result, prepared.form, prepared.format, prepared.max_rows, dict(prepared.prefixes)
        )
    except SyntaxError as exc:
        raise QuerySyntaxError(prepared.rewrite.map_message(str(exc))) from None
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"the query failed while it ran: {exc}") from None


def _named_node(iri: str, what: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryParameterError(f"{what} {iri!r} is not an absolute IRI: {exc}") from None
