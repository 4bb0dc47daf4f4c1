"""What the service says about one resource: its RDF description (``/data/…``) and the model of
its HTML page (``/doc/…``).

The RDF description of a resource R is

1. every triple with R as subject,
2. every triple with R as object (who links to it), and
3. every triple whose subject is an IRI nested under R (``R/…``): the parts of a document, its
   citations with their targets and selectors, its full text, its ELI expression.

So a document's description holds the whole document, and a part's holds its sub-parts. R comes
from a request path: it is checked by the IRI parser (which refuses every character that could
end an IRI term, such as ``>``, ``"``, ``{`` or a space) and written as an IRI term; user text is
never pasted into a query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from api.deps import Services
from api.execution import Term, ask, select
from api.links import Linker

DESCRIBE = """
CONSTRUCT { $R ?p ?o . ?s ?q $R . ?c ?cp ?co . }
WHERE {
  { $R ?p ?o }
  UNION { ?s ?q $R }
  UNION { ?c ?cp ?co FILTER(isIRI(?c) && STRSTARTS(STR(?c), CONCAT(STR($R), "/"))) }
}
"""

EXISTS = "ASK { { $R ?p ?o } UNION { ?s ?q $R } }"

_OUT = "SELECT ?p ?o WHERE { $R ?p ?o }"
_IN = """SELECT ?s ?p WHERE { ?s ?p $R
  FILTER(!isIRI(?s) || !STRSTARTS(STR(?s), CONCAT(STR($R), "/"))) } LIMIT 501"""
_PARTS = """SELECT ?part ?parent ?type ?order ?number ?text ?begin WHERE {
  ?part eukg:isPartOf+ $R ; eukg:isPartOf ?parent .
  OPTIONAL { ?part a ?type FILTER(STRSTARTS(STR(?type), STR(eukg:))) }
  OPTIONAL { ?part eukg:order ?order }
  OPTIONAL { ?part eukg:number ?number }
  OPTIONAL { ?part eukg:text ?text }
  OPTIONAL { ?part nif:beginIndex ?begin }
}"""
_CITATIONS = """SELECT ?cit ?part ?work ?ref ?fnum ?footnote WHERE {
  ?cit eukg:citingPart ?part . ?part eukg:isPartOf* $R .
  OPTIONAL { ?cit eukg:citedWork ?work }
  OPTIONAL { ?cit eukg:referenceText ?ref }
  OPTIONAL { ?cit eukg:footnoteNumber ?fnum }
  OPTIONAL { ?cit eukg:inFootnote ?footnote }
}"""
_LABELS = """SELECT ?x ?l ?rank WHERE {
  VALUES ?x { $VALUES }
  { ?x rdfs:label ?l BIND(1 AS ?rank) } UNION { ?x skos:prefLabel ?l BIND(2 AS ?rank) }
  UNION { ?x eukg:shortTitle ?l BIND(3 AS ?rank) } UNION { ?x dct:title ?l BIND(4 AS ?rank) }
}"""


def for_resource(template: str, iri: str) -> str:
    """``template`` with ``$R`` replaced by the IRI term of ``iri`` (checked by the IRI parser;
    :class:`ValueError` for anything that is not an IRI)."""
    return template.replace("$R", str(ox.NamedNode(iri)))


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EUKG_NS = "https://w3id.org/eukg/ontology#"
CITES, CITED_BY = EUKG_NS + "cites", EUKG_NS + "citedBy"
LONG_TEXT = {
    EUKG_NS + "text",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString",
}
#: Shown in their own sections, not in the property table.
SECTIONED = {CITES, CITED_BY, RDF_TYPE}
#: Most IRIs a page asks labels for.
MAX_LABELLED = 400
MAX_INBOUND = 500


@dataclass(frozen=True)
class Value:
    """A term as a page shows it: a label, a link where there is one."""

    text: str
    href: str | None = None
    note: str | None = None  #: language tag, datatype or IRI, shown small
    long: bool = False


@dataclass
class PropertyRow:
    predicate: Value
    values: list[Value]


@dataclass
class CitationView:
    work: Value | None
    reference: str | None
    footnote_number: str | None
    footnote_href: str | None


def _title(kind: str, number: str | None) -> str:
    """``Recital 1`` from the kind's label and the printed number."""
    kind = kind[:1].upper() + kind[1:]
    return f"{kind} {number}" if number else kind


@dataclass
class PartView:
    iri: str
    anchor: str
    href: str | None
    kind: str
    number: str | None
    text: str | None
    sort_key: tuple[float, float, str]
    children: list[PartView] = field(default_factory=list)
    citations: list[CitationView] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _title(self.kind, self.number)


@dataclass
class ResourceView:
    """Everything the HTML page of a resource shows."""

    iri: str
    label: str
    types: list[Value]
    properties: list[PropertyRow]
    inbound: list[PropertyRow]
    inbound_truncated: bool
    parts: list[PartView]
    cites: list[Value]
    cited_by: list[Value]
    data_links: dict[str, str]


class Labels:
    """Display labels of IRIs: rdfs:label, then skos:prefLabel, short title, title; English or
    untagged first; the CURIE when none is known."""

    def __init__(self, linker: Linker) -> None:
        self.linker = linker
        self._best: dict[str, tuple[int, str]] = {}

    async def fetch(self, services: Services, iris: set[str]) -> None:
        wanted = sorted(i for i in iris if i not in self._best)[:MAX_LABELLED]
        if not wanted:
            return
        values = " ".join(str(ox.NamedNode(i)) for i in wanted)
        for row in await select(services, _LABELS.replace("$VALUES", values)):
            lit = row["l"]
            rank = int(row["rank"].value) * 2 + (0 if lit.lang in (None, "en") else 1)
            iri = row["x"].value
            if iri not in self._best or rank < self._best[iri][0]:
                self._best[iri] = (rank, lit.value)

    def label(self, iri: str) -> str:
        known = self._best.get(iri)
        return known[1] if known else self.linker.curie(iri)

    def has(self, iri: str) -> bool:
        return iri in self._best

    def set(self, iri: str, label: str) -> None:
        """Use ``label`` for ``iri`` (a part's ``Paragraph 3``), below every fetched label."""
        self._best.setdefault(iri, (99, label))

    def value(self, term: Term) -> Value:
        if term.is_iri:
            return Value(self.label(term.value), self.linker.href(term.value), term.value)
        if term.kind == "bnode":
            return Value("_:" + term.value)
        note = f"@{term.lang}" if term.lang else None
        if term.datatype and not term.lang:
            note = self.linker.curie(term.datatype)
            if note == "xsd:string":
                note = None
        return Value(term.value, None, note, long=len(term.value) > 200)


async def exists(services: Services, iri: str) -> bool:
    """Whether the graph says anything about ``iri``."""
    return await ask(services, for_resource(EXISTS, iri))


async def resource_view(services: Services, linker: Linker, iri: str) -> ResourceView | None:
    """The page model of ``iri``; ``None`` when the graph has nothing about it."""
    out = await select(services, for_resource(_OUT, iri))
    inbound_rows = await select(services, for_resource(_IN, iri))
    if not out and not inbound_rows:
        return None
    parts_rows = await select(services, for_resource(_PARTS, iri))
    citation_rows = await select(services, for_resource(_CITATIONS, iri))
    labels = Labels(linker)
    iris = {iri} | {row["p"].value for row in out} | {row["p"].value for row in inbound_rows}
    iris |= {row["o"].value for row in out if row["o"].is_iri}
    iris |= {row["s"].value for row in inbound_rows if row["s"].is_iri}
    iris |= {row["type"].value for row in parts_rows if "type" in row}
    iris |= {row["work"].value for row in citation_rows if "work" in row}
    await labels.fetch(services, iris)
    parts = _part_tree(iri, parts_rows, citation_rows, labels)
    for part in _walk(parts):
        if not labels.has(part.iri):
            labels.set(part.iri, part.title)

    # a document's parts are shown in order in the Text section, not as a list of links
    own = {EUKG_NS + "hasPart"} if parts_rows else set()
    by_predicate: dict[str, list[Value]] = defaultdict(list)
    for row in out:
        p = row["p"].value
        if p not in SECTIONED and p not in own:
            value = labels.value(row["o"])
            if p in LONG_TEXT:
                value = Value(value.text, value.href, value.note, long=True)
            by_predicate[p].append(value)
    inbound: dict[str, list[Value]] = defaultdict(list)
    for row in inbound_rows[:MAX_INBOUND]:
        if row["p"].value not in SECTIONED:
            inbound[row["p"].value].append(labels.value(row["s"]))
    label = labels.label(iri) if labels.has(iri) else _fallback_label(iri, out, labels)
    return ResourceView(
        iri=iri,
        label=label,
        types=sorted(
            (labels.value(row["o"]) for row in out if row["p"].value == RDF_TYPE),
            key=lambda v: v.text.lower(),
        ),
        properties=_rows(by_predicate, labels),
        inbound=_rows(inbound, labels),
        inbound_truncated=len(inbound_rows) > MAX_INBOUND,
        parts=parts,
        cites=_sorted_values(labels.value(row["o"]) for row in out if row["p"].value == CITES),
        cited_by=_sorted_values(
            labels.value(row["s"]) for row in inbound_rows if row["p"].value == CITES
        ),
        data_links={},
    )


def _walk(parts: list[PartView]) -> list[PartView]:
    """Every part of the tree, depth first."""
    found = []
    for part in parts:
        found.append(part)
        found.extend(_walk(part.children))
    return found


def _fallback_label(iri: str, out: list[dict[str, Term]], labels: Labels) -> str:
    """``Paragraph 3`` for a part without a label (its most specific type and number)."""
    types = sorted(
        row["o"].value
        for row in out
        if row["p"].value == RDF_TYPE
        and row["o"].value.startswith(EUKG_NS)
        and row["o"].value != EUKG_NS + "DocumentPart"
    )
    numbers = [row["o"].value for row in out if row["p"].value == EUKG_NS + "number"]
    if types and labels.has(types[0]):
        return _title(labels.label(types[0]), numbers[0] if numbers else None)
    return labels.linker.curie(iri)


def _sorted_values(values: object) -> list[Value]:
    unique = {(v.href, v.text): v for v in values}  # type: ignore[attr-defined]
    return sorted(unique.values(), key=lambda v: v.text.lower())


def _rows(by_predicate: dict[str, list[Value]], labels: Labels) -> list[PropertyRow]:
    rows = []
    for p, values in by_predicate.items():
        unique = list({(v.text, v.href, v.note): v for v in values}.values())
        unique.sort(key=lambda v: (v.text.lower(), v.note or ""))
        rows.append(PropertyRow(Value(labels.label(p), labels.linker.href(p), p), unique))
    rows.sort(key=lambda row: row.predicate.text.lower())
    return rows


def _number(value: str | None) -> float:
    try:
        return float(value) if value is not None else float("inf")
    except ValueError:
        return float("inf")


def _part_tree(
    root: str,
    rows: list[dict[str, Term]],
    citation_rows: list[dict[str, Term]],
    labels: Labels,
) -> list[PartView]:
    """The parts under ``root`` as a tree, each level in document order (the offset of the
    part's text in the full text, then ``eukg:order``)."""
    linker = labels.linker
    parts: dict[str, PartView] = {}
    parents: dict[str, str] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        iri = row["part"].value
        parents[iri] = row["parent"].value
        if "type" in row:
            kinds[iri].add(row["type"].value)
        if iri in parts:
            continue
        parts[iri] = PartView(
            iri=iri,
            anchor=linker.anchor(iri),
            href=linker.href(iri),
            kind="",
            number=row["number"].value if "number" in row else None,
            text=row["text"].value if "text" in row else None,
            sort_key=(
                _number(row["begin"].value if "begin" in row else None),
                _number(row["order"].value if "order" in row else None),
                iri,
            ),
        )
    for iri, part in parts.items():
        specific = sorted(k for k in kinds[iri] if k != EUKG_NS + "DocumentPart")
        part.kind = labels.label(specific[0]) if specific else "part"
    for row in citation_rows:
        part = parts.get(row["part"].value)
        footnote = row["footnote"].value if "footnote" in row else None
        target = parts.get(footnote) if footnote else None
        view = CitationView(
            work=labels.value(row["work"]) if "work" in row else None,
            reference=row["ref"].value if "ref" in row else None,
            footnote_number=row["fnum"].value if "fnum" in row else None,
            footnote_href=f"#{linker.anchor(footnote)}" if footnote else None,
        )
        for holder in (part, target):
            if holder is not None and view not in holder.citations:
                holder.citations.append(view)
    top: list[PartView] = []
    for iri, part in parts.items():
        parent = parts.get(parents.get(iri, ""))
        (parent.children if parent is not None else top).append(part)
    for part in [*parts.values()]:
        part.children.sort(key=lambda p: p.sort_key)
    top.sort(key=lambda p: p.sort_key)
    return top
