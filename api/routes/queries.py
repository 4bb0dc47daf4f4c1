"""``/queries``: every named query (``queries/*.rq``) as a documented REST operation.

``GET /queries/{name}`` takes the query's typed parameters (bound as RDF terms through the
store's substitutions, never pasted into the query text), ``format`` and, for paginated queries,
``page``; the answer is negotiated like ``/sparql``. Paginated answers carry ``X-Total-Count``
and a ``Link`` header with ``first``, ``prev``, ``next`` and ``last``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Services, ServicesDep
from api.errors import BadRequest, NotFound
from api.execution import as_response, parse_json_results, store_request
from api.negotiation import GRAPH_FORMATS, HTML, RESULT_FORMATS, Format, Kind, choose, pick
from api.protocol import parse_params
from api.routes import add_get_head, get_head
from eukg.errors import QueryDefinitionError
from eukg.named_queries import NamedQuery, Param

#: Parameter names the API itself uses; a query may not declare them.
RESERVED = ("format", "page")
MAX_PAGE = 1_000_000

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every named query with its summary, description and parameters.",
        "content": {"application/json": {}, "text/html": {}},
    }
}


def check_queries(queries: dict[str, NamedQuery]) -> None:
    """:class:`QueryDefinitionError` when a query declares a parameter the API reserves."""
    for q in queries.values():
        for p in q.params:
            if p.name in RESERVED:
                raise QueryDefinitionError(
                    f"{q.path}: parameter name {p.name!r} is reserved by the API "
                    f"({', '.join(RESERVED)}); rename it"
                )


def describe(q: NamedQuery, request: Request) -> dict[str, Any]:
    """The JSON description of a named query, as listed by ``GET /queries``."""
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags),
        "form": q.form.upper(),
        "url": str(request.url_for(f"query_{q.name}")),
        "pagination": q.pagination,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "enum": list(p.enum) or None,
                "example": p.example,
                "description": p.description,
            }
            for p in q.params
        ],
    }


def build_router(queries: dict[str, NamedQuery]) -> APIRouter:
    """A router with ``GET /queries`` and one operation per named query."""
    check_queries(queries)
    router = APIRouter(tags=["Named queries"])

    @get_head(
        router,
        "/queries",
        name="queries",
        summary="List the named queries",
        responses=LIST_RESPONSES,
    )
    async def list_queries(request: Request, services: ServicesDep) -> Response:
        """Every named query with its description, parameters and URL (JSON, or HTML)."""
        items = [describe(q, request) for q in queries.values()]
        fmt = choose(request.headers.get("accept"), (JSON_LIST, HTML))
        if fmt is HTML:
            return services.templates.TemplateResponse(
                request, "queries.html", {"queries": items}, headers={"Vary": "Accept"}
            )
        return JSONResponse({"queries": items}, headers={"Vary": "Accept"})

    for q in queries.values():
        add_get_head(
            router,
            f"/queries/{q.name}",
            _endpoint(q),
            name=f"query_{q.name}",
            operation_id=f"query_{q.name.replace('-', '_')}",
            summary=q.summary,
            description=_doc(q),
            tags=list(q.tags) or None,
            responses=_responses(q),
            response_class=Response,
        )

    @get_head(router, "/queries/{name}", include_in_schema=False, name="query_unknown")
    async def unknown_query(name: str) -> Response:
        raise NotFound(f"there is no named query {name!r}; GET /queries lists them")

    return router


JSON_LIST = Format("json", "application/json", "json")


def _doc(q: NamedQuery) -> str:
    text = q.description or q.summary
    if q.pagination:
        text += (
            f"\n\nPaginated: {q.pagination} rows a page (`page`, from 1); the total is in "
            "`X-Total-Count`, the neighbouring pages in `Link`."
        )
    text += f"\n\nSource: `queries/{q.path.name}`."
    return text


def _responses(q: NamedQuery) -> dict[int | str, dict[str, Any]]:
    formats = RESULT_FORMATS if q.form in ("select", "ask") else GRAPH_FORMATS
    return {
        200: {
            "description": f"{q.form.upper()} results in the negotiated format.",
            "content": {f.media_type: {"schema": {"type": "string"}} for f in formats},
        },
        400: {"description": "A parameter value is not acceptable (the message says why)."},
        406: {"description": "No acceptable format."},
        503: {"description": "The query ran past the time limit, or the store is unavailable."},
    }


def _schema(p: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if p.enum:
        schema["enum"] = list(p.enum)
    if p.type == "iri":
        schema["format"] = "iri"
    elif p.type == "date":
        schema["format"] = "date"
    elif p.type in ("integer", "year"):
        schema["pattern"] = r"^-?\d{1,9}$"
    return schema


def _signature(q: NamedQuery) -> inspect.Signature:
    """The signature FastAPI reads to document (and require) the query's parameters."""
    params = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("services", inspect.Parameter.KEYWORD_ONLY, annotation=ServicesDep),
    ]
    for p in q.params:
        description = f"{p.description} (type: {p.type})"
        query = Query(
            alias=p.name,
            description=description,
            examples=[p.example] if p.example is not None else None,
            json_schema_extra=_schema(p) or None,
        )
        params.append(
            inspect.Parameter(
                f"param_{p.name}",
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if p.required else p.default,
                annotation=Annotated[str, query] if p.required else Annotated[str | None, query],
            )
        )
    if q.pagination:
        page = Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")
        params.append(
            inspect.Parameter(
                "page", inspect.Parameter.KEYWORD_ONLY, default=1, annotation=Annotated[int, page]
            )
        )
    fmt = Query(
        description="Result format, for clients that cannot set Accept (overrides it).",
        json_schema_extra={
            "enum": [
                t
                for f in (RESULT_FORMATS if q.form in ("select", "ask") else GRAPH_FORMATS)
                for t in f.tokens[:1]
            ]
        },
    )
    params.append(
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[str | None, fmt],
        )
    )
    return inspect.Signature(params, return_annotation=Response)


def _endpoint(q: NamedQuery) -> Callable[..., Awaitable[Response]]:
    async def endpoint(request: Request, services: Services, **_: object) -> Response:
        return await run_named_query(request, services, q)

    endpoint.__signature__ = _signature(q)  # type: ignore[attr-defined]
    endpoint.__name__ = f"query_{q.name.replace('-', '_')}"
    endpoint.__doc__ = q.summary
    return endpoint


async def run_named_query(request: Request, services: Services, q: NamedQuery) -> Response:
    """Bind the request's parameters to ``q``, run it and answer in the negotiated format."""
    pairs = parse_params(request.scope.get("query_string", b""), "query string")
    values: dict[str, str] = {}
    formats: list[str] = []
    page = 1
    for name, value in pairs:
        if name == "format":
            formats.append(value)
            continue
        if name in values:
            raise BadRequest(f"parameter {name!r} is given more than once")
        values[name] = value
    if "page" in values:
        raw_page = values.pop("page")
        if not q.pagination:
            raise BadRequest(f"query {q.name!r} is not paginated: it has no 'page' parameter")
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
            raise BadRequest(f"page={raw_page!r}: a page number from 1 to {MAX_PAGE}")
        page = int(raw_page)
    bound = q.bind(values)
    kind = Kind.RESULTS if q.form in ("select", "ask") else Kind.GRAPH
    fmt = pick(request.headers.get("accept"), tuple(formats), kind, f"{q.form.upper()} results")
    headers: dict[str, str] = {}
    text = q.sparql
    if q.pagination:
        size = q.pagination
        text = q.paginated(size, (page - 1) * size)
        total = await _count(services, q, bound)
        last = max(1, -(-total // size))
        headers["X-Total-Count"] = str(total)
        headers["Link"] = _links(request, page, last)
    store_req = store_request(
        services,
        text,
        results_format=fmt.name if kind is Kind.RESULTS else "json",
        graph_format=fmt.name if kind is Kind.GRAPH else "turtle",
        bindings=bound,
    )
    answer = await services.run(store_req)
    return as_response(answer, headers=headers, head=request.method == "HEAD")


async def _count(services: Services, q: NamedQuery, bound: dict[str, Any]) -> int:
    request = store_request(services, q.counting(), bindings=bound, max_rows=1)
    rows = parse_json_results((await services.run(request)).body)
    try:
        return int(rows[0]["total"].value)
    except (IndexError, KeyError, ValueError):
        return 0


def _links(request: Request, page: int, last: int) -> str:
    base = str(request.url.remove_query_params("page")).split("?", 1)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]

    def url(n: int) -> str:
        return base[0] + "?" + urlencode([*params, ("page", str(n))])

    links = [f'<{url(1)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
    return ", ".join(links)
