"""Writing query results in the requested format, with the row limit applied.

Both backends end here: the embedded one with pyoxigraph's own results, the remote one with
the results it parsed from the remote endpoint. SELECT rows are read up to the limit, written
as SPARQL JSON and handed to pyoxigraph's parser and serialiser, so every format comes out of
pyoxigraph's writers. Graphs are read up to the limit (duplicates removed) and written by
:func:`pyoxigraph.serialize`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from itertools import islice

import pyoxigraph as ox

from eukg.errors import StoreError
from eukg.stores.base import Format, QueryResponse, ResultNotWritable

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NCNAME_END = re.compile(r"[A-Za-z_\u00c0-\ufffd][\w.\-\u00b7\u0300-\u036f\u203f-\u2040]*$")

JsonTerm = dict[str, object]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def query_response(
    result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple | ox.Quad],
    form: str,
    fmt: Format,
    max_rows: int | None,
    prefixes: Mapping[str, str] | None = None,
) -> QueryResponse:
    """The response for ``result`` of a ``form`` query, written in ``fmt``."""
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=_results_format(fmt)) or b""
        return QueryResponse(form, fmt.media_type, body, None, False)
    if isinstance(result, ox.QuerySolutions):
        return solutions_response(result, result.variables, form, fmt, max_rows)
    return graph_response(result, form, fmt, max_rows, prefixes)


def solutions_response(
    solutions: Iterable[ox.QuerySolution],
    variables: list[ox.Variable],
    form: str,
    fmt: Format,
    max_rows: int | None,
) -> QueryResponse:
    """SELECT results: at most ``max_rows`` rows, written in ``fmt``."""
    limit = None if max_rows is None else max_rows + 1
    rows = list(islice(solutions, limit))
    truncated = max_rows is not None and len(rows) > max_rows
    if truncated:
        del rows[max_rows:]
    names = [v.value for v in variables]
    document = {
        "head": {"vars": names},
        "results": {
            "bindings": [
                {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
                for row in rows
            ]
        },
    }
    data = json.dumps(document, ensure_ascii=False).encode()
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    body = parsed.serialize(format=_results_format(fmt)) or b""
    return QueryResponse(form, fmt.media_type, body, len(rows), truncated)


def graph_response(
    triples: Iterable[ox.Triple | ox.Quad],
    form: str,
    fmt: Format,
    max_rows: int | None,
    prefixes: Mapping[str, str] | None = None,
) -> QueryResponse:
    """CONSTRUCT/DESCRIBE results: at most ``max_rows`` distinct triples, written in ``fmt``."""
    if not isinstance(fmt.oxigraph, ox.RdfFormat):
        raise StoreError(f"{fmt.name} is not a graph format")
    distinct: dict[ox.Triple, None] = {}
    truncated = False
    for t in triples:
        triple = t.triple if isinstance(t, ox.Quad) else t
        if triple in distinct:
            continue
        if max_rows is not None and len(distinct) >= max_rows:
            truncated = True
            break
        distinct[triple] = None
    graph = list(distinct)
    if fmt.name == "rdfxml":
        _check_rdfxml_predicates(graph)
    items: list[ox.Triple] | list[ox.Quad] = graph
    if fmt.dataset:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in graph]
    usable = _usable_prefixes(prefixes) if fmt.name in ("turtle", "trig", "rdfxml") else None
    try:
        try:
            body = ox.serialize(items, format=fmt.oxigraph, prefixes=usable)
        except ValueError:
            if usable is None:
                raise
            body = ox.serialize(items, format=fmt.oxigraph)  # a prefix it cannot write
    except (OSError, ValueError, TypeError) as exc:
        raise ResultNotWritable(
            f"the result cannot be written as {fmt.media_type}: {exc}; ask for Turtle or N-Triples"
        ) from None
    return QueryResponse(form, fmt.media_type, body or b"", len(graph), truncated)


def count_from_response(response: QueryResponse) -> int:
    """The integer in the single cell of a SPARQL JSON ``SELECT (COUNT(*) AS ?n)`` response."""
    try:
        document = json.loads(response.body)
        (row,) = document["results"]["bindings"]
        (cell,) = row.values()
        return int(cell["value"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"unexpected answer to a COUNT query: {exc}") from None


def _results_format(fmt: Format) -> ox.QueryResultsFormat:
    if not isinstance(fmt.oxigraph, ox.QueryResultsFormat):
        raise StoreError(f"{fmt.name} is not a query results format")
    return fmt.oxigraph


def _json_term(term: Term) -> JsonTerm:
    """A term in the SPARQL 1.1 (and 1.2) JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: JsonTerm = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction)
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _check_rdfxml_predicates(graph: list[ox.Triple]) -> None:
    """RDF/XML writes a predicate as an XML element name: its IRI must end in an NCName."""
    for t in graph:
        if not _NCNAME_END.search(t.predicate.value):
            raise ResultNotWritable(
                f"the result cannot be written as RDF/XML: the predicate <{t.predicate.value}> "
                "does not end in an XML name; ask for Turtle or N-Triples"
            )


def _usable_prefixes(prefixes: Mapping[str, str] | None) -> dict[str, str] | None:
    if not prefixes:
        return None
    usable = {
        p: ns
        for p, ns in prefixes.items()
        if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", ns) and (p == "" or re.fullmatch(r"\w+", p))
    }
    return usable or None
