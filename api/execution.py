"""Running queries for the routes: building store requests, turning answers into responses, and
reading SPARQL JSON results back into terms for the HTML pages."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from starlette.responses import Response

from api.deps import Services
from eukg.errors import StoreError
from eukg.namespaces import sparql_prologue
from eukg.stores.base import QueryRequest, QueryResponse

#: Headers a browser script may read on a cross-origin response (see CORS in app.py).
EXPOSED_HEADERS = ("EUKG-Truncated", "X-Total-Count", "Link", "Content-Location", "Retry-After")

Bindings = Mapping[str, ox.NamedNode | ox.Literal]


def store_request(
    services: Services,
    query: str,
    *,
    results_format: str = "json",
    graph_format: str = "turtle",
    bindings: Bindings | None = None,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    max_rows: int | None = None,
    base_iri: str | None = None,
) -> QueryRequest:
    """A store request; ``bindings`` become substitutions (N-Triples terms), never query text."""
    substitutions = tuple((name, str(term)) for name, term in (bindings or {}).items())
    return QueryRequest(
        query=query,
        results_format=results_format,
        graph_format=graph_format,
        default_graph_uris=tuple(default_graph_uris),
        named_graph_uris=tuple(named_graph_uris),
        substitutions=substitutions,
        max_rows=services.settings.max_rows if max_rows is None else max_rows,
        base_iri=base_iri,
    )


def as_response(
    answer: QueryResponse, *, headers: Mapping[str, str] | None = None, head: bool = False
) -> Response:
    """The HTTP response for a store answer; a truncated answer says so in ``EUKG-Truncated``."""
    all_headers = {"Vary": "Accept", **(headers or {})}
    if answer.truncated:
        all_headers["EUKG-Truncated"] = f"true; rows={answer.rows}"
    media_type = answer.media_type
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    if head:
        all_headers["Content-Length"] = str(len(answer.body))
        return Response(b"", media_type=media_type, headers=all_headers)
    return Response(answer.body, media_type=media_type, headers=all_headers)


# --------------------------------------------------------------------------- results for pages


@dataclass(frozen=True)
class Term:
    """An RDF term from a SPARQL JSON result."""

    kind: str  #: ``uri``, ``literal`` or ``bnode``
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


def parse_json_results(body: bytes) -> list[dict[str, Term]]:
    """The rows of a SPARQL JSON SELECT result (unbound variables left out)."""
    try:
        doc = json.loads(body)
        rows: list[dict[str, Term]] = []
        for binding in doc["results"]["bindings"]:
            rows.append({name: _term(value) for name, value in binding.items()})
        return rows
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the store answered a result that is not SPARQL JSON: {exc}") from None


def _term(value: Mapping[str, Any]) -> Term:
    kind = value["type"]
    if kind == "typed-literal":  # SPARQL 1.0 JSON results
        kind = "literal"
    return Term(kind, str(value["value"]), value.get("xml:lang"), value.get("datatype"))


async def select(
    services: Services, query: str, bindings: Bindings | None = None, *, max_rows: int = 0
) -> list[dict[str, Term]]:
    """Rows of a SELECT (with our prefixes) run for a page; ``max_rows`` 0 = the setting."""
    request = store_request(
        services,
        sparql_prologue() + query,
        bindings=bindings,
        max_rows=max_rows or services.settings.max_rows,
    )
    return parse_json_results((await services.run(request)).body)


async def ask(services: Services, query: str, bindings: Bindings | None = None) -> bool:
    """The answer of an ASK query."""
    request = store_request(services, sparql_prologue() + query, bindings=bindings)
    try:
        return bool(json.loads((await services.run(request)).body)["boolean"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"the store answered an ASK result that is not SPARQL JSON: {exc}"
        ) from None
