"""Fixtures of the API tests: one release per session, served by each backend in turn.

The release is the real build of ``data/`` when the data holds a document with parts and
citations (what the linked-data pages are tested on), otherwise the small fixture dataset in
``tests/api/data`` written in the same layout. ``EUKG_API_TEST_DATA=real|fixture`` forces the
choice. Every test that takes ``store``, ``app``, ``client`` or ``live_url`` runs against both
backends: the embedded store and a real Oxigraph server fed through the Graph Store Protocol.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from eukg.config import Settings
from eukg.named_queries import NamedQuery, load_named_queries
from eukg.stores.base import Store
from eukg.stores.embedded import EmbeddedStore
from eukg.stores.remote import RemoteStore, push_release
from tests.api.release import write_release
from tests.api.servers import LiveServer
from tests.conftest_oxigraph import oxigraph_server  # noqa: F401  (a session fixture)
from tests.helpers import ROOT

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

HERE = Path(__file__).resolve().parent
FIXTURE_DATA = HERE / "data"
FIXTURE_QUERIES = HERE / "queries"
EUKG = "https://w3id.org/eukg/ontology#"
BACKENDS = ("embedded", "remote")


@dataclass(frozen=True)
class Release:
    """The release under test and resources in it that the tests use."""

    path: Path
    base_iri: str
    source: str  #: "real" or "fixture"
    doc: str  #: a document with parts and a citation
    part: str  #: a part of ``doc`` that cites ``cited``
    part_text: str
    cited: str
    nested: str  #: a part of a part of ``doc``
    nested_text: str

    def local(self, iri: str) -> str:
        """The path of one of our IRIs after ``/id/``."""
        prefix = self.base_iri + "id/"
        assert iri.startswith(prefix), iri
        return iri[len(prefix) :]


_CITATION = f"""PREFIX eukg: <{EUKG}>
SELECT ?doc ?part ?text ?work WHERE {{
  ?cit eukg:citingPart ?part ; eukg:citedWork ?work .
  ?part eukg:isPartOf ?doc ; eukg:text ?text .
  FILTER NOT EXISTS {{ ?doc eukg:isPartOf ?up }}
}} ORDER BY ?doc ?part LIMIT 1"""
_NESTED = f"""PREFIX eukg: <{EUKG}>
SELECT ?part ?text WHERE {{
  ?part eukg:isPartOf ?parent ; eukg:text ?text . ?parent eukg:isPartOf+ $DOC .
}} ORDER BY ?part LIMIT 1"""


def _real_data_is_usable() -> bool:
    """Whether ``data/`` holds citations and parts (read as text: cheaper than a build)."""
    choice = os.environ.get("EUKG_API_TEST_DATA")
    if choice in ("real", "fixture"):
        return choice == "real"
    data, ontology = ROOT / "data", ROOT / "ontology"
    if not data.is_dir() or not ontology.is_dir():
        return False
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in data.rglob("*.trig"))
    return "citingPart" in text and "isPartOf" in text


def _examples(store_dir: Path) -> dict[str, str]:
    store = ox.Store.read_only(str(store_dir))
    try:
        rows = list(store.query(_CITATION))
        assert rows, "the test release has no document with a citing part"
        row = rows[0]
        doc = row["doc"]
        nested = list(store.query(_NESTED.replace("$DOC", str(doc))))
        assert nested, "the test release has no nested part"
        return {
            "doc": doc.value,  # type: ignore[union-attr]
            "part": row["part"].value,  # type: ignore[union-attr]
            "part_text": row["text"].value,  # type: ignore[union-attr]
            "cited": row["work"].value,  # type: ignore[union-attr]
            "nested": nested[0]["part"].value,  # type: ignore[union-attr]
            "nested_text": nested[0]["text"].value,  # type: ignore[union-attr]
        }
    finally:
        del store


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Release:
    """The release every API test reads (see the module docstring)."""
    if _real_data_is_usable():
        # the shipped data, built once per session by the root conftest's ``built`` fixture
        path, source = request.getfixturevalue("built").release, "real"
    else:
        ontology = sorted((ROOT / "ontology").glob("*.ttl"))
        path = write_release(
            tmp_path_factory.mktemp("release") / "fixture",
            sorted(FIXTURE_DATA.glob("*.trig")),
            ontology,
        )
        source = "fixture"
    import json

    base = json.loads((path / "build.json").read_text(encoding="utf-8"))["base_iri"]
    return Release(path=path, base_iri=base, source=source, **_examples(path / "store"))


@pytest.fixture(scope="session")
def named_queries() -> dict[str, NamedQuery]:
    """The fixture queries of tests/api/queries (the shipped ones are tested separately)."""
    return load_named_queries(FIXTURE_QUERIES)


def make_settings(tmp: Path, base_iri: str, **overrides: object) -> Settings:
    """Settings for a test app: nothing read from the environment."""
    return Settings.from_env(
        {},
        build_dir=tmp,
        base_iri=base_iri,
        queries_dir=FIXTURE_QUERIES,
        query_timeout=overrides.pop("query_timeout", 10.0),
        **overrides,
    )


@pytest.fixture(scope="session", params=BACKENDS)
def store(request: pytest.FixtureRequest, release: Release) -> Iterator[Store]:
    """The release served by the embedded store, then by a remote Oxigraph server."""
    if request.param == "embedded":
        s: Store = EmbeddedStore(release.path / "store", 2, 8)
    else:
        url: str = request.getfixturevalue("oxigraph_server")
        push_release(release.path, url + "/store")
        s = RemoteStore(url + "/query")
    yield s
    s.close()


@pytest.fixture(scope="session")
def backend(store: Store) -> str:
    """The name of the backend under test."""
    return "remote" if isinstance(store, RemoteStore) else "embedded"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, release: Release) -> Settings:
    return make_settings(tmp_path_factory.mktemp("settings"), release.base_iri)


@pytest.fixture(scope="session")
def app(
    settings: Settings, store: Store, named_queries: dict[str, NamedQuery], release: Release
) -> FastAPI:
    return create_app(settings, store, queries=named_queries, release=release.path)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A test client that raises any exception the app does not handle (so a 500 fails)."""
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture(scope="session")
def live_url(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1, for real clients."""
    with LiveServer(app) as url:
        yield url
