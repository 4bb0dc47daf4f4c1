"""Build safety: a build killed at any point (SIGKILL) leaves the previous build current and
intact, and the next build succeeds; a dump re-imported into a fresh store gives the same
dataset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from eukg.build import BuildResult, build, current_release
from eukg.config import Settings
from eukg.terms import to_rdflib

KILL_AFTER = (0.3, 1.5, 3.0, 6.0)


def _count(release: Path) -> int:
    store = ox.Store.read_only(str(release / "store"))
    rows = list(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    return int(rows[0]["n"].value)  # type: ignore[index,union-attr]


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildResult]:
    settings = Settings.from_env({}, build_dir=tmp_path_factory.mktemp("safety"))
    return settings, build(settings)


@pytest.mark.parametrize("delay", KILL_AFTER)
def test_a_killed_build_leaves_the_previous_one_serving(
    first_build: tuple[Settings, BuildResult], delay: float
) -> None:
    settings, _ = first_build
    before = current_release(settings)
    assert before is not None
    expected = _count(before)
    proc = subprocess.Popen(
        [sys.executable, "-m", "eukg", "build", "--build-dir", str(settings.build_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    now = current_release(settings)
    assert now is not None and (now / "store").is_dir() and (now / "build.json").is_file()
    assert _count(now) == expected
    assert now == before or proc.returncode == 0  # a finished build may have switched


def test_the_next_build_cleans_up_and_succeeds(first_build: tuple[Settings, BuildResult]) -> None:
    settings, _ = first_build
    result = build(settings)
    assert current_release(settings) == result.release
    releases = settings.build_dir / "releases"
    assert not list(releases.glob(".partial-*"))
    assert len([p for p in releases.iterdir() if not p.name.startswith(".")]) <= 2


def test_dump_reimported_gives_the_same_dataset(
    first_build: tuple[Settings, BuildResult], tmp_path: Path
) -> None:
    _, result = first_build
    original = ox.Store.read_only(str(result.release / "store"))
    fresh = ox.Store(str(tmp_path / "reimport"))
    fresh.bulk_load(path=str(result.release / "dumps" / "eukg.nq"), format=ox.RdfFormat.N_QUADS)
    assert len(fresh) == len(original)
    before, after = _by_graph(original), _by_graph(fresh)
    assert before.keys() == after.keys()
    for name, graph in before.items():
        assert isomorphic(graph, after[name]), name


def _by_graph(store: ox.Store) -> dict[str, Graph]:
    """The store's graphs as rdflib graphs (blank nodes compared up to isomorphism)."""
    graphs: dict[str, Graph] = {}
    for q in store:
        graphs.setdefault(str(q.graph_name), Graph()).add(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
        )
    return graphs
