"""The application factory: settings and a store in, a FastAPI app out. No app at import."""

from __future__ import annotations

from pathlib import Path

import anyio
import jinja2
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from api import errors
from api.deps import Services
from api.execution import EXPOSED_HEADERS
from api.routes import dumps, health, linked_data, pages, sparql
from api.routes import queries as query_routes
from eukg import __version__
from eukg.config import Settings
from eukg.named_queries import NamedQuery, load_named_queries
from eukg.stores.base import Store

HERE = Path(__file__).resolve().parent

DESCRIPTION = """\
A linked-data knowledge graph of EU internal security instruments.

* **/sparql**: the SPARQL 1.1 Protocol (GET, POST form, POST `application/sparql-query`),
  read-only, with the Service Description at `GET /sparql`.
* **/queries**: named queries as REST operations with typed parameters.
* **/id/…**: every IRI of the graph dereferences (303 to `/doc/…` or `/data/…`).
* **/ontology**, **/void**, **/dumps/…**: the ontology, the dataset description, the dumps.

Errors are `application/problem+json` with a `detail` that says what is wrong.
"""


def _operation_id(route: APIRoute) -> str:
    """Stable, readable OpenAPI operation ids: the route's name (unique in this app)."""
    return route.name.replace("-", "_")


def create_app(
    settings: Settings,
    store: Store,
    *,
    queries: dict[str, NamedQuery] | None = None,
    release: Path | None = None,
) -> FastAPI:
    """The eukg HTTP service over ``store``.

    ``queries`` defaults to the named queries in ``settings.queries_dir`` (a bad file raises
    :class:`~eukg.errors.QueryDefinitionError` here, not at request time). ``release`` is the
    build folder whose dumps and ``build.json`` are served; ``None`` when serving files or a
    remote store. The caller owns ``store`` and closes it.
    """
    if queries is None:
        queries = load_named_queries(settings.queries_dir) if settings.queries_dir.is_dir() else {}
    app = FastAPI(
        title="eukg",
        version=__version__,
        description=DESCRIPTION,
        generate_unique_id_function=_operation_id,
        license_info={"name": "EUPL-1.2 (code); CC BY 4.0 (data)"},
    )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    templates = Jinja2Templates(env=env)
    app.state.services = Services(
        settings=settings,
        store=store,
        queries=dict(queries),
        release=release,
        templates=templates,
        limiter=anyio.CapacityLimiter(settings.max_concurrent + settings.max_queued),
    )
    errors.install(app)
    for router in (
        pages.router,
        sparql.router,
        query_routes.build_router(dict(queries)),
        linked_data.router,
        dumps.router,
        health.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=False,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=list(EXPOSED_HEADERS),
            max_age=3600,
        )
    return app
