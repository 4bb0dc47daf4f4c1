"""Shared fixtures: the shipped graph built once per test session into a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from eukg.build import BuildResult, build
from eukg.config import Settings

pytest_plugins = ["tests.conftest_oxigraph"]


@pytest.fixture(scope="session")
def build_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the shipped project with a private build folder."""
    return Settings.from_env({}, build_dir=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def built(build_settings: Settings) -> BuildResult:
    """The shipped data built once (parse, reason, validate, store, dumps)."""
    return build(build_settings)


@pytest.fixture(scope="session")
def store(built: BuildResult) -> Iterator[ox.Store]:
    """The built store, opened read-only."""
    s = ox.Store.read_only(str(built.release / "store"))
    yield s
