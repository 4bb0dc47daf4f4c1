"""The ``eukg`` command line, run as a user runs it (a subprocess): exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eukg.build import BuildResult
from eukg.config import Settings
from tests.helpers import ROOT, copy_data

EUKG = [sys.executable, "-m", "eukg"]


def eukg(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*EUKG, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=600
    )


def test_validate_passes_the_shipped_data() -> None:
    r = eukg("validate")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "conforms" in r.stderr and "Traceback" not in r.stderr


def test_validate_names_the_node_with_a_malformed_celex(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = data / "corpus" / "information-exchange.trig"
    path.write_text(path.read_text().replace('"32006F0960"', '"32006X960"'))
    r = eukg("validate", str(data))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "https://w3id.org/eukg/id/eurlex/32006F0960" in r.stdout
    assert "32006X960" in r.stdout


def test_validate_reports_an_impossible_date(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = data / "corpus" / "information-exchange.trig"
    text = path.read_text()
    assert '"2023-05-10"^^xsd:date' in text
    path.write_text(text.replace('"2023-05-10"^^xsd:date', '"2001-05-10"^^xsd:date'))
    r = eukg("validate", str(data), "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["conforms"] is False
    focus = {res["focus_node"].strip("<>") for res in report["results"]}
    assert "https://w3id.org/eukg/id/eurlex/32023L0977" in focus


def test_validate_unreadable_input_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n")
    r = eukg("validate", str(bad))
    assert r.returncode == 2
    assert f"{bad}:2" in r.stderr and "Traceback" not in r.stderr
    r = eukg("validate", str(tmp_path / "missing.ttl"))
    assert r.returncode == 2 and "no such file" in r.stderr


@pytest.mark.parametrize("fmt", ["junit", "turtle"])
def test_validate_report_formats_written_whole(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    r = eukg("validate", "--format", fmt, "--output", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    if fmt == "junit":
        import xml.etree.ElementTree as ET

        assert ET.fromstring(text).tag in ("testsuites", "testsuite")
    else:
        from rdflib import Graph

        assert len(Graph().parse(data=text, format="turtle")) > 0
    assert not list(tmp_path.glob(".*tmp*"))


def test_query_formats(built: BuildResult, build_settings: Settings) -> None:
    env = {"EUKG_BUILD_DIR": str(build_settings.build_dir)}
    q = 'SELECT ?id { ?x eli:id_local ?id FILTER(?id = "9596/06") }'
    r = eukg("query", q, env=env)
    assert r.returncode == 0, r.stderr
    assert "9596/06" in r.stdout and "(1 row)" in r.stdout
    r = eukg("query", q, "--format", "json", env=env)
    assert json.loads(r.stdout)["results"]["bindings"][0]["id"]["value"] == "9596/06"
    r = eukg("query", q, "--format", "csv", env=env)
    assert r.stdout.splitlines() == ["id", "9596/06"]
    r = eukg(
        "query",
        "CONSTRUCT { ?x eli:id_local ?id } WHERE { ?x eli:id_local ?id } LIMIT 2",
        "--format",
        "turtle",
        env=env,
    )
    assert r.returncode == 0 and "eli:id_local" in r.stdout
    rq = ROOT / "queries" / "council-documents-cited.rq"
    r = eukg("query", f"@{rq}", "--format", "csv", env=env)
    assert r.returncode == 0 and "15446/05" in r.stdout


def test_query_errors_are_clear(
    built: BuildResult, build_settings: Settings, tmp_path: Path
) -> None:
    env = {"EUKG_BUILD_DIR": str(build_settings.build_dir)}
    r = eukg("query", "SELECT ?x WHERE { ?x ", env=env)
    assert r.returncode == 2 and "syntax" in r.stderr.lower() and "Traceback" not in r.stderr
    r = eukg("query", "INSERT DATA { <http://a> <http://b> <http://c> }", env=env)
    assert r.returncode == 2 and "read-only" in r.stderr
    r = eukg("query", "SELECT * {}", env={"EUKG_BUILD_DIR": str(tmp_path / "none")})
    assert r.returncode == 2 and "eukg build" in r.stderr
    r = eukg("query", "@/nonexistent/q.rq", env=env)
    assert r.returncode == 2 and "cannot read" in r.stderr
    r = eukg("query", "SELECT * {}", "--format", "nope", env=env)
    assert r.returncode == 2


def test_bad_environment_value_is_an_input_error() -> None:
    r = eukg("validate", env={"EUKG_PORT": "eighty"})
    assert r.returncode == 2 and "EUKG_PORT" in r.stderr
