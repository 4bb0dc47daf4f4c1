"""Fixtures of the store tests: the same dataset in the embedded and the remote backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eukg.stores import EmbeddedStore, RemoteStore, Store, push_release
from tests.conftest_oxigraph import clear_oxigraph, oxigraph_server  # noqa: F401 — the fixture
from tests.stores.dataset import write_release


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release folder holding the test dataset."""
    return write_release(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="session")
def embedded_store(release_dir: Path) -> Iterator[EmbeddedStore]:
    """The embedded backend on the test release (2 workers)."""
    with EmbeddedStore(release_dir / "store", workers=2, max_queued=8) as store:
        yield store


@pytest.fixture(scope="session")
def remote_store(release_dir: Path, oxigraph_server: str) -> Iterator[RemoteStore]:  # noqa: F811
    """The remote backend: an Oxigraph server loaded with the release by the Graph Store
    Protocol."""
    clear_oxigraph(oxigraph_server)
    push_release(release_dir, f"{oxigraph_server}/store")
    store = RemoteStore(f"{oxigraph_server}/query", graph_store=f"{oxigraph_server}/store")
    yield store
    store.close()


@pytest.fixture(params=["embedded", "remote"])
def backend(request: pytest.FixtureRequest) -> Store:
    """Each backend in turn, holding the same data (named so as not to shadow the root
    ``store`` fixture, the built pyoxigraph store)."""
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]
