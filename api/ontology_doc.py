"""The HTML documentation of the ontology, generated from its Turtle.

:func:`document` reads the ontology graph into a typed model (header, then classes, object,
datatype and annotation properties, then the external terms it declares); the template
``ontology.html`` renders it with one anchor per term (``#Term``), so the hash IRIs
``https://w3id.org/eukg/ontology#Term`` resolve to their entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from api.links import Linker
from eukg.namespaces import EUKG, ONTOLOGY_IRI, VANN

DC_CREATOR = URIRef("http://purl.org/dc/elements/1.1/creator")

#: Sections of the page: (heading, anchor, RDF type).
SECTIONS = (
    ("Classes", "classes", OWL.Class),
    ("Object properties", "object-properties", OWL.ObjectProperty),
    ("Datatype properties", "datatype-properties", OWL.DatatypeProperty),
    ("Annotation properties", "annotation-properties", OWL.AnnotationProperty),
)
CHARACTERISTICS = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.TransitiveProperty: "transitive",
    OWL.SymmetricProperty: "symmetric",
    OWL.AsymmetricProperty: "asymmetric",
    OWL.ReflexiveProperty: "reflexive",
    OWL.IrreflexiveProperty: "irreflexive",
}
RESTRICTIONS = {
    OWL.someValuesFrom: "some",
    OWL.allValuesFrom: "only",
    OWL.hasValue: "value",
    OWL.minCardinality: "min",
    OWL.maxCardinality: "max",
    OWL.cardinality: "exactly",
    OWL.minQualifiedCardinality: "min",
    OWL.maxQualifiedCardinality: "max",
    OWL.qualifiedCardinality: "exactly",
}


@dataclass(frozen=True)
class Ref:
    """A term as the documentation links it: label and link, or an expression as text."""

    text: str
    href: str | None = None
    title: str | None = None


@dataclass
class TermDoc:
    iri: str
    anchor: str
    curie: str
    label: str
    definition: str | None
    notes: list[str]
    #: (relation, targets), e.g. ("sub-class of", [Ref(...), ...]); only non-empty ones.
    relations: list[tuple[str, list[Ref]]] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    title: str
    description: str | None
    version: str | None
    version_iri: str | None
    licence: str | None
    creator: str | None
    created: str | None
    prefix: str | None
    namespace: str | None
    sections: list[tuple[str, str, list[TermDoc]]]
    external: list[Ref]


def _text(g: Graph, s: Node, *preds: URIRef) -> str | None:
    """The first value of ``preds`` on ``s``, English or untagged first."""
    for p in preds:
        values = [o for o in g.objects(s, p) if isinstance(o, Literal)]
        values.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
        if values:
            return str(values[0])
    return None


class _Renderer:
    def __init__(self, g: Graph, linker: Linker) -> None:
        self.g = g
        self.linker = linker

    def ref(self, node: Node) -> Ref:
        if isinstance(node, URIRef):
            iri = str(node)
            label = _text(self.g, node, RDFS.label, SKOS.prefLabel)
            if iri.startswith(str(EUKG)):
                local = iri[len(str(EUKG)) :]
                return Ref(label or local, f"#{local}", f"eukg:{local}")
            curie = self.linker.curie(iri)
            return Ref(curie, self.linker.href(iri), iri)
        if isinstance(node, BNode):
            return Ref(self.expression(node))
        return Ref(str(node))

    def expression(self, node: Node, depth: int = 0) -> str:
        """A Manchester-like rendering of a class expression or list."""
        if not isinstance(node, BNode):
            return self.ref(node).text if isinstance(node, URIRef) else str(node)
        if depth > 5:
            return "…"
        g = self.g
        for op, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
            lst = g.value(node, op)
            if lst is not None:
                items = [self.expression(i, depth + 1) for i in Collection(g, lst)]
                return "(" + word.join(items) + ")"
        complement = g.value(node, OWL.complementOf)
        if complement is not None:
            return "not " + self.expression(complement, depth + 1)
        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            for p, word in RESTRICTIONS.items():
                value = g.value(node, p)
                if value is not None:
                    filler = g.value(node, OWL.onClass)
                    tail = f" {self.expression(filler, depth + 1)}" if filler is not None else ""
                    head = self.expression(prop, depth + 1)
                    return f"{head} {word} {self.expression(value, depth + 1)}{tail}"
        if g.value(node, RDF.first) is not None:
            return " ∘ ".join(self.expression(i, depth + 1) for i in Collection(g, node))
        return "(anonymous)"

    def refs(self, nodes: Iterable[Node]) -> list[Ref]:
        return sorted({self.ref(n) for n in nodes}, key=lambda r: r.text.lower())


def _term(g: Graph, r: _Renderer, term: URIRef, kind: URIRef) -> TermDoc:
    local = str(term)[len(str(EUKG)) :]
    notes = [str(o) for o in g.objects(term, SKOS.scopeNote)] + [
        str(o) for o in g.objects(term, RDFS.comment)
    ]
    relations: list[tuple[str, list[Ref]]] = []

    def add(name: str, nodes: Iterable[Node]) -> None:
        refs = r.refs(nodes)
        if refs:
            relations.append((name, refs))

    if kind == OWL.Class:
        add("sub-class of", g.objects(term, RDFS.subClassOf))
        add("super-class of", g.subjects(RDFS.subClassOf, term))
        add("equivalent to", g.objects(term, OWL.equivalentClass))
        add("disjoint with", g.objects(term, OWL.disjointWith))
    else:
        add("sub-property of", g.objects(term, RDFS.subPropertyOf))
        add("super-property of", g.subjects(RDFS.subPropertyOf, term))
        add("equivalent to", g.objects(term, OWL.equivalentProperty))
        add("inverse of", [*g.objects(term, OWL.inverseOf), *g.subjects(OWL.inverseOf, term)])
        add("domain", g.objects(term, RDFS.domain))
        add("range", g.objects(term, RDFS.range))
        chains = [Ref(r.expression(c)) for c in g.objects(term, OWL.propertyChainAxiom)]
        if chains:
            relations.append(("property chain", sorted(chains, key=lambda c: c.text)))
        traits = sorted(
            CHARACTERISTICS[t]
            for t in g.objects(term, RDF.type)
            if isinstance(t, URIRef) and t in CHARACTERISTICS
        )
        if traits:
            relations.append(("characteristics", [Ref(t) for t in traits]))
    add("see also", g.objects(term, RDFS.seeAlso))
    add("same as", [*g.objects(term, OWL.sameAs), *g.objects(term, SKOS.exactMatch)])
    return TermDoc(
        iri=str(term),
        anchor=local,
        curie=f"eukg:{local}",
        label=_text(g, term, RDFS.label, SKOS.prefLabel) or local,
        definition=_text(g, term, SKOS.definition, RDFS.comment),
        notes=sorted(set(notes) - {_text(g, term, SKOS.definition, RDFS.comment) or ""}),
        relations=relations,
    )


def document(g: Graph, linker: Linker) -> OntologyDoc:
    """The documentation model of the ontology in ``g``."""
    r = _Renderer(g, linker)
    onto = URIRef(ONTOLOGY_IRI)
    sections = []
    for heading, anchor, kind in SECTIONS:
        terms = sorted(
            (t for t in g.subjects(RDF.type, kind) if isinstance(t, URIRef) and t in EUKG),
            key=lambda t: str(t).lower(),
        )
        docs = [_term(g, r, t, kind) for t in terms]
        if docs:
            sections.append((heading, anchor, docs))
    external = sorted(
        {
            r.ref(t)
            for kind in (
                OWL.Class,
                OWL.ObjectProperty,
                OWL.DatatypeProperty,
                OWL.AnnotationProperty,
            )
            for t in g.subjects(RDF.type, kind)
            if isinstance(t, URIRef) and t not in EUKG
        },
        key=lambda ref: ref.text.lower(),
    )
    version_iri = g.value(onto, OWL.versionIRI)
    licence = g.value(onto, DCTERMS.license)
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        title=_text(g, onto, DCTERMS.title, RDFS.label) or "eukg ontology",
        description=_text(g, onto, DCTERMS.description, RDFS.comment),
        version=_text(g, onto, OWL.versionInfo),
        version_iri=str(version_iri) if version_iri is not None else None,
        licence=str(licence) if licence is not None else None,
        creator=_text(g, onto, DC_CREATOR, DCTERMS.creator),
        created=_text(g, onto, DCTERMS.created, DCTERMS.issued),
        prefix=_text(g, onto, VANN.preferredNamespacePrefix),
        namespace=_text(g, onto, VANN.preferredNamespaceUri),
        sections=sections,
        external=external,
    )
