"""Reading RDF files: strict parsing with file and line in every error, and the
source-graph rule of ``data/`` (every triple sits in the named graph of its source).

Parsing uses pyoxigraph, which never fetches anything: RDF/XML external entities and
JSON-LD remote contexts are refused, so a hostile file cannot make eukg open a file or a
network connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from eukg.errors import DataModelError, InputError
from eukg.namespaces import EUKG
from eukg.terms import to_rdflib

#: File extensions eukg reads, and their formats.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".n3": ox.RdfFormat.N3,
}


@dataclass
class LoadedData:
    """Triples read from files, graph by graph (``None`` is the default graph)."""

    graphs: dict[str | None, Graph] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def graph(self, name: str | None) -> Graph:
        if name not in self.graphs:
            self.graphs[name] = Graph()
        return self.graphs[name]

    def union(self) -> Graph:
        """All triples of all graphs in one graph, plus the ``eukg:statedIn`` provenance."""
        g = Graph()
        for part in self.graphs.values():
            g += part
        g += self.provenance()
        return g

    def provenance(self) -> Graph:
        """``s eukg:statedIn g`` for every IRI subject ``s`` of every source graph ``g``."""
        g = Graph()
        for name, part in self.graphs.items():
            if name is None:
                continue
            source = URIRef(name)
            for s in set(part.subjects()):
                if isinstance(s, URIRef) and s != source:
                    g.add((s, EUKG.statedIn, source))
        return g

    def __len__(self) -> int:
        return sum(len(g) for g in self.graphs.values())


def discover(paths: Iterable[Path]) -> list[Path]:
    """The RDF files named by ``paths``; folders are searched recursively, in sorted order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in FORMATS and p.is_file())
            if not files:
                raise InputError("folder holds no RDF file (.ttl, .trig, .nt, …)", path=str(path))
            found.extend(files)
        elif path.is_file():
            if path.suffix not in FORMATS:
                known = ", ".join(sorted(FORMATS))
                raise InputError(f"unknown RDF file extension (known: {known})", path=str(path))
            found.append(path)
        else:
            raise InputError("no such file or folder", path=str(path))
    return found


def parse_file(path: Path, base_iri: str | None = None) -> list[ox.Quad]:
    """Every quad of ``path``. Raises :class:`InputError` naming the file and line."""
    fmt = FORMATS.get(path.suffix)
    if fmt is None:
        raise InputError("unknown RDF file extension", path=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from None
    if fmt is ox.RdfFormat.RDF_XML:
        _check_xml_entities(path, data)
    try:
        return [_as_quad(t) for t in ox.parse(input=data, format=fmt, base_iri=base_iri or None)]
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
        raise InputError(f"syntax error: {message}", path=str(path), line=line) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot parse: {exc}", path=str(path)) from None


#: Characters that internal XML entities may add to a document at most (entity bombs).
MAX_ENTITY_EXPANSION = 1_000_000
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)


def _check_xml_entities(path: Path, data: bytes) -> None:
    """Refuse external entities, entities defined through other entities, and internal
    entities whose expansion would exceed :data:`MAX_ENTITY_EXPANSION` characters."""
    if b"<!ENTITY" not in data:
        return
    declared = _ENTITY_DECL.findall(data)
    if data.count(b"<!ENTITY") != len(declared):
        raise InputError("RDF/XML: an entity declaration could not be checked", path=str(path))
    expansion = 0
    for parameter, name, value in declared:
        label = name.decode("utf-8", "replace")
        if parameter or value in (b"SYSTEM", b"PUBLIC"):
            raise InputError(
                f"RDF/XML: external or parameter entity {label!r} refused (eukg never reads "
                "files or URLs named in a document)",
                path=str(path),
            )
        if b"&" in value or b"%" in value:
            raise InputError(
                f"RDF/XML: entity {label!r} refers to other entities (refused: entity expansion)",
                path=str(path),
            )
        expansion += data.count(b"&" + name + b";") * (len(value) - 2)
    if expansion > MAX_ENTITY_EXPANSION:
        raise InputError(
            f"RDF/XML: entities would expand to {expansion} characters "
            f"(limit {MAX_ENTITY_EXPANSION})",
            path=str(path),
        )


def _as_quad(t: ox.Quad | ox.Triple) -> ox.Quad:
    if isinstance(t, ox.Quad):
        return t
    return ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())


def load_files(paths: Sequence[Path], *, require_sources: bool = False) -> LoadedData:
    """Parse ``paths`` (files or folders) into a :class:`LoadedData`.

    With ``require_sources`` (the rule for ``data/``), a triple in the default graph, a blank
    node, or a source graph that does not describe itself is an error naming the file.
    """
    loaded = LoadedData()
    for path in discover(paths):
        quads = parse_file(path)
        loaded.files.append(path)
        if require_sources:
            _check_source_rule(path, quads)
        for q in quads:
            name = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            loaded.graph(name).add(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            )
    if require_sources:
        _check_sources_described(loaded)
    return loaded


def _check_source_rule(path: Path, quads: list[ox.Quad]) -> None:
    outside = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    if outside:
        q = outside[0]
        raise DataModelError(
            f"{len(outside)} triple(s) outside any source graph, first: "
            f"{q.subject} {q.predicate} {q.object} — put every triple in the named graph "
            "of the source it was read in (docs/model.md, 'Provenance')",
            path=str(path),
        )
    blank = next((q for q in quads if _has_blank_node(q)), None)
    if blank is not None:
        raise DataModelError(
            f"blank node in {blank.subject} {blank.predicate} {blank.object} — mint an IRI "
            "(docs/model.md, 'Instance IRIs')",
            path=str(path),
        )


def _has_blank_node(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def _check_sources_described(loaded: LoadedData) -> None:
    for name, g in loaded.graphs.items():
        if name is None:
            continue
        source = URIRef(name)
        cited = (source, DCTERMS.source, None) in g
        cited = cited or (source, DCTERMS.bibliographicCitation, None) in g
        described = cited and (source, RDF.type, EUKG.Source) in g
        if not described:
            raise DataModelError(
                f"source graph <{name}> does not describe itself: it needs "
                f"<{name}> a eukg:Source and a dct:source (or dct:bibliographicCitation) "
                "inside the graph"
            )
