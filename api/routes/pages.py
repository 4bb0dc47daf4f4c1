"""HTML pages: the home page and ``/doc/…``, the page of every IRI of the graph."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ServicesDep
from api.errors import NotFound
from api.execution import select
from api.links import quote_path
from api.resources import resource_view
from api.routes import get_head
from api.routes.linked_data import RDF_DOCUMENT_FORMATS, linker

router = APIRouter(tags=["Pages"])

DOCUMENTS = """SELECT DISTINCT ?doc ?label ?date WHERE {
  ?doc a/rdfs:subClassOf* eukg:Document .
  OPTIONAL { ?doc rdfs:label ?label }
  OPTIONAL { ?doc eli:date_document ?date }
} ORDER BY ?date ?label ?doc LIMIT 1000"""

HTML_ONLY: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}


@get_head(router, "/", name="home", summary="Home page", responses=HTML_ONLY)
async def home(request: Request, services: ServicesDep) -> Response:
    """What the service offers, and the documents of the graph."""
    link = linker(request, services)
    documents = []
    seen: set[str] = set()
    for row in await select(services, DOCUMENTS, max_rows=1000):
        iri = row["doc"].value
        if iri in seen:
            continue
        seen.add(iri)
        documents.append(
            {
                "href": link.href(iri),
                "label": row["label"].value if "label" in row else link.curie(iri),
                "date": row["date"].value if "date" in row else "",
            }
        )
    return services.templates.TemplateResponse(
        request,
        "home.html",
        {
            "documents": documents,
            "triples": await services.triple_count(),
            "build": services.build_info,
            "dumps": services.release is not None,
            "queries": list(services.queries.values()),
        },
    )


@get_head(
    router,
    "/doc/{path:path}",
    name="page",
    summary="The HTML page of an IRI of the graph",
    responses={**HTML_ONLY, 404: {"description": "The graph has nothing about this IRI."}},
)
async def page(path: str, request: Request, services: ServicesDep) -> Response:
    """The page of ``{base}id/{path}``: label, types, properties, the parts of a document in
    order with their text and citations, what it cites and what cites it."""
    link = linker(request, services)
    iri = link.iri_for(path)
    view = await resource_view(services, link, iri)
    if view is None:
        raise NotFound(f"the graph has nothing about <{iri}>")
    view.data_links = {
        f.media_type: link.url(f"/data/{quote_path(path)}.{f.extension}")
        for f in RDF_DOCUMENT_FORMATS
    }
    return services.templates.TemplateResponse(
        request, "resource.html", {"r": view, "id_href": link.url("/id/" + quote_path(path))}
    )
