"""Materialisation: unit rules on small graphs, agreement with owlrl's OWL 2 RL closure on the
real ontology and data, and OWL 2 RL consistency of the ontology."""

from __future__ import annotations

import owlrl
from owlrl.Closure import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from eukg.loader import load_files
from eukg.namespaces import ELI, EUKG, LANG
from eukg.ontology import load_ontology
from eukg.reasoning import materialise
from tests.helpers import CONCLUSIONS, DATA

EX = "http://example.org/"


def _g(ttl: str) -> Graph:
    return Graph().parse(
        data="@prefix ex: <http://example.org/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + ttl,
        format="turtle",
    )


def u(name: str) -> URIRef:
    return URIRef(EX + name)


def test_subproperty_inverse_and_subclass() -> None:
    onto = _g("""
        ex:cites rdfs:subPropertyOf ex:refersTo ; owl:inverseOf ex:citedBy .
        ex:refersTo rdfs:subPropertyOf ex:related .
        ex:Act rdfs:subClassOf ex:Doc . ex:Doc owl:equivalentClass ex:Work .
    """)
    data = _g("ex:a ex:cites ex:b . ex:a a ex:Act .")
    out = materialise(data, onto)
    assert (u("a"), u("refersTo"), u("b")) in out
    assert (u("a"), u("related"), u("b")) in out
    assert (u("b"), u("citedBy"), u("a")) in out
    assert (u("a"), RDF.type, u("Doc")) in out and (u("a"), RDF.type, u("Work")) in out
    # the ontology's own axioms are not copied into the result, and the input is unchanged
    assert (u("cites"), RDFS.subPropertyOf, u("refersTo")) not in out
    assert len(data) == 2


def test_property_chains_reach_the_whole_document() -> None:
    onto = _g("""
        ex:cites owl:propertyChainAxiom ( ex:hasCitation ex:citedWork ) ,
                                        ( ex:hasPart ex:cites ) .
        ex:hasPart owl:inverseOf ex:isPartOf .
    """)
    data = _g("""
        ex:point ex:isPartOf ex:para . ex:para ex:isPartOf ex:doc .
        ex:point ex:hasCitation ex:cit . ex:cit ex:citedWork ex:act .
    """)
    out = materialise(data, onto)
    for s in ("point", "para", "doc"):
        assert (u(s), u("cites"), u("act")) in out, s
    assert (u("act"), u("cites"), u("doc")) not in out


def test_transitive_and_symmetric() -> None:
    onto = _g("ex:before a owl:TransitiveProperty . ex:near a owl:SymmetricProperty .")
    data = _g(
        "ex:a ex:before ex:b . ex:b ex:before ex:c . ex:c ex:before ex:d . ex:x ex:near ex:y ."
    )
    out = materialise(data, onto)
    assert (u("a"), u("before"), u("d")) in out
    assert (u("y"), u("near"), u("x")) in out


def test_inverse_is_not_applied_to_literals() -> None:
    onto = _g("ex:p owl:inverseOf ex:q .")
    out = materialise(_g('ex:a ex:p "text" .'), onto)
    assert not list(out.triples((None, u("q"), None)))


def test_eli_expression_is_derived_from_the_title() -> None:
    data = _g(
        'ex:act <http://purl.org/dc/terms/title> "An act"@en ; '
        '<https://w3id.org/eukg/ontology#shortTitle> "Act"@en .'
    )
    out = materialise(data, Graph())
    expr = URIRef(EX + "act/expr/en")
    assert (expr, ELI.realizes, u("act")) in out
    assert (expr, ELI.title, Literal("An act", lang="en")) in out
    assert (expr, ELI.title_short, Literal("Act", lang="en")) in out
    assert (expr, ELI.language, LANG.ENG) in out
    assert (u("act"), DCTERMS.title, None) in out


def _real() -> tuple[Graph, Graph]:
    ontology = load_ontology()
    data = load_files([DATA], require_sources=True).union()
    return ontology, data


def test_agrees_with_owlrl_on_the_shipped_data() -> None:
    """Every object-property and type triple owlrl's OWL 2 RL closure entails about our own
    instances is also in eukg's materialisation (the rules eukg leaves out — domain and range —
    are excluded by comparing only predicates the ontology uses in sub-property, inverse and
    chain axioms, and only types from sub-class axioms)."""
    ontology, data = _real()
    ours = materialise(data, ontology)
    closure = Graph()
    closure += ontology
    closure += data
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    relevant = set(ontology.subjects(RDFS.subPropertyOf)) | set(
        ontology.objects(None, RDFS.subPropertyOf)
    )
    relevant |= set(ontology.subjects(OWL.inverseOf)) | set(ontology.objects(None, OWL.inverseOf))
    relevant |= set(ontology.subjects(OWL.propertyChainAxiom))
    instances = {
        s
        for s in data.subjects()
        if isinstance(s, URIRef) and str(s).startswith("https://w3id.org/eukg/id/")
    }
    missing = [
        (s, p, o)
        for s, p, o in closure
        if s in instances and p in relevant and (s, p, o) not in ours and s != o
    ]
    assert not missing, f"{len(missing)} entailments missing, e.g. {missing[:5]}"
    # and the two agree on the headline entailment
    conclusions = URIRef(CONCLUSIONS)
    cited = set(ours.objects(conclusions, ELI.cites))
    assert cited == set(closure.objects(conclusions, ELI.cites))
    assert len(cited) >= 6


def _owlrl_errors(graph: Graph) -> list[str]:
    """OWL 2 RL closure of ``graph`` (in place); the inconsistencies owlrl reports (it adds
    them to the graph as ``ERRNS:ErrorMessage`` nodes) and the members of owl:Nothing."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    messages = [
        str(m)
        for node in graph.subjects(RDF.type, ERRNS.ErrorMessage)
        for m in graph.objects(node, ERRNS.error)
    ]
    return messages + [f"unsatisfiable: {s}" for s in graph.subjects(RDF.type, OWL.Nothing)]


def test_ontology_is_consistent_under_owl2_rl() -> None:
    ontology, data = _real()
    g = Graph()
    g += ontology
    g += data
    errors = _owlrl_errors(g)
    assert not errors, errors[:5]


def test_the_consistency_check_can_fail() -> None:
    """A resource in two classes the ontology declares disjoint is reported."""
    ontology = load_ontology()
    first, second = next(iter(ontology.subject_objects(OWL.disjointWith)))
    bad = Graph()
    bad += ontology
    bad.add((u("x"), RDF.type, first))
    bad.add((u("x"), RDF.type, second))
    assert _owlrl_errors(bad)


def test_statedin_comes_from_source_graphs() -> None:
    _, data = _real()
    sources = set(data.objects(URIRef(CONCLUSIONS), EUKG.statedIn))
    assert URIRef("https://w3id.org/eukg/id/source/seed-convergence-2008") in sources
