"""A release folder (store, dumps, build.json) in the layout of ``eukg build``, written straight
from RDF files: no reasoning, no validation. For tests that need a small, known dataset."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from eukg import __version__
from eukg.build import write_dumps
from eukg.loader import FORMATS
from eukg.namespaces import CANONICAL_BASE, GRAPH_ONTOLOGY


def _rebased(term: ox.NamedNode | ox.BlankNode | ox.Literal, base_iri: str) -> object:
    prefix = CANONICAL_BASE + "id/"
    if isinstance(term, ox.NamedNode) and term.value.startswith(prefix):
        return ox.NamedNode(base_iri + term.value[len(CANONICAL_BASE) :])
    return term


def _quads(path: Path, base_iri: str, graph: str | None = None) -> Iterator[ox.Quad]:
    for q in ox.parse(path=str(path), format=FORMATS[path.suffix]):
        name = q.graph_name if isinstance(q, ox.Quad) else ox.DefaultGraph()
        if graph is not None:
            name = ox.NamedNode(graph)
        yield ox.Quad(
            _rebased(q.subject, base_iri),  # type: ignore[arg-type]
            _rebased(q.predicate, base_iri),  # type: ignore[arg-type]
            _rebased(q.object, base_iri),  # type: ignore[arg-type]
            _rebased(name, base_iri),  # type: ignore[arg-type]
        )


def write_release(
    target: Path,
    data: Sequence[Path],
    ontology: Sequence[Path],
    base_iri: str = CANONICAL_BASE,
) -> Path:
    """Write ``target/{store,dumps,build.json}``: every data quad in its named graph and in the
    default graph, the ontology in the default graph and in its own named graph."""
    target.mkdir(parents=True)
    store = ox.Store(str(target / "store"))
    ontology_graph = base_iri + GRAPH_ONTOLOGY[len(CANONICAL_BASE) :]
    asserted = 0
    for path in data:
        for q in _quads(path, base_iri):
            store.add(q)
            store.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
            asserted += 1
    for path in ontology:
        for q in _quads(path, base_iri, ontology_graph):
            store.add(q)
            store.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    (target / "dumps").mkdir()
    write_dumps(store, target / "dumps", base_iri)
    counts = {"asserted": asserted, "inferred": 0, "default_graph": default, "quads": len(store)}
    store.flush()
    del store
    meta = {
        "eukg_version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_iri": base_iri,
        "counts": counts,
        "files": [p.name for p in data],
    }
    (target / "build.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return target
