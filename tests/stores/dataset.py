"""The small dataset every store test loads, in the layout of a build release."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

EX = "https://example.org/eukg-test/"
GRAPH_A = EX + "graph/a"
GRAPH_B = EX + "graph/b"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: A note value that looks like query text: bound as a term, it is one plain literal.
INJECTION = "} ; DROP ALL ; #"
#: A note value with quotes and braces.
QUOTED = 'say "hi" {braces}'
PROLOGUE = f"PREFIX ex: <{EX}>\nPREFIX xsd: <{XSD}>\n"


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def _date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))


def default_graph() -> list[ox.Triple]:
    """The triples of the default graph (canonical literals only: Oxigraph rewrites others)."""
    doc1, doc2, doc3 = _n("doc1"), _n("doc2"), _n("doc3")
    t = ox.Triple
    return [
        t(doc1, ox.NamedNode(RDF_TYPE), _n("Regulation")),
        t(doc1, _n("title"), ox.Literal("Regulation 1/2008", language="en")),
        t(doc1, _n("date"), _date("2008-10-24")),
        t(doc1, _n("note"), ox.Literal(QUOTED)),
        t(doc1, _n("cites"), doc2),
        t(doc2, ox.NamedNode(RDF_TYPE), _n("Directive")),
        t(doc2, _n("title"), ox.Literal("Directive 2/2011", language="en")),
        t(doc2, _n("date"), _date("2011-01-01")),
        t(doc2, _n("note"), ox.Literal(INJECTION)),
        t(doc3, ox.NamedNode(RDF_TYPE), _n("Decision")),
        t(doc3, _n("title"), ox.Literal("Décision 3", language="fr")),
        t(doc3, _n("number"), ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))),
        t(doc3, _n("contact"), ox.BlankNode("contact3")),
        t(ox.BlankNode("contact3"), _n("name"), ox.Literal("Registry")),
    ]


def named_graphs() -> dict[str, list[ox.Triple]]:
    """The source graphs by name."""
    return {
        GRAPH_A: [ox.Triple(_n("doc1"), _n("source"), ox.Literal("A"))],
        GRAPH_B: [
            ox.Triple(_n("doc2"), _n("source"), ox.Literal("B")),
            ox.Triple(_n("doc2"), _n("extra"), ox.Literal("only in B")),
        ],
    }


def quads() -> list[ox.Quad]:
    """Every quad of the dataset."""
    out = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in default_graph()]
    for name, triples in named_graphs().items():
        out += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples]
    return out


def write_release(release: Path, extra: list[ox.Quad] | None = None) -> Path:
    """A release folder (``release/store``, closed) holding the dataset and ``extra``."""
    (release / "store").parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(release / "store"))
    store.bulk_extend(quads() + (extra or []))
    store.flush()
    del store
    return release
