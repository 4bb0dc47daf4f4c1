"""Validation reports: the plain-string result model of :mod:`eukg.validation` and its
renderers for people (:func:`render_text`), tools (:func:`render_json`, :func:`render_turtle`)
and CI (:func:`render_junit`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node
from rdflib.util import from_n3

from eukg.namespaces import PREFIXES, SH

#: Namespace of eukg's named shapes.
SHAPES_NS = "https://w3id.org/eukg/shapes#"

SEVERITIES = (str(SH.Violation), str(SH.Warning), str(SH.Info))

_COMPACT = {**PREFIXES, "eukgsh": SHAPES_NS, "sh": str(SH), "id": "https://w3id.org/eukg/id/"}


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``. Terms are strings: IRIs as they are, blank nodes as ``_:id``,
    literals in Turtle form (``"2006-12-29"^^<…#date>``), a complex ``result_path`` in SPARQL
    property-path syntax (``^<iri>``). ``result_path`` and ``value`` are ``None`` when the result
    has none; ``message`` joins the result's messages."""

    focus_node: str
    result_path: str | None
    value: str | None
    source_shape: str
    constraint_component: str
    severity: str
    message: str

    @property
    def severity_name(self) -> str:
        """``Violation``, ``Warning`` or ``Info``."""
        return _local_name(self.severity)

    @property
    def shape_name(self) -> str:
        """The local name of the source shape (``LegalAct-eukg-celex``)."""
        return _local_name(self.source_shape)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: conformance, the results, and the shapes that were checked
    (named shapes with constraints of their own; used by :func:`render_junit`)."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    shapes: tuple[str, ...] = ()

    def by_severity(self, severity: str) -> tuple[ValidationResult, ...]:
        """Results of one severity, given as IRI or local name (``"Warning"``)."""
        return tuple(r for r in self.results if severity in (r.severity, r.severity_name))

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return self.by_severity(str(SH.Violation))


# ---------------------------------------------------------------------------------------------
# Terms and paths as strings, and back
# ---------------------------------------------------------------------------------------------


def term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _text_term(text: str) -> Node:
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith('"'):
        term = from_n3(text)
        if isinstance(term, Literal):
            return term
    return URIRef(text)


_PATH_MODIFIERS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def path_text(g: Graph, path: Node) -> str:
    """A SHACL path as text: an IRI as it is, anything else in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return str(path)
    return _path_expr(g, path)


def _path_expr(g: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path_atom(g, inverse)
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_expr(g, n) for n in Collection(g, alternatives)) + ")"
    for predicate, mark in _PATH_MODIFIERS.items():
        inner = g.value(node, predicate)
        if inner is not None:
            return _path_atom(g, inner) + mark
    if g.value(node, RDF.first) is not None:
        return "(" + "/".join(_path_expr(g, n) for n in Collection(g, node)) + ")"
    return f"_:{node}"


def _path_atom(g: Graph, node: Node) -> str:
    """The path as an operand of ``^``, ``*``, ``+`` or ``?``: IRIs and groups as they are."""
    grouped = isinstance(node, URIRef) or g.value(node, SH.alternativePath) is not None
    grouped = grouped or g.value(node, RDF.first) is not None
    text = _path_expr(g, node)
    return text if grouped else f"({text})"


class _PathParser:
    """Parses the path syntax written by :func:`path_text` back into SHACL path nodes."""

    def __init__(self, g: Graph, text: str) -> None:
        self.g, self.text, self.pos = g, text, 0

    def parse(self) -> Node:
        if not self.text.startswith(("<", "(", "^")):
            return URIRef(self.text)
        node = self._alternative()
        if self.pos != len(self.text):
            raise ValueError(f"unexpected {self.text[self.pos :]!r} in path {self.text!r}")
        return node

    def _alternative(self) -> Node:
        items = [self._sequence()]
        while self._take("|"):
            items.append(self._sequence())
        return items[0] if len(items) == 1 else self._node(SH.alternativePath, self._list(items))

    def _sequence(self) -> Node:
        items = [self._element()]
        while self._take("/"):
            items.append(self._element())
        return items[0] if len(items) == 1 else self._list(items)

    def _element(self) -> Node:
        if self._take("^"):
            return self._node(SH.inversePath, self._element())
        node = self._primary()
        for predicate, mark in _PATH_MODIFIERS.items():
            if self._take(mark):
                return self._node(predicate, node)
        return node

    def _primary(self) -> Node:
        if self._take("("):
            node = self._alternative()
            if not self._take(")"):
                raise ValueError(f"missing ')' in path {self.text!r}")
            return node
        if self._take("<"):
            end = self.text.index(">", self.pos)
            iri, self.pos = self.text[self.pos : end], end + 1
            return URIRef(iri)
        raise ValueError(f"unexpected {self.text[self.pos :]!r} in path {self.text!r}")

    def _take(self, token: str) -> bool:
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def _node(self, predicate: URIRef, value: Node) -> BNode:
        node = BNode()
        self.g.add((node, predicate, value))
        return node

    def _list(self, items: list[Node]) -> BNode:
        head = BNode()
        Collection(self.g, head, items)
        return head


# ---------------------------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------------------------


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            return iri.rsplit(sep, 1)[1]
    return iri


def _compact(text: str | None) -> str:
    """``eukg:celex`` for an IRI in a known namespace; other text unchanged."""
    if not text:
        return "-"
    for prefix, ns in _COMPACT.items():
        if text.startswith(ns) and "/" not in text[len(ns) :] and "#" not in text[len(ns) :]:
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _counts(results: Iterable[ValidationResult]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.severity_name] += 1
    return dict(counts)


def _one_line(text: str, limit: int | None = None) -> str:
    """``text`` on one line (line breaks written ``\\n``), cut to ``limit`` characters."""
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def render_text(report: ValidationReport) -> str:
    """One line per result, then a summary line. Each line gives the severity, the focus node,
    the path, the value (cut to 120 characters), the message and the shape with its constraint
    component."""
    lines = []
    for r in report.results:
        value = "-" if r.value is None else _one_line(r.value, 120)
        lines.append(
            f"{r.severity_name}: <{r.focus_node}> path={_compact(r.result_path)} "
            f"value={value} | {_one_line(r.message)} "
            f"[{_compact(r.source_shape)} {_compact(r.constraint_component)}]"
        )
    counts = _counts(report.results)
    summary = ", ".join(f"{n} {name.lower()}(s)" for name, n in sorted(counts.items()))
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{verdict}: {summary or 'no results'}")
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """The report as JSON: ``conforms``, ``counts`` by severity and ``results``."""
    data = {
        "conforms": report.conforms,
        "counts": _counts(report.results),
        "results": [asdict(r) for r in report.results],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_graph(report: ValidationReport) -> Graph:
    """The report as an RDF graph: one ``sh:ValidationReport`` with its ``sh:ValidationResult``s."""
    g = Graph()
    for prefix, ns in _COMPACT.items():
        g.bind(prefix, ns)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for r in report.results:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, _text_term(r.focus_node)))
        g.add((node, SH.sourceShape, _text_term(r.source_shape)))
        g.add((node, SH.sourceConstraintComponent, URIRef(r.constraint_component)))
        g.add((node, SH.resultSeverity, URIRef(r.severity)))
        if r.result_path is not None:
            g.add((node, SH.resultPath, _PathParser(g, r.result_path).parse()))
        if r.value is not None:
            g.add((node, SH.value, _text_term(r.value)))
        if r.message:
            g.add((node, SH.resultMessage, Literal(r.message)))
    return g


def render_turtle(report: ValidationReport) -> str:
    """The report as Turtle (see :func:`report_graph`)."""
    return report_graph(report).serialize(format="turtle")


def render_junit(report: ValidationReport) -> str:
    """JUnit XML for CI: one testcase per shape. A shape with violations fails and lists its
    focus nodes; warnings and infos go to the testcase's ``system-out`` and do not fail.
    Shapes without results pass (all checked shapes are listed when the report knows them)."""
    by_shape: dict[str, list[ValidationResult]] = defaultdict(list)
    for r in report.results:
        by_shape[r.source_shape].append(r)
    names = sorted(set(report.shapes) | set(by_shape))
    failures = sum(1 for s in names if any(r.severity == str(SH.Violation) for r in by_shape[s]))
    suites = ET.Element("testsuites", name="eukg SHACL validation")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="eukg shapes",
        tests=str(len(names)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    suites.set("tests", str(len(names)))
    suites.set("failures", str(failures))
    for shape in names:
        case = ET.SubElement(
            suite, "testcase", classname=_shape_namespace(shape), name=_local_name(shape)
        )
        results = by_shape[shape]
        violations = [r for r in results if r.severity == str(SH.Violation)]
        if violations:
            focus = sorted({r.focus_node for r in violations})
            failure = ET.SubElement(
                case,
                "failure",
                type=_compact(violations[0].constraint_component),
                message=_xml_safe(
                    f"{len(focus)} focus node(s) violate {_compact(shape)}: " + ", ".join(focus)
                ),
            )
            failure.text = _xml_safe(render_text(ValidationReport(False, tuple(violations))))
        others = [r for r in results if r.severity != str(SH.Violation)]
        if others:
            ET.SubElement(case, "system-out").text = _xml_safe(
                render_text(ValidationReport(True, tuple(others)))
            )
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _shape_namespace(shape: str) -> str:
    return "eukgsh" if shape.startswith(SHAPES_NS) else shape.rsplit(_local_name(shape), 1)[0]


def _xml_safe(text: str) -> str:
    """``text`` without the control characters XML 1.0 cannot hold."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
