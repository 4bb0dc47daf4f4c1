"""The one place where errors become HTTP responses.

Library errors (:mod:`eukg.errors`) and the service's own request errors map to a status code in
:data:`STATUS`; every error answers a short message that says what is wrong, as
``application/problem+json`` (RFC 9457) or, for a client that prefers HTML, a small HTML page.
An unexpected exception is logged with its traceback on the server and answered with a 500 that
carries no traceback; the tests make sure that bad input never gets there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.negotiation import HTML, BadFormatParameter, Format, NotAcceptable, choose
from eukg.errors import (
    InputError,
    KGError,
    Overloaded,
    QueryDefinitionError,
    QueryParameterError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)

log = logging.getLogger("eukg.api")

PROBLEM_JSON = Format("problem", "application/problem+json", "json", ("application/json",))


class RequestError(KGError):
    """A request the service refuses before it reaches the store. ``status`` is its HTTP code."""

    status = 400


class BadRequest(RequestError):
    """A missing, repeated or malformed parameter, or an undecodable body (400)."""


class ReadOnly(RequestError):
    """An update sent to this read-only service (403)."""

    status = 403


class NotFound(RequestError):
    """Nothing is known about the resource, query or file asked for (404)."""

    status = 404


class PayloadTooLarge(RequestError):
    """The request body is larger than ``Settings.max_body`` (413)."""

    status = 413


class UnsupportedMediaType(RequestError):
    """A POST body of a media type the endpoint does not take (415)."""

    status = 415


#: Status codes of library errors. QueryRefused (an update given as ``query=``, or SERVICE to
#: an endpoint that is not allow-listed) is 403: the request is understood and refused by policy,
#: the same answer as ``update=``. See docs/endpoint.md, "Errors".
STATUS: Mapping[type[KGError], int] = {
    QuerySyntaxError: 400,
    QueryParameterError: 400,
    InputError: 400,
    BadFormatParameter: 400,
    QueryRefused: 403,
    NotAcceptable: 406,
    Overloaded: 429,
    QueryTimeout: 503,
    StoreError: 503,
    QueryDefinitionError: 500,
}

#: Seconds a client should wait before retrying, by error class.
RETRY_AFTER: Mapping[type[KGError], int] = {Overloaded: 1, QueryTimeout: 10, StoreError: 30}

TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_of(exc: KGError) -> int:
    """The HTTP status for ``exc``: its own for request errors, else the closest in STATUS."""
    if isinstance(exc, RequestError):
        return exc.status
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """An error response: problem+json, or HTML when the client prefers HTML."""
    title = TITLES.get(status, "Error")
    all_headers = {"Vary": "Accept", **(headers or {})}
    try:
        wants_html = choose(request.headers.get("accept"), (PROBLEM_JSON, HTML)) is HTML
    except NotAcceptable:
        wants_html = False
    if wants_html and request.method != "HEAD":
        body = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{status} {escape(title)}</title>"
            f'<link rel="stylesheet" href="{escape(_static_css(request))}"></head>'
            f'<body><main><h1>{status} {escape(title)}</h1><p class="error">{escape(detail)}</p>'
            f'<p><a href="{escape(_root(request))}">eukg home</a></p></main></body></html>\n'
        )
        return HTMLResponse(body, status_code=status, headers=all_headers)
    content: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    content["detail"] = detail
    content.update(extra or {})
    return JSONResponse(
        content, status_code=status, headers=all_headers, media_type=PROBLEM_JSON.media_type
    )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")) + "/"


def _static_css(request: Request) -> str:
    return _root(request) + "static/eukg.css"


async def _kg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KGError)
    status = status_of(exc)
    headers: dict[str, str] = {}
    for cls, seconds in RETRY_AFTER.items():
        if isinstance(exc, cls):
            headers["Retry-After"] = str(getattr(exc, "retry_after", seconds))
    extra: dict[str, Any] = {}
    if isinstance(exc, QuerySyntaxError):
        for name in ("position", "line", "column"):
            value = getattr(exc, name, None)
            if value is not None:
                extra[name] = value
    if isinstance(exc, NotAcceptable):
        extra["available"] = list(exc.offers)
    if status >= 500 and not isinstance(exc, (QueryTimeout, StoreError)):
        log.error("error answered with %d: %s", status, exc)
    return problem(request, status, str(exc), headers=headers, extra=extra)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route for {request.url.path}; see / for what this service offers"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        detail = f"method {request.method} is not allowed on {request.url.path}" + (
            f" (allowed: {allowed})" if allowed else ""
        )
    return problem(request, exc.status_code, detail, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    messages = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body"))
        messages.append(f"{where}: {err.get('msg', 'invalid value')}" if where else err["msg"])
    return problem(request, 400, "; ".join(messages) or "invalid request")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        request, 500, "internal error; it has been logged. Please report it if it persists."
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(KGError, _kg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
