"""Settings, read from the environment by :meth:`Settings.from_env` (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from eukg.errors import InputError
from eukg.namespaces import CANONICAL_BASE

#: The repository root: ontology/, shapes/, data/ and queries/ live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where a wheel install keeps ontology/, shapes/ and queries/ (see setup.py).
PACKAGED = Path(__file__).resolve().parent / "resources"


def resource_dir(name: str) -> Path:
    """``ontology``, ``shapes`` or ``queries``: from the checkout, else from the package."""
    checkout = PROJECT_ROOT / name
    return checkout if checkout.is_dir() or not (PACKAGED / name).is_dir() else PACKAGED / name


@dataclass(frozen=True)
class Settings:
    """Every setting of eukg with its default. Environment variables are ``EUKG_<NAME>``."""

    #: Where ``eukg build`` writes releases of the store and the dumps.
    build_dir: Path = Path("build")
    #: Source folders of the shipped graph.
    data_dir: Path = PROJECT_ROOT / "data"
    ontology_dir: Path = field(default_factory=lambda: resource_dir("ontology"))
    shapes_dir: Path = field(default_factory=lambda: resource_dir("shapes"))
    queries_dir: Path = field(default_factory=lambda: resource_dir("queries"))
    #: The base of minted IRIs in the served graph; data is written with the canonical base.
    base_iri: str = CANONICAL_BASE
    host: str = "127.0.0.1"
    port: int = 8000
    #: Seconds a query may run before it is stopped and the client gets 503.
    query_timeout: float = 30.0
    #: Rows (or triples) returned at most; a truncated result says so in a header.
    max_rows: int = 10_000
    #: Bytes of request body accepted at most (413 beyond).
    max_body: int = 1_000_000
    #: Characters of query text accepted at most.
    max_query_length: int = 100_000
    #: Queries running at once; more wait in a bounded queue, then get 429.
    max_concurrent: int = 4
    #: Queries waiting at most for a free worker before 429.
    max_queued: int = 16
    #: Seconds a query may wait for a free worker before 429 (waiting is not running: the
    #: query timeout starts when a worker takes the query).
    queue_timeout: float = 30.0
    #: CORS origins allowed to read (``*`` = any origin, never with credentials); empty = off.
    cors_origins: tuple[str, ...] = ("*",)
    #: SERVICE endpoints a query may call (exact IRIs). Empty: SERVICE is refused.
    service_allowlist: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``EUKG_*`` variables, then ``overrides`` (ignored when ``None``)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"EUKG_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def with_(self, **changes: object) -> Settings:
        """A copy with ``changes`` applied and checked."""
        new = replace(self, **changes)  # type: ignore[arg-type]
        new.check()
        return new

    def check(self) -> None:
        """Raise :class:`InputError` when a value is out of range."""
        if not self.base_iri.endswith("/") or "://" not in self.base_iri:
            raise InputError(f"base IRI must be absolute and end with '/': {self.base_iri!r}")
        for name in (
            "query_timeout",
            "queue_timeout",
            "max_rows",
            "max_body",
            "max_query_length",
            "max_concurrent",
        ):
            if getattr(self, name) <= 0:
                raise InputError(f"setting {name} must be positive, got {getattr(self, name)!r}")
        if self.max_queued < 0:
            raise InputError(f"setting max_queued must be >= 0, got {self.max_queued!r}")
        if not 0 < self.port < 65536:
            raise InputError(f"port must be between 1 and 65535, got {self.port}")


def _convert(name: str, type_: object, raw: str) -> object:
    kind = str(type_)
    try:
        if kind == "Path":
            return Path(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind.startswith("tuple"):
            return tuple(p.strip() for p in raw.split(",") if p.strip())
    except ValueError as exc:
        raise InputError(f"environment variable EUKG_{name.upper()}={raw!r}: {exc}") from None
    return raw
