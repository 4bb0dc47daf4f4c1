"""Dumps of the whole graph at stable URLs, and ``/void``: the VoID + DCAT description."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from api.deps import ServicesDep
from api.descriptions import DUMP_MEDIA_TYPES, serialize, void_description
from api.errors import NotFound
from api.negotiation import GRAPH_FORMATS
from api.routes import get_head
from api.routes.linked_data import choose_document_format
from eukg.build import DUMP_FORMATS

router = APIRouter(tags=["Dumps and dataset description"])

RDF_DOCUMENT_FORMATS = GRAPH_FORMATS[:4]


@get_head(
    router,
    "/dumps/{name}",
    name="dump",
    summary="A dump of the graph: eukg.ttl, eukg.nt, eukg.jsonld (default graph), "
    "eukg.nq, eukg.trig (every graph)",
    responses={
        200: {"content": {m: {"schema": {"type": "string"}} for m in DUMP_MEDIA_TYPES.values()}},
        404: {"description": "No such dump, or the service runs without a built release."},
    },
)
async def dump(name: str, services: ServicesDep) -> Response:
    """The file of the current release, as it was written by ``eukg build``."""
    if name not in DUMP_FORMATS:
        raise NotFound(f"no dump {name!r}; the dumps are {', '.join(DUMP_FORMATS)}")
    if services.release is None:
        raise NotFound("this service runs without a built release, so it has no dumps")
    path = services.release / "dumps" / name
    if not path.is_file():
        raise NotFound(f"the release has no {name}")
    return FileResponse(path, media_type=DUMP_MEDIA_TYPES[name])


@get_head(
    router,
    "/void",
    name="void",
    summary="VoID and DCAT description of the dataset, its dumps and endpoint",
    responses={200: {"content": {f.media_type: {} for f in RDF_DOCUMENT_FORMATS}}},
)
async def void(request: Request, services: ServicesDep) -> Response:
    """Triple count, licence, version, SPARQL endpoint and one distribution per dump."""
    fmt = choose_document_format(request, RDF_DOCUMENT_FORMATS, "the dataset description")
    root = str(request.url_for("home"))
    dumps = {}
    if services.release is not None:
        dumps = {n: services.release / "dumps" / n for n in DUMP_FORMATS}
        dumps = {n: p for n, p in dumps.items() if p.is_file()}
    graph = void_description(
        service_root=root,
        base_iri=services.settings.base_iri,
        triples=await services.triple_count(),
        build=services.build_info,
        dumps=dumps,
    )
    body = b"" if request.method == "HEAD" else serialize(graph, fmt)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})
