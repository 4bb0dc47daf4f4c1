"""Materialisation: what the ontology entails about the data, written out as triples.

The rules are the OWL 2 RL rules for the constructs the eukg ontology uses (rdfs:subClassOf,
owl:equivalentClass, rdfs:subPropertyOf, owl:equivalentProperty, owl:inverseOf,
owl:SymmetricProperty, owl:TransitiveProperty, owl:propertyChainAxiom), applied to a fixpoint.
Domain and range axioms are deliberately not applied: the external vocabularies' domains
(ELI's eli:cites has domain LegalResource) would type Council conclusions as legislation.
``tests/test_reasoning.py`` checks these rules against owlrl's full OWL 2 RL closure.

A second, non-OWL rule derives ELI expressions: for a work with ``dct:title``, the build mints
``{work}/expr/en`` (an ``eli:Expression`` that ``eli:realizes`` the work) carrying
``eli:title``, ``eli:title_short`` and ``eli:language``, because ELI puts titles on expressions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.term import Node

from eukg.namespaces import ELI, EUKG, LANG

Triple = tuple[Node, Node, Node]


@dataclass
class Rules:
    """The axioms of an ontology that materialisation applies."""

    super_classes: dict[Node, set[Node]] = field(default_factory=dict)
    super_properties: dict[Node, set[Node]] = field(default_factory=dict)
    inverses: dict[Node, set[Node]] = field(default_factory=dict)
    symmetric: set[Node] = field(default_factory=set)
    transitive: set[Node] = field(default_factory=set)
    chains: list[tuple[tuple[Node, ...], Node]] = field(default_factory=list)

    @classmethod
    def from_ontology(cls, ontology: Graph) -> Rules:
        direct_c: dict[Node, set[Node]] = defaultdict(set)
        for c, d in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(d, URIRef):
                direct_c[c].add(d)
        for c, d in ontology.subject_objects(OWL.equivalentClass):
            if isinstance(c, URIRef) and isinstance(d, URIRef):
                direct_c[c].add(d)
                direct_c[d].add(c)
        direct_p: dict[Node, set[Node]] = defaultdict(set)
        for p, q in ontology.subject_objects(RDFS.subPropertyOf):
            direct_p[p].add(q)
        for p, q in ontology.subject_objects(OWL.equivalentProperty):
            direct_p[p].add(q)
            direct_p[q].add(p)
        inverses: dict[Node, set[Node]] = defaultdict(set)
        for p, q in ontology.subject_objects(OWL.inverseOf):
            inverses[p].add(q)
            inverses[q].add(p)
        chains = []
        for p, head in ontology.subject_objects(OWL.propertyChainAxiom):
            links = tuple(Collection(ontology, head))
            if len(links) >= 2:
                chains.append((links, p))
        return cls(
            super_classes=_closure(direct_c),
            super_properties=_closure(direct_p),
            inverses=dict(inverses),
            symmetric=set(ontology.subjects(RDF.type, OWL.SymmetricProperty)),
            transitive=set(ontology.subjects(RDF.type, OWL.TransitiveProperty)),
            chains=chains,
        )


def _closure(direct: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
    """Reflexive-transitive closure of a relation given as a dict of direct successors."""
    result: dict[Node, set[Node]] = {}
    for start in direct:
        seen = {start}
        todo = [start]
        while todo:
            for nxt in direct.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        result[start] = seen
    return result


class _Index:
    """Triples by predicate, with subject and object lookups, for joins."""

    def __init__(self) -> None:
        self.by_pred: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self.by_pred_subj: dict[tuple[Node, Node], set[Node]] = defaultdict(set)

    def add(self, t: Triple) -> bool:
        s, p, o = t
        pairs = self.by_pred[p]
        if (s, o) in pairs:
            return False
        pairs.add((s, o))
        self.by_pred_subj[(p, s)].add(o)
        return True


def materialise(data: Graph, ontology: Graph) -> Graph:
    """A new graph: ``data`` plus everything the rules of ``ontology`` entail about it.

    The ontology's own triples are not in the result. ``data`` is not changed.
    """
    rules = Rules.from_ontology(ontology)
    index = _Index()
    result = Graph()
    todo: list[Triple] = []
    for t in data:
        if index.add(t):
            result.add(t)
            todo.append(t)
    for t in _derive_expressions(data):
        if index.add(t):
            result.add(t)
            todo.append(t)
    while todo:
        new: list[Triple] = []
        for t in todo:
            for u in _consequences(t, rules, index):
                if index.add(u):
                    result.add(u)
                    new.append(u)
        todo = new
    return result


def _consequences(t: Triple, rules: Rules, index: _Index) -> Iterable[Triple]:
    s, p, o = t
    if p == RDF.type:
        for c in rules.super_classes.get(o, ()):
            yield (s, RDF.type, c)
        return
    for q in rules.super_properties.get(p, ()):
        yield (s, q, o)
    if isinstance(o, Literal):
        return
    for q in rules.inverses.get(p, ()):
        yield (o, q, s)
    if p in rules.symmetric:
        yield (o, p, s)
    if p in rules.transitive:
        for x in list(index.by_pred_subj.get((p, o), ())):
            yield (s, p, x)
        for x, y in list(index.by_pred[p]):
            if y == s:
                yield (x, p, o)
    for links, target in rules.chains:
        yield from _chain_matches(t, links, target, index)


def _chain_matches(
    t: Triple, links: tuple[Node, ...], target: Node, index: _Index
) -> Iterable[Triple]:
    """Every ``(x target z)`` that the chain ``links`` entails using the new triple ``t``."""
    s, p, o = t
    for pos, link in enumerate(links):
        if link != p:
            continue
        # Walk backwards from s over links[:pos] and forwards from o over links[pos+1:].
        starts = {s}
        for prev in reversed(links[:pos]):
            starts = {x for x, y in index.by_pred[prev] if y in starts}
            if not starts:
                break
        ends = {o}
        for nxt in links[pos + 1 :]:
            ends = {z for y in ends for z in index.by_pred_subj.get((nxt, y), ())}
            if not ends:
                break
        for x in starts:
            for z in ends:
                yield (x, target, z)


def _derive_expressions(data: Graph) -> Iterable[Triple]:
    """ELI expressions for works with an English ``dct:title`` (see the module docstring)."""
    for work, title in data.subject_objects(DCTERMS.title):
        if not isinstance(work, URIRef) or not isinstance(title, Literal):
            continue
        if title.language not in (None, "en"):
            continue
        expr = URIRef(f"{work}/expr/en")
        yield (expr, RDF.type, ELI.Expression)
        yield (expr, ELI.realizes, work)
        yield (work, ELI.is_realized_by, expr)
        yield (expr, ELI.language, LANG.ENG)
        yield (expr, ELI.title, title)
        for short in data.objects(work, EUKG.shortTitle):
            yield (expr, ELI.title_short, short)
