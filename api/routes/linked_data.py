"""Dereferencing: ``/id/…`` answers 303 See Other to ``/doc/…`` (HTML) or ``/data/….{ext}``
(RDF) by ``Accept``; ``/data/…`` serves the RDF description; ``/ontology`` serves the ontology
(RDF by Accept, its HTML documentation for browsers). See docs/linked-data.md.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph

from api.deps import Services, ServicesDep
from api.errors import NotFound
from api.execution import as_response, store_request
from api.links import Linker, quote_path
from api.negotiation import GRAPH_BY_EXTENSION, GRAPH_FORMATS, HTML, Format, Kind, choose, pick
from api.ontology_doc import OntologyDoc, document
from api.resources import DESCRIBE, exists, for_resource
from api.routes import get_head

router = APIRouter(tags=["Linked data"])

RDF_DOCUMENT_FORMATS = GRAPH_FORMATS[:4]
#: Offers for an IRI: RDF first, so that a client sending */* gets Turtle; browsers ask for HTML.
IRI_OFFERS: tuple[Format, ...] = (*RDF_DOCUMENT_FORMATS, HTML)
ONTOLOGY_GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $R { ?s ?p ?o } }"

FormatParam = Annotated[
    str | None,
    Query(
        description="turtle, jsonld, ntriples, rdfxml or html, for clients that cannot set "
        "Accept (overrides it)."
    ),
]
_RDF_CONTENT = {f.media_type: {"schema": {"type": "string"}} for f in RDF_DOCUMENT_FORMATS}


def linker(request: Request, services: Services) -> Linker:
    """The linker for this app's base IRI and mount point."""
    return Linker(services.settings.base_iri, str(request.scope.get("root_path", "")))


def choose_document_format(request: Request, offers: tuple[Format, ...], what: str) -> Format:
    """The format of an RDF document (or its HTML page): ``format=`` first, else ``Accept``."""
    formats = tuple(v for k, v in request.query_params.multi_items() if k == "format")
    if formats:
        wants_html = any(v.strip().lower() in ("html", "text/html") for v in formats)
        if wants_html and HTML in offers:
            return HTML
        fmt = pick(None, formats, Kind.GRAPH, what)
        return fmt if fmt in offers else offers[0]
    return choose(request.headers.get("accept"), offers)


def _split_extension(path: str) -> tuple[str, Format | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and ext in GRAPH_BY_EXTENSION and "/" not in ext and stem:
        return stem, GRAPH_BY_EXTENSION[ext]
    return path, None


@get_head(
    router,
    "/id/{path:path}",
    name="resource",
    summary="Dereference an IRI of the graph (303 See Other)",
    status_code=303,
    responses={
        303: {"description": "See Other: /doc/{path} for HTML, /data/{path}.{ext} for RDF."},
        404: {"description": "The graph has nothing about this IRI."},
        406: {"description": "Neither HTML nor an RDF format is acceptable."},
    },
)
async def resource(
    path: str, request: Request, services: ServicesDep, format: FormatParam = None
) -> Response:
    """``{base}id/{path}`` names a thing, not a document: answer 303 to its description."""
    link = linker(request, services)
    iri = link.iri_for(path)
    fmt = choose_document_format(request, IRI_OFFERS, "an IRI")
    if not await exists(services, iri):
        raise NotFound(f"the graph has nothing about <{iri}>")
    target = (
        "/doc/" + quote_path(path) if fmt is HTML else f"/data/{quote_path(path)}.{fmt.extension}"
    )
    return RedirectResponse(link.url(target), status_code=303, headers={"Vary": "Accept"})


@get_head(
    router,
    "/data/{path:path}",
    name="data",
    summary="The RDF description of an IRI of the graph",
    responses={
        200: {"description": "The description (docs/linked-data.md).", "content": _RDF_CONTENT},
        404: {"description": "The graph has nothing about this IRI."},
    },
)
async def data(
    path: str, request: Request, services: ServicesDep, format: FormatParam = None
) -> Response:
    """The description of ``{base}id/{path}``: its triples, the triples pointing to it, and
    those of the IRIs nested under it. ``.ttl``, ``.jsonld``, ``.nt`` or ``.rdf`` choose the
    format; without an extension it is negotiated."""
    link = linker(request, services)
    stem, fmt = _split_extension(path)
    headers = {"Link": f'<{link.url("/id/" + quote_path(stem))}>; rel="describes"'}
    if fmt is None:
        fmt = choose_document_format(request, RDF_DOCUMENT_FORMATS, "a description")
        headers["Content-Location"] = link.url(f"/data/{quote_path(stem)}.{fmt.extension}")
    iri = link.iri_for(stem)
    answer = await services.run(
        store_request(services, for_resource(DESCRIBE, iri), graph_format=fmt.name)
    )
    if answer.rows == 0:
        raise NotFound(f"the graph has nothing about <{iri}>")
    return as_response(answer, headers=headers, head=request.method == "HEAD")


async def ontology_graph(services: Services, fmt: Format) -> bytes:
    """The ontology's named graph in ``fmt``; :class:`NotFound` when the store has none."""
    graph = ox.NamedNode(services.settings.base_iri + "id/graph/ontology")
    query = for_resource(ONTOLOGY_GRAPH_QUERY, graph.value)
    answer = await services.run(store_request(services, query, graph_format=fmt.name))
    if answer.rows == 0:
        raise NotFound(
            "this service has no ontology graph (it serves plain files or a store without "
            f"the named graph <{graph.value}>)"
        )
    return answer.body


async def ontology_doc(request: Request, services: Services) -> OntologyDoc:
    """The documentation model of the ontology, made once per app."""
    cached = services.cache.get("ontology_doc")
    if cached is None:
        body = await ontology_graph(services, GRAPH_FORMATS[0])
        g = Graph()
        g.parse(data=body, format="turtle")
        cached = services.cache["ontology_doc"] = document(g, linker(request, services))
    assert isinstance(cached, OntologyDoc)
    return cached


@get_head(
    router,
    "/ontology",
    name="ontology",
    summary="The eukg ontology (RDF by Accept, HTML documentation for browsers)",
    responses={200: {"content": {**_RDF_CONTENT, "text/html": {}}}},
)
async def ontology(request: Request, services: ServicesDep, format: FormatParam = None) -> Response:
    """The ontology ``https://w3id.org/eukg/ontology``: a hash namespace, so the document is
    served directly (200, ``Vary: Accept``) and ``#Term`` anchors name its terms."""
    fmt = choose_document_format(request, IRI_OFFERS, "the ontology")
    return await _ontology_as(request, services, fmt, negotiated=True)


@get_head(
    router,
    "/ontology.{ext}",
    name="ontology_file",
    summary="The ontology in one format: ttl, jsonld, nt, rdf or html",
    responses={200: {"content": {**_RDF_CONTENT, "text/html": {}}}},
)
async def ontology_file(ext: str, request: Request, services: ServicesDep) -> Response:
    """The ontology in the format its extension names."""
    fmt = HTML if ext == "html" else GRAPH_BY_EXTENSION.get(ext)
    if fmt is None:
        raise NotFound(f"no ontology file .{ext}; use .ttl, .jsonld, .nt, .rdf or .html")
    return await _ontology_as(request, services, fmt, negotiated=False)


async def _ontology_as(
    request: Request, services: Services, fmt: Format, *, negotiated: bool
) -> Response:
    headers = {"Vary": "Accept"} if negotiated else {}
    if negotiated:
        headers["Content-Location"] = linker(request, services).url(f"/ontology.{fmt.extension}")
    if fmt is HTML:
        doc = await ontology_doc(request, services)
        return services.templates.TemplateResponse(
            request, "ontology.html", {"doc": doc}, headers=headers
        )
    body = await ontology_graph(services, fmt)
    if request.method == "HEAD":
        body = b""
    media = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(body, media_type=media, headers=headers)
