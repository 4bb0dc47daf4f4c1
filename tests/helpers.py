"""Helpers and paths shared by the tests."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pyoxigraph as ox

from eukg.config import PROJECT_ROOT
from eukg.namespaces import PREFIXES

ROOT = PROJECT_ROOT
DATA = ROOT / "data"
CONCLUSIONS = "https://w3id.org/eukg/id/doc/convergence-conclusions-2008"


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as dicts of variable → term value (unbound variables left out)."""
    result = store.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]  # type: ignore[union-attr]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(query, prefixes=PREFIXES))


def copy_data(tmp: Path) -> Path:
    """A writable copy of ``data/`` for tests that break it."""
    target = tmp / "data"
    shutil.copytree(DATA, target)
    return target


def free_port() -> int:
    """A port that was free a moment ago (for servers started in a subprocess)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
