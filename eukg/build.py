"""``eukg build``: parse, reason, validate, then write a new store and dumps, and switch to
them atomically.

Layout of the build folder::

    build/
      current -> releases/20261130T101500-1234   (a symlink, swapped with os.replace)
      releases/<id>/store/          pyoxigraph store
      releases/<id>/dumps/eukg.{nq,trig,ttl,nt,jsonld}
      releases/<id>/build.json      counts, versions, time

A failing or interrupted build never touches ``current``: the new release is written beside it
and only a complete, validated release becomes current. Old releases beyond the last two are
removed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from eukg import __version__
from eukg.config import Settings
from eukg.errors import BuildError, StoreError, ValidationFailed
from eukg.loader import LoadedData, load_files
from eukg.namespaces import CANONICAL_BASE, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES
from eukg.ontology import load_ontology
from eukg.reasoning import materialise
from eukg.terms import quads_from_graph
from eukg.validation import ValidationReport, validate_graph

Progress = Callable[[str], None]

DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "eukg.nq": ox.RdfFormat.N_QUADS,
    "eukg.trig": ox.RdfFormat.TRIG,
    "eukg.ttl": ox.RdfFormat.TURTLE,
    "eukg.nt": ox.RdfFormat.N_TRIPLES,
    "eukg.jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class BuildResult:
    release: Path
    asserted: int
    inferred: int
    ontology: int
    total: int
    sources: int
    seconds: float


def current_release(settings: Settings) -> Path | None:
    """The folder of the current build, or ``None`` when there is none."""
    link = settings.build_dir / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if (target / "store").is_dir() else None


def store_path(settings: Settings) -> Path:
    """The current store's folder; :class:`StoreError` when nothing was built yet."""
    release = current_release(settings)
    if release is None:
        raise StoreError(f"no built graph in {settings.build_dir}/current — run 'eukg build' first")
    return release / "store"


@dataclass(frozen=True)
class Checked:
    """Files read, reasoned over and validated (what ``eukg validate`` and the build share)."""

    loaded: LoadedData
    ontology: Graph
    #: The asserted triples of every graph, with the ``eukg:statedIn`` provenance.
    asserted: Graph
    #: ``asserted`` plus everything the ontology entails about it.
    full: Graph
    report: ValidationReport


def check(
    paths: list[Path],
    settings: Settings,
    *,
    require_sources: bool,
    progress: Progress = lambda _: None,
) -> Checked:
    """Read ``paths``, materialise them with the ontology and validate the result."""
    progress(f"reading the ontology in {settings.ontology_dir}")
    ontology = load_ontology(settings)
    progress(f"reading {', '.join(str(p) for p in paths)}")
    loaded = load_files(paths, require_sources=require_sources)
    progress(f"read {len(loaded)} triples in {len(loaded.graphs)} graphs; reasoning")
    asserted = loaded.union()
    full = materialise(asserted, ontology)
    progress(f"{len(full) - len(asserted)} triples inferred; validating with SHACL")
    return Checked(loaded, ontology, asserted, full, validate_graph(full))


def prepare(settings: Settings, progress: Progress = lambda _: None) -> Checked:
    """Check the shipped data. Raises :class:`ValidationFailed` with the report when it does
    not conform."""
    checked = check([settings.data_dir], settings, require_sources=True, progress=progress)
    if not checked.report.conforms:
        raise ValidationFailed("the data does not conform to the shapes", checked.report)
    return checked


def build(settings: Settings, progress: Progress = lambda _: None) -> BuildResult:
    """Build a new release and make it current. See the module docstring."""
    started = time.monotonic()
    checked = prepare(settings, progress)
    loaded, ontology, full, union = checked.loaded, checked.ontology, checked.full, checked.asserted
    inferred = full - union
    rebase = _rebaser(settings.base_iri)

    releases = settings.build_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    release = releases / f"{stamp}-{os.getpid()}"
    partial = releases / f".partial-{release.name}"
    for leftover in releases.glob(".partial-*"):  # an interrupted earlier build
        shutil.rmtree(leftover, ignore_errors=True)
    previous = current_release(settings)
    try:
        progress(f"writing the store in {release}")
        partial.mkdir(parents=True)
        store = ox.Store(str(partial / "store"))
        store.bulk_extend(rebase(quads_from_graph(full, None)))
        store.bulk_extend(rebase(quads_from_graph(ontology, None)))
        for name, graph in loaded.graphs.items():
            if name is not None:
                store.bulk_extend(rebase(quads_from_graph(graph, _rebase_iri(name, settings))))
        store.bulk_extend(rebase(quads_from_graph(ontology, _rebase_iri(GRAPH_ONTOLOGY, settings))))
        store.bulk_extend(rebase(quads_from_graph(inferred, _rebase_iri(GRAPH_INFERRED, settings))))
        store.optimize()
        counts = {
            "asserted": len(union),
            "inferred": len(inferred),
            "ontology": len(ontology),
            "default_graph": _default_graph_size(store),
            "quads": len(store),
            "sources": sum(1 for n in loaded.graphs if n is not None),
        }
        progress("writing dumps")
        dumps = partial / "dumps"
        dumps.mkdir()
        write_dumps(store, dumps, settings.base_iri)
        store.flush()
        del store
        meta = {
            "eukg_version": __version__,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "base_iri": settings.base_iri,
            "counts": counts,
            "files": [str(p.relative_to(settings.data_dir)) for p in loaded.files],
        }
        (partial / "build.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, release)
        _switch_current(settings.build_dir, release)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BuildError(f"cannot write the build in {releases}: {exc}") from None
    _prune(releases, keep={release.name, previous.name if previous else ""})
    progress(f"done: {counts['default_graph']} triples served")
    return BuildResult(
        release=release,
        asserted=counts["asserted"],
        inferred=counts["inferred"],
        ontology=counts["ontology"],
        total=counts["default_graph"],
        sources=counts["sources"],
        seconds=time.monotonic() - started,
    )


def _default_graph_size(store: ox.Store) -> int:
    rows = list(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    return int(rows[0]["n"].value)  # type: ignore[index,union-attr]


def write_dumps(store: ox.Store, folder: Path, base_iri: str) -> None:
    """The whole dataset (N-Quads, TriG) and the default graph (Turtle, N-Triples, JSON-LD)."""
    prefixes = {**PREFIXES, "id": base_iri + "id/"}
    for name, fmt in DUMP_FORMATS.items():
        target = folder / name
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            store.dump(str(target), fmt, prefixes=prefixes if fmt is ox.RdfFormat.TRIG else None)
        else:
            store.dump(
                str(target),
                fmt,
                from_graph=ox.DefaultGraph(),
                prefixes=prefixes if fmt is ox.RdfFormat.TURTLE else None,
            )


def _rebase_iri(iri: str, settings: Settings) -> str:
    if settings.base_iri != CANONICAL_BASE and iri.startswith(CANONICAL_BASE + "id/"):
        return settings.base_iri + iri[len(CANONICAL_BASE) :]
    return iri


def _rebaser(base_iri: str) -> Callable[[object], object]:
    """Rewrites instance IRIs (``{canonical}id/…``) to ``base_iri``; identity when equal."""
    prefix = CANONICAL_BASE + "id/"
    if base_iri == CANONICAL_BASE:
        return lambda quads: quads

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
        if isinstance(t, ox.NamedNode) and t.value.startswith(prefix):
            return ox.NamedNode(base_iri + t.value[len(CANONICAL_BASE) :])
        return t

    def rebase(quads: object) -> object:
        for q in quads:  # type: ignore[attr-defined]
            yield ox.Quad(term(q.subject), term(q.predicate), term(q.object), q.graph_name)

    return rebase


def _switch_current(build_dir: Path, release: Path) -> None:
    link = build_dir / "current"
    tmp = build_dir / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("releases") / release.name)
    os.replace(tmp, link)


def _prune(releases: Path, keep: set[str]) -> None:
    """Remove every release but ``keep`` (the new one and the one it replaced)."""
    for p in releases.iterdir():
        if p.name not in keep and not p.name.startswith("."):
            shutil.rmtree(p, ignore_errors=True)
