"""A real Oxigraph SPARQL server for tests (the ``oxigraph`` CLI from the PyPI package).

Enable with ``pytest_plugins = ["tests.conftest_oxigraph"]`` in the root ``tests/conftest.py``.

* ``oxigraph_server`` (session): the base URL of a server on a free loopback port; SPARQL
  query at ``/query``, update at ``/update``, Graph Store Protocol at ``/store``.
* :func:`run_oxigraph`: a context manager starting a private server (for tests that make it
  busy, e.g. with a runaway query: stopping the server is the only way to stop the query).
* :func:`clear_oxigraph`: ``DROP ALL`` on a server, for tests that load their own data.

Servers are stopped by pid (terminate, then kill) and never outlive the test session.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@dataclass(frozen=True)
class OxigraphServer:
    """A running server: its base URL and process id."""

    base_url: str
    pid: int

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"


@contextmanager
def run_oxigraph(location: Path, *, startup_timeout: float = 20.0) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on ``location`` and a free loopback port; stop it after."""
    if not OXIGRAPH.exists():
        pytest.skip(f"the oxigraph server is not installed ({OXIGRAPH}): pip install oxigraph")
    log_path = location.parent / f"{location.name}-oxigraph.log"
    for _attempt in range(3):  # the free port may be taken before the server binds it
        port = free_port()
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(OXIGRAPH),
                    "serve",
                    "--location",
                    str(location),
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        server = OxigraphServer(f"http://127.0.0.1:{port}", process.pid)
        try:
            if _wait_until_up(server, process, startup_timeout):
                yield server
                return
        finally:
            _stop(process)
    log = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    raise RuntimeError(f"the oxigraph server did not start; its log ends with:\n{log}")


def clear_oxigraph(base_url: str) -> None:
    """Remove every graph from the server at ``base_url``."""
    data = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    with urllib.request.urlopen(f"{base_url}/update", data=data, timeout=30) as response:
        response.read()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an Oxigraph server shared by the session (see the module docstring)."""
    with run_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db") as server:
        yield server.base_url


def _wait_until_up(server: OxigraphServer, process: subprocess.Popen[bytes], limit: float) -> bool:
    probe = f"{server.query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
