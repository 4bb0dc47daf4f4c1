"""Loading RDF files as they are into a fresh pyoxigraph store (for ``eukg serve --data``).

Files are read with :func:`eukg.loader.parse_file` (no network, errors name file and line):
triples go to the default graph and TriG/N-Quads named graphs stay named graphs. Nothing is
added, inferred or rebased; blank nodes are kept apart file by file.

Oxigraph stores some typed literals in canonical form (``"01"^^xsd:integer`` becomes ``"1"``,
``xsd:int`` becomes ``xsd:integer``; oxigraph/oxigraph#526). Serving such data would change it
silently, so loading fails by default and names the first literal; with ``allow_normalised``
it goes on and reports every rewritten literal.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from eukg.errors import InputError, StoreError
from eukg.loader import discover, parse_file

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class NormalisedLiteral:
    """A literal the store keeps in another form than the file wrote."""

    path: Path
    #: The literal as written, in N-Triples syntax.
    written: str
    #: The literal as the store keeps it, in N-Triples syntax.
    stored: str


@dataclass(frozen=True)
class LoadedFiles:
    """What :func:`load_files_into_store` wrote."""

    store_path: Path
    files: tuple[Path, ...]
    quads: int
    normalised: tuple[NormalisedLiteral, ...]


def load_files_into_store(
    paths: Sequence[Path],
    target: Path,
    *,
    allow_normalised: bool = False,
    base_iri: str | None = None,
) -> LoadedFiles:
    """Write the quads of ``paths`` (files or folders) into a new store in ``target``.

    Relative IRIs resolve against ``base_iri``, or else against each file's ``file:`` URL.

    The store is flushed and closed before this returns, so it can be opened read-only.
    Raises :class:`InputError` for a file that cannot be read or parsed, or that holds
    literals the store would rewrite (unless ``allow_normalised``), and :class:`StoreError`
    when ``target`` cannot be written.
    """
    files = discover(paths)
    if target.exists() and any(target.iterdir()):
        raise StoreError(f"{target} is not empty: load files into a new folder")
    written: dict[ox.Literal, Path] = {}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(target))
        for index, path in enumerate(files):
            quads = [
                _scoped(q, index)
                for q in parse_file(path, base_iri=base_iri or path.resolve().as_uri())
            ]
            for q in quads:
                for literal in _literals(q.object):
                    written.setdefault(literal, path)
            store.bulk_extend(quads)
        stored = {lit for q in store for lit in _literals(q.object)}
        count = len(store)
        store.flush()
        del store
    except OSError as exc:
        raise StoreError(f"cannot write a store in {target}: {exc}") from None
    gc.collect()  # the store is closed when its last reference goes
    normalised = tuple(
        NormalisedLiteral(path, str(lit), str(_stored_form(lit)))
        for lit, path in written.items()
        if lit not in stored
    )
    if normalised and not allow_normalised:
        first = normalised[0]
        raise InputError(
            f"the embedded store (Oxigraph) would rewrite {len(normalised)} literal(s) to a "
            f"canonical form, first {first.written} as {first.stored}; these files cannot be "
            "served as written: serve them from a store that keeps lexical forms "
            "(eukg serve --endpoint), or allow the rewrite explicitly",
            path=str(first.path),
        )
    return LoadedFiles(target, tuple(files), count, normalised)


def _scoped(quad: ox.Quad, index: int) -> ox.Quad:
    """``quad`` with its blank nodes renamed apart for file number ``index``."""
    graph = quad.graph_name
    if isinstance(graph, ox.BlankNode):
        graph = ox.BlankNode(f"f{index}x{graph.value}")
    return ox.Quad(
        _scoped_term(quad.subject, index),  # type: ignore[arg-type]
        quad.predicate,
        _scoped_term(quad.object, index),
        graph,
    )


def _scoped_term(term: Term, index: int) -> Term:
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"f{index}x{term.value}")
    if isinstance(term, ox.Triple):
        return ox.Triple(
            _scoped_term(term.subject, index),  # type: ignore[arg-type]
            term.predicate,
            _scoped_term(term.object, index),
        )
    return term


def _literals(term: Term) -> Iterable[ox.Literal]:
    if isinstance(term, ox.Literal):
        yield term
    elif isinstance(term, ox.Triple):
        yield from _literals(term.object)


def _stored_form(literal: ox.Literal) -> Term:
    probe = ox.Store()
    probe.add(ox.Quad(ox.NamedNode("urn:eukg:s"), ox.NamedNode("urn:eukg:p"), literal))
    stored: Term = next(iter(probe)).object
    return stored
