"""``eukg serve`` and ``eukg load`` as a user runs them (subprocesses), and the W3C protocol
checks run against ``eukg serve --data``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.api.conftest import FIXTURE_DATA, Release
from tests.api.servers import free_port
from tests.helpers import ROOT

EUKG = [sys.executable, "-m", "eukg"]
W3C_ENV = "EUKG_W3C_SUITE"


def eukg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*EUKG, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "EUKG_BUILD_DIR": str(ROOT / "build")},
    )


def w3c_dir() -> Path:
    """The W3C conformance runner: $EUKG_W3C_SUITE, else ../shared/w3c beside the repository."""
    folder = Path(os.environ.get(W3C_ENV) or ROOT.parent / "shared" / "w3c")
    if not (folder / "run_suite.py").is_file():
        pytest.fail(
            f"the W3C SPARQL conformance runner is missing: no run_suite.py in {folder}; "
            f"set {W3C_ENV} to the folder that holds it"
        )
    return folder


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "one.ttl"
    path.write_text('<urn:a> <urn:b> "é" .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve", "--data", "no/such/file.ttl"], "does not exist"),
        (["serve", "--port", "0", "--data", "{data}"], "port must be between"),
        (["serve", "--base-iri", "no-slash", "--data", "{data}"], "base IRI"),
        (["serve", "--data", "{data}", "--endpoint", "http://127.0.0.1:9/query"], "exclude"),
        (["serve", "{data}"], "without --data"),
        (["serve", "--workers", "0"], "--workers"),
        (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--graph-store"),
    ],
)
def test_bad_options_are_usage_errors(data_file: Path, args: list[str], words: str) -> None:
    r = eukg(*[a.replace("{data}", str(data_file)) for a in args])
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr


def test_an_unreadable_data_file_is_a_message_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    r = eukg("serve", "--data", str(bad), "--port", str(free_port()))
    assert r.returncode == 2 and "bad.ttl" in r.stderr and "Traceback" not in r.stderr


def test_load_without_a_build_says_what_to_do(tmp_path: Path) -> None:
    r = eukg("load", "--endpoint", "http://127.0.0.1:9/query", "--build-dir", str(tmp_path))
    assert r.returncode == 2 and "eukg build" in r.stderr and "Traceback" not in r.stderr


@contextmanager
def eukg_serve(*args: str) -> Iterator[str]:
    """``eukg serve ARGS`` in a subprocess on a free port; stopped by its pid afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [
            *EUKG,
            "serve",
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                requests.get(url + "/health", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "eukg serve did not start"
                time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def served(data_file: Path) -> Iterator[str]:
    """``eukg serve --data FILE FILE``."""
    with eukg_serve("--data", str(data_file), str(FIXTURE_DATA / "fixture.trig")) as url:
        yield url


def test_serve_data_serves_the_files_as_they_are(served: str) -> None:
    r = requests.post(
        served + "/sparql",
        data={"query": "SELECT ?o WHERE { <urn:a> <urn:b> ?o }"},
        headers={"accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["é"]
    # as they are: the TriG's named graphs stay named graphs, and nothing is inferred

    def ask(query: str) -> bool:
        answer = requests.get(served + "/sparql", params={"query": query}, timeout=30)
        return bool(answer.json()["boolean"])

    paragraph = "?s a <https://w3id.org/eukg/ontology#Paragraph>"
    assert ask(f"ASK {{ GRAPH ?g {{ {paragraph} }} }}")
    assert not ask(f"ASK {{ {paragraph} }}")
    assert not ask("ASK { GRAPH ?g { ?s a <http://data.europa.eu/eli/ontology#WorkSubdivision> } }")
    assert requests.get(served + "/dumps/eukg.ttl", timeout=30).status_code == 404


def test_load_pushes_the_release_and_serve_endpoint_serves_it(
    release: Release, oxigraph_server: str, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    (build / "releases").mkdir(parents=True)
    (build / "releases" / release.path.name).symlink_to(release.path)
    (build / "current").symlink_to(Path("releases") / release.path.name)
    r = eukg("load", "--endpoint", oxigraph_server + "/query", "--build-dir", str(build))
    assert r.returncode == 0, r.stderr
    assert "loaded" in r.stdout
    with eukg_serve(
        "--endpoint", oxigraph_server + "/query", "--base-iri", release.base_iri
    ) as url:
        path = release.local(release.nested)
        r = requests.get(f"{url}/id/{path}", headers={"accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200 and release.nested_text.split(",")[0] in r.text
        assert requests.get(url + "/dumps/eukg.nt", timeout=30).status_code == 404


def test_w3c_protocol_checks_pass_against_serve_data(tmp_path: Path) -> None:
    folder = w3c_dir()
    out = tmp_path / "protocol.json"
    cmd = (
        f"{sys.executable} -m eukg serve --data {{data}} --data-base {{base}} --workers 1 "
        "--host 127.0.0.1 --port {port} --log-level warning"
    )
    r = subprocess.run(
        [
            sys.executable,
            str(folder / "run_suite.py"),
            "--protocol",
            "--cmd",
            cmd,
            "--url",
            "http://127.0.0.1:{port}/sparql",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.is_file(), r.stdout + r.stderr
    summary = json.loads(out.read_text())
    failed = [c for c in summary["checks"] if c["outcome"] != "pass"]
    assert summary["summary"]["passed"] >= 33, failed
