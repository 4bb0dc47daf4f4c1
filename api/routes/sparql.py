"""``/sparql``: the SPARQL 1.1 Protocol query operation and the Service Description.

GET ``?query=``, POST form-encoded and POST ``application/sparql-query``; without a query, GET
answers the Service Description (Turtle and the other RDF formats, or an HTML page with a query
form for browsers). Updates are refused with 403: the service is read-only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Services, ServicesDep
from api.descriptions import serialize, service_description
from api.errors import ReadOnly
from api.execution import as_response, store_request
from api.negotiation import (
    GRAPH_FORMATS,
    HTML,
    RESULT_FORMATS,
    BadFormatParameter,
    Format,
    Kind,
    NotAcceptable,
    choose,
    pick,
)
from api.protocol import FORM, SPARQL_QUERY, ProtocolRequest, query_form, read_query_request
from api.routes import get_head

router = APIRouter(tags=["SPARQL endpoint"])

RDF_DOCUMENT_FORMATS = GRAPH_FORMATS[:4]

_RESULT_TYPES = {f.media_type: {"schema": {"type": "string"}} for f in RESULT_FORMATS}
_GRAPH_TYPES = {f.media_type: {"schema": {"type": "string"}} for f in GRAPH_FORMATS}
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "SELECT/ASK results, CONSTRUCT/DESCRIBE graphs, or the Service "
        "Description (no query), in the negotiated format.",
        "content": {**_RESULT_TYPES, **_GRAPH_TYPES, "text/html": {}},
    },
    400: {"description": "Syntax error (with the parser's position) or a bad parameter."},
    403: {"description": "An update, or a SERVICE call that is not allowed: read-only."},
    406: {"description": "No acceptable format for this query form."},
    413: {"description": "Request body too large."},
    415: {"description": "POST with a media type other than form-encoded or sparql-query."},
    429: {"description": "Too many queries running or waiting (Retry-After)."},
    503: {"description": "The query ran past the time limit, or the store is unavailable."},
}

QueryParam = Annotated[
    str | None,
    Query(
        description="The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, GET "
        "answers the Service Description.",
        examples=["SELECT * WHERE { ?s ?p ?o } LIMIT 10"],
    ),
]
DefaultGraphParam = Annotated[
    list[str] | None,
    Query(alias="default-graph-uri", description="IRI of a graph to use as default graph."),
]
NamedGraphParam = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="IRI of a graph to use as a named graph."),
]
FormatParam = Annotated[
    str | None,
    Query(
        description="Result format for clients that cannot set Accept: json, xml, csv, tsv "
        "(SELECT/ASK); turtle, ntriples, rdfxml, jsonld, nquads, trig (CONSTRUCT/DESCRIBE); "
        "or a media type. Overrides Accept.",
    ),
]

POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "format": {"type": "string"},
                    },
                    "required": ["query"],
                }
            },
            SPARQL_QUERY: {"schema": {"type": "string"}},
        },
    }
}


@get_head(
    router,
    "/sparql",
    name="sparql",
    summary="Query with GET, or read the Service Description",
    responses=RESPONSES,
)
async def sparql_get(
    request: Request,
    services: ServicesDep,
    query: QueryParam = None,
    default_graph_uri: DefaultGraphParam = None,
    named_graph_uri: NamedGraphParam = None,
    format: FormatParam = None,
) -> Response:
    """SPARQL 1.1 Protocol query via GET (§2.1.1), or the Service Description."""
    proto = await read_query_request(request, services.settings)
    if proto.query is None:
        return await describe_service(request, services, proto)
    return await answer(request, services, proto)


@router.post(
    "/sparql",
    name="sparql_post",
    summary="Query with POST (form-encoded or application/sparql-query)",
    responses=RESPONSES,
    openapi_extra=POST_BODY,
)
async def sparql_post(request: Request, services: ServicesDep) -> Response:
    """SPARQL 1.1 Protocol query via POST (§2.1.2, §2.1.3). ``update=`` and
    ``application/sparql-update`` are refused with 403."""
    return await answer(request, services, await read_query_request(request, services.settings))


def formats_for(
    form: str | None, accept: str | None, formats: tuple[str, ...]
) -> tuple[Format, Format]:
    """(result format, graph format) for a query of ``form``; only the one the form produces is
    negotiated strictly (406 when unacceptable), the other is the default."""
    if form in ("select", "ask"):
        return pick(accept, formats, Kind.RESULTS, f"{form.upper()} results"), GRAPH_FORMATS[0]
    if form in ("construct", "describe"):
        return RESULT_FORMATS[0], pick(accept, formats, Kind.GRAPH, f"{form.upper()} results")
    # unknown form: the parser will say what is wrong; choose leniently
    try:
        results = pick(accept, formats, Kind.RESULTS, "results")
    except (NotAcceptable, BadFormatParameter):
        results = RESULT_FORMATS[0]
    try:
        graph = pick(accept, formats, Kind.GRAPH, "graphs")
    except (NotAcceptable, BadFormatParameter):
        graph = GRAPH_FORMATS[0]
    return results, graph


async def answer(request: Request, services: Services, proto: ProtocolRequest) -> Response:
    """Run the query of ``proto`` and answer it in the negotiated format."""
    assert proto.query is not None
    form = query_form(proto.query)
    if form == "update":
        raise ReadOnly("this endpoint is read-only: an update was sent as a query")
    results, graph = formats_for(form, request.headers.get("accept"), proto.formats)
    store_req = store_request(
        services,
        proto.query,
        results_format=results.name,
        graph_format=graph.name,
        default_graph_uris=proto.default_graph_uris,
        named_graph_uris=proto.named_graph_uris,
        # relative IRIs in a query without BASE resolve against the endpoint (RFC 3986 §5.1.3)
        base_iri=str(request.url_for("sparql")),
    )
    result = await services.run(store_req)
    return as_response(result, head=request.method == "HEAD")


async def describe_service(
    request: Request, services: Services, proto: ProtocolRequest
) -> Response:
    """The Service Description: RDF by Accept, an HTML page with a query form for browsers."""
    accept = request.headers.get("accept")
    if proto.formats:
        fmt = pick(accept, proto.formats, Kind.GRAPH, "the Service Description")
        if fmt not in RDF_DOCUMENT_FORMATS:
            fmt = RDF_DOCUMENT_FORMATS[0]
    else:
        fmt = choose(accept, (*RDF_DOCUMENT_FORMATS, HTML))
    endpoint = str(request.url_for("sparql"))
    triples = await services.triple_count()
    if fmt is HTML:
        return services.templates.TemplateResponse(
            request,
            "sparql.html",
            {"endpoint": endpoint, "triples": triples, "formats": RESULT_FORMATS + GRAPH_FORMATS},
            headers={"Vary": "Accept"},
        )
    void_url = str(request.url_for("void"))
    graph = service_description(
        endpoint, triples, [f.name for f in RESULT_FORMATS + GRAPH_FORMATS], void_url
    )
    body = b"" if request.method == "HEAD" else serialize(graph, fmt)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})
