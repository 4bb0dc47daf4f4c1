"""The building blocks of the HTML pages: terms as a page shows them, labels, and the parts of
a document as a tree in document order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from api.deps import Services
from api.execution import Term, select
from api.links import Linker

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


_LABELS = """SELECT ?x ?l ?rank WHERE {
  VALUES ?x { $VALUES }
  { ?x rdfs:label ?l BIND(1 AS ?rank) } UNION { ?x skos:prefLabel ?l BIND(2 AS ?rank) }
  UNION { ?x eukg:shortTitle ?l BIND(3 AS ?rank) } UNION { ?x dct:title ?l BIND(4 AS ?rank) }
}"""


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


def title(kind: str, number: str | None) -> str:
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
        return title(self.kind, self.number)


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


def walk(parts: list[PartView]) -> list[PartView]:
    """Every part of the tree, depth first."""
    found = []
    for part in parts:
        found.append(part)
        found.extend(walk(part.children))
    return found


def sorted_values(values: Iterable[Value]) -> list[Value]:
    """``values`` without repeats, by text."""
    unique = {(v.href, v.text): v for v in values}
    return sorted(unique.values(), key=lambda v: v.text.lower())


def property_rows(by_predicate: dict[str, list[Value]], labels: Labels) -> list[PropertyRow]:
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


def part_tree(
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
        citing = parts.get(row["part"].value)
        footnote = row["footnote"].value if "footnote" in row else None
        target = parts.get(footnote) if footnote else None
        view = CitationView(
            work=labels.value(row["work"]) if "work" in row else None,
            reference=row["ref"].value if "ref" in row else None,
            footnote_number=row["fnum"].value if "fnum" in row else None,
            footnote_href=f"#{linker.anchor(footnote)}" if footnote else None,
        )
        for holder in (citing, target):
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
