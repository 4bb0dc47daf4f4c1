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
from dataclasses import dataclass

import pyoxigraph as ox

from api.deps import Services
from api.execution import Term, ask, select
from api.links import Linker
from api.views import (
    CITES,
    EUKG_NS,
    LONG_TEXT,
    MAX_INBOUND,
    RDF_TYPE,
    SECTIONED,
    Labels,
    PartView,
    PropertyRow,
    Value,
    part_tree,
    property_rows,
    sorted_values,
    title,
    walk,
)

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


def for_resource(template: str, iri: str) -> str:
    """``template`` with ``$R`` replaced by the IRI term of ``iri`` (checked by the IRI parser;
    :class:`ValueError` for anything that is not an IRI)."""
    return template.replace("$R", str(ox.NamedNode(iri)))


@dataclass
class ResourceView:
    """Everything the HTML page of a resource shows."""

    iri: str
    label: str
    types: list[Value]
    properties: list[PropertyRow]
    #: Rows that repeat the values of one of our own properties under the vocabularies it is
    #: aligned to (``eli:cites`` beside ``eukg:cites``): shown folded.
    aligned: list[PropertyRow]
    inbound: list[PropertyRow]
    #: Links to it that repeat what the page shows already (inverses, aligned vocabularies).
    inbound_aligned: list[PropertyRow]
    inbound_truncated: bool
    parts: list[PartView]
    cites: list[Value]
    cited_by: list[Value]
    data_links: dict[str, str]


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
    parts = part_tree(iri, parts_rows, citation_rows, labels)
    for part in walk(parts):
        if not labels.has(part.iri):
            labels.set(part.iri, part.title)

    # a document's parts are shown in order in the Text section, not as a list of links
    by_predicate: dict[str, list[Value]] = defaultdict(list)
    for row in out:
        p = row["p"].value
        if p not in SECTIONED:
            value = labels.value(row["o"])
            if p in LONG_TEXT:
                value = Value(value.text, value.href, value.note, long=True)
            by_predicate[p].append(value)
    inbound: dict[str, list[Value]] = defaultdict(list)
    for row in inbound_rows[:MAX_INBOUND]:
        if row["p"].value not in SECTIONED:
            inbound[row["p"].value].append(labels.value(row["s"]))
    label = labels.label(iri) if labels.has(iri) else _fallback_label(iri, out, labels)
    rows = property_rows(by_predicate, labels)
    # value sets of our own properties (and of the parts, shown in the Text section)
    ours = [_targets(r) for r in rows if r.predicate.note and r.predicate.note.startswith(EUKG_NS)]
    ours.append({row["o"].value for row in out if row["p"].value == CITES})
    if parts:
        ours.append({p.iri for p in parts})
    inbound_rows_view = property_rows(inbound, labels)
    shown = ours + [_targets(r) for r in rows]
    ours_in = [
        _targets(r) for r in inbound_rows_view if (r.predicate.note or "").startswith(EUKG_NS)
    ]
    return ResourceView(
        iri=iri,
        label=label,
        types=sorted(
            (labels.value(row["o"]) for row in out if row["p"].value == RDF_TYPE),
            key=lambda v: v.text.lower(),
        ),
        properties=[r for r in rows if not _is_alignment(r, ours)],
        aligned=[r for r in rows if _is_alignment(r, ours)],
        inbound=[r for r in inbound_rows_view if not _repeats(r, shown, ours_in)],
        inbound_aligned=[r for r in inbound_rows_view if _repeats(r, shown, ours_in)],
        inbound_truncated=len(inbound_rows) > MAX_INBOUND,
        parts=parts,
        cites=sorted_values(labels.value(row["o"]) for row in out if row["p"].value == CITES),
        cited_by=sorted_values(
            labels.value(row["s"]) for row in inbound_rows if row["p"].value == CITES
        ),
        data_links={},
    )


def _targets(row: PropertyRow) -> set[str]:
    """The values of ``row``: IRIs as themselves, literals with their tag or datatype."""
    return {v.note if v.href and v.note else f"{v.text}\x00{v.note}" for v in row.values}


def _is_alignment(row: PropertyRow, ours: list[set[str]]) -> bool:
    """Whether ``row`` is not ours and repeats exactly the values of a row that is (or the
    parts of the document)."""
    if row.predicate.note and row.predicate.note.startswith(EUKG_NS):
        return row.predicate.note == EUKG_NS + "hasPart" and _targets(row) in ours
    return _targets(row) in ours


def _repeats(row: PropertyRow, shown: list[set[str]], ours_in: list[set[str]]) -> bool:
    """Whether an inbound ``row`` only repeats values shown on the page (an inverse of a
    property shown) or the values of one of our own inbound properties (an alignment)."""
    values = _targets(row)
    if values in shown:
        return True
    return not (row.predicate.note or "").startswith(EUKG_NS) and values in ours_in


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
        return title(labels.label(types[0]), numbers[0] if numbers else None)
    return labels.linker.curie(iri)
