"""Routers, one module per concern: sparql, queries, linked_data, pages, dumps, health."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

F = TypeVar("F", bound=Callable[..., Any])


def add_get_head(router: APIRouter, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
    """Route GET and HEAD on ``path`` to ``endpoint``; only GET appears in the OpenAPI schema
    (one operation per path, with a stable operation id)."""
    name = kwargs.pop("name", endpoint.__name__)
    router.add_api_route(path, endpoint, methods=["GET"], name=name, **kwargs)
    keep = {k: v for k, v in kwargs.items() if k in ("status_code", "response_class")}
    router.add_api_route(
        path, endpoint, methods=["HEAD"], name=f"{name}_head", include_in_schema=False, **keep
    )


def get_head(router: APIRouter, path: str, **kwargs: Any) -> Callable[[F], F]:
    """Decorator form of :func:`add_get_head`."""

    def decorator(endpoint: F) -> F:
        add_get_head(router, path, endpoint, **kwargs)
        return endpoint

    return decorator
