"""``/health``: liveness (the process answers) and readiness (the store answers a query)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.execution import ask

router = APIRouter(tags=["Health"])


@router.get("/health", name="health", summary="Liveness: the service is up")
async def health() -> JSONResponse:
    """Always 200 while the process serves requests; does not touch the store."""
    return JSONResponse({"status": "ok"})


@router.get(
    "/health/ready",
    name="ready",
    summary="Readiness: the store answers",
    responses={503: {"description": "The store does not answer."}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    """200 when the store answers ``ASK {}``; a store error answers 503 through the error map."""
    await ask(services, "ASK {}")
    return JSONResponse({"status": "ok", "triples": await services.triple_count()})
