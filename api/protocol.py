"""Reading a SPARQL 1.1 Protocol request: parameters, bodies and their checks.

The three query operations of the protocol (§2.1) are ``GET ?query=``, ``POST`` with an
``application/x-www-form-urlencoded`` body and ``POST`` with an ``application/sparql-query``
body. Parameters are decoded here, once and strictly as UTF-8 (a form body is never decoded
twice), so that a ``%63`` in an IRI stays what the client meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request

from api.errors import BadRequest, PayloadTooLarge, ReadOnly, UnsupportedMediaType
from eukg.config import Settings

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

#: Parameters that may appear once at most.
_SINGLE = ("query",)


@dataclass(frozen=True)
class ProtocolRequest:
    """A query operation, decoded and checked. ``query`` is ``None`` when none was given."""

    query: str | None
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    #: Values of the ``format`` parameter (some clients send several, e.g. a name and a type).
    formats: tuple[str, ...] = ()


def parse_params(raw: bytes | str, where: str) -> list[tuple[str, str]]:
    """``name=value`` pairs of a query string or form body, percent-decoded as strict UTF-8.

    :class:`BadRequest` when the text or a decoded value is not UTF-8.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} is not valid UTF-8 after percent-decoding") from None


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type (lower case, no parameters) and its parameters."""
    header = request.headers.get("content-type", "")
    main, *params = header.split(";")
    parsed = {}
    for p in params:
        key, _, value = p.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), parsed


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or :class:`PayloadTooLarge` once it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body has {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset")
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise BadRequest(f"the body must be UTF-8 (the SPARQL protocol requires it), not {charset}")


async def read_query_request(request: Request, settings: Settings) -> ProtocolRequest:
    """Decode and check a query operation on the SPARQL endpoint.

    Raises :class:`BadRequest` (missing, repeated or empty query, bad IRI, not UTF-8),
    :class:`ReadOnly` (an update), :class:`UnsupportedMediaType` and :class:`PayloadTooLarge`.
    """
    pairs = parse_params(request.scope.get("query_string", b""), "query string")
    body_query: str | None = None
    if request.method == "POST":
        kind, params = media_type(request)
        if kind == SPARQL_UPDATE:
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
        if kind not in (FORM, SPARQL_QUERY):
            given = f"Content-Type {kind!r}" if kind else "no Content-Type"
            raise UnsupportedMediaType(
                f"a POST to the SPARQL endpoint needs Content-Type {FORM} or {SPARQL_QUERY}; "
                f"got {given}"
            )
        _check_charset(params)
        body = await read_body(request, settings.max_body)
        if kind == FORM:
            pairs += parse_params(body, "form body")
        else:
            try:
                body_query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the query in the request body is not valid UTF-8") from None
    names = [name for name, _ in pairs]
    if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
        raise ReadOnly("this endpoint is read-only: the update operation is not available")
    queries = [value for name, value in pairs if name == "query"]
    if body_query is not None:
        queries.append(body_query)
    if len(queries) > 1:
        raise BadRequest(f"the request holds {len(queries)} queries; send exactly one")
    query = queries[0] if queries else None
    if query is not None:
        if not query.strip():
            raise BadRequest("the query is empty")
        if len(query) > settings.max_query_length:
            raise BadRequest(
                f"the query has {len(query)} characters; the limit is {settings.max_query_length}"
            )
    elif request.method == "POST":
        raise BadRequest("the request has no query: send it in the 'query' parameter")
    return ProtocolRequest(
        query=query,
        default_graph_uris=_graph_uris(pairs, "default-graph-uri"),
        named_graph_uris=_graph_uris(pairs, "named-graph-uri"),
        formats=tuple(value for name, value in pairs if name == "format" and value.strip()),
    )


def _graph_uris(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    uris = []
    for key, value in pairs:
        if key != name:
            continue
        try:
            ox.NamedNode(value)
        except ValueError:
            raise BadRequest(f"{name}={value!r} is not an absolute IRI") from None
        uris.append(value)
    return tuple(uris)


# --------------------------------------------------------------------------- query form

_SPACE = re.compile(r"(?:\s+|#[^\n]*)+")
_PROLOGUE = re.compile(r"(?i)(?:BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)")
_FORM = re.compile(r"(?i)(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")
_UPDATE = re.compile(r"(?i)(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b")


def query_form(query: str) -> str | None:
    """``select``, ``ask``, ``construct``, ``describe`` or ``update`` from the first keyword after
    the prologue; ``None`` when the text starts with something else (the parser then says what)."""
    pos = 0
    while True:
        space = _SPACE.match(query, pos)
        if space:
            pos = space.end()
        prologue = _PROLOGUE.match(query, pos)
        if not prologue:
            break
        pos = prologue.end()
    form = _FORM.match(query, pos)
    if form:
        return form.group(1).lower()
    if _UPDATE.match(query, pos):
        return "update"
    return None
