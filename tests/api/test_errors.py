"""The one mapping from errors to HTTP (api/errors.py), with a store that fails on purpose."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from eukg.errors import (
    KGError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)
from eukg.stores.base import QueryRequest, QueryResponse, StoreOverloaded
from tests.api.conftest import make_settings


class FailingStore:
    """A store whose every query raises ``error``."""

    name = "failing"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def execute(self, request: QueryRequest, timeout: float) -> QueryResponse:
        raise self.error

    def triple_count(self) -> int:
        raise self.error

    def close(self) -> None:
        pass


def client_for(tmp_path: Path, error: Exception) -> TestClient:
    settings = make_settings(tmp_path, "https://w3id.org/eukg/")
    app = create_app(settings, FailingStore(error), queries={})
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [
        (QuerySyntaxError("error at 1:8: expected WHERE"), 400, None),
        (QueryRefused("SERVICE <http://x/> is not allowed"), 403, None),
        (StoreOverloaded("4 queries are running", retry_after=7), 429, "7"),
        (QueryTimeout("the query ran past 30 s"), 503, "10"),
        (StoreError("the store is locked"), 503, "30"),
    ],
)
def test_store_errors_map_to_their_status(
    tmp_path: Path, error: KGError, status: int, retry_after: str | None
) -> None:
    with client_for(tmp_path, error) as client:
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "about:blank",
        "title": r.json()["title"],
        "status": status,
        "detail": str(error),
    }
    assert r.headers.get("retry-after") == retry_after


def test_a_bug_is_a_500_without_traceback_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="eukg.api"),
        client_for(tmp_path, RuntimeError("secret internals")) as client,
    ):
        r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "internal error" in r.json()["detail"]
    assert any(
        rec.exc_info and "secret internals" in str(rec.exc_info[1]) for rec in caplog.records
    )


def test_readiness_reports_a_store_that_does_not_answer(tmp_path: Path) -> None:
    with client_for(tmp_path, StoreError("cannot open the store")) as client:
        assert client.get("/health").status_code == 200
        r = client.get("/health/ready")
    assert r.status_code == 503 and "cannot open the store" in r.json()["detail"]
