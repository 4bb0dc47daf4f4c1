"""SHACL validation: the shapes in ``shapes/`` run on the materialised graph.

The shapes (``shapes/*.ttl``, see ``shapes/README.md``) expect the graph that
:func:`eukg.reasoning.materialise` returns: classes closed over ``rdfs:subClassOf``, inverse and
super-properties written out. :func:`validate_graph` therefore runs pySHACL without inference,
with SHACL-SPARQL enabled (``advanced``). Results come back as a frozen, plain-string
:class:`ValidationReport`, with renderers for people (:func:`render_text`), for tools
(:func:`render_json`, :func:`render_turtle`) and for CI (:func:`render_junit`).

Conformance means no ``sh:Violation``; warnings and infos are reported but do not fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyshacl
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from pyshacl.entrypoints import meta_validate
from pyshacl.errors import (
    ConstraintLoadError,
    ReportableRuntimeError,
    ShapeLoadError,
    ValidationFailure,
)
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from eukg.config import resource_dir
from eukg.errors import InputError
from eukg.loader import load_files
from eukg.namespaces import SH
from eukg.validation_report import (
    SEVERITIES,
    SHAPES_NS,
    ValidationReport,
    ValidationResult,
    path_text,
    render_json,
    render_junit,
    render_text,
    render_turtle,
    report_graph,
    term_text,
)

__all__ = [
    "SHAPES_DIR",
    "SHAPES_NS",
    "ValidationReport",
    "ValidationResult",
    "check_shapes",
    "constraint_shapes",
    "load_shapes",
    "render_json",
    "render_junit",
    "render_text",
    "render_turtle",
    "report_graph",
    "validate_graph",
]

#: The folder of the shapes files, next to the package.
SHAPES_DIR = resource_dir("shapes")

#: Shape parameters that make a shape a check of its own (so it can be a result's sourceShape);
#: sh:property only groups other shapes.
_CONSTRAINT_PARAMETERS = frozenset(ALL_CONSTRAINT_PARAMETERS) - {SH.property}


# ---------------------------------------------------------------------------------------------
# Loading and running
# ---------------------------------------------------------------------------------------------


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """All ``*.ttl`` files of ``shapes_dir`` (default: ``shapes/`` of the repository) as one graph.

    Raises :class:`~eukg.errors.InputError` naming the file (and line) that does not parse, or
    the folder when it holds no shapes file.
    """
    folder = shapes_dir or SHAPES_DIR
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise InputError("no shapes file (*.ttl) found", path=str(folder))
    return load_files(files).union()


def constraint_shapes(shapes: Graph) -> tuple[str, ...]:
    """IRIs of the named shapes that check something themselves, sorted.

    Node shapes that only group property shapes (``sh:property``) are left out: they never
    appear as the ``sh:sourceShape`` of a result.
    """
    found = {
        str(s)
        for s, p in shapes.subject_predicates()
        if isinstance(s, URIRef) and p in _CONSTRAINT_PARAMETERS
    }
    return tuple(sorted(found))


@lru_cache(maxsize=256)
def _prepared_query(text: str) -> Query:
    """The parsed form of a SPARQL query text (parsed queries are not changed by evaluation)."""
    return prepareQuery(text)


class _PreparedQueryGraph(Graph):
    """A graph whose :meth:`query` parses each distinct SPARQL text only once per process.

    pySHACL runs a SPARQL constraint once per focus node, always with the same text and
    ``$this`` pre-bound; rdflib would parse the text every time, and parsing costs some fifty
    times more than evaluating. A private subclass, so nothing in rdflib or pySHACL is patched.
    """

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Node] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql" and not initNs:
            query_object = _prepared_query(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def validate_graph(graph: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``graph`` (already materialised) against ``shapes`` (default: :func:`load_shapes`).

    ``graph`` is not changed (pySHACL works on a copy). Raises
    :class:`~eukg.errors.InputError` when the shapes cannot be used (a broken SPARQL constraint,
    an unknown parameter value).
    """
    shapes_graph = load_shapes() if shapes is None else shapes
    where = str(SHAPES_DIR) if shapes is None else None
    data = _PreparedQueryGraph()
    data += graph
    try:
        _, results_graph, _ = pyshacl.validate(
            data,
            shacl_graph=shapes_graph,
            advanced=True,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            inplace=True,
        )
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:
        raise InputError(f"the shapes cannot be used: {exc}", path=where) from None
    if isinstance(results_graph, ValidationFailure):
        # pySHACL returns (not raises) this for a shape it cannot evaluate.
        raise InputError(f"the shapes cannot be used: {results_graph.message}", path=where)
    return _report_from_graph(results_graph, constraint_shapes(shapes_graph))


def check_shapes(shapes: Graph | None = None) -> ValidationReport:
    """Validate the shapes themselves against SHACL for SHACL (meta-SHACL)."""
    shapes_graph = load_shapes() if shapes is None else shapes
    _, results_graph, _ = meta_validate(shapes_graph, allow_warnings=True)
    if isinstance(results_graph, ValidationFailure):  # pragma: no cover - SHACL-SHACL is sound
        raise InputError(f"meta-SHACL failed: {results_graph.message}", path=str(SHAPES_DIR))
    return _report_from_graph(results_graph, ())


def _report_from_graph(results_graph: Graph, shapes: tuple[str, ...]) -> ValidationReport:
    results = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in results_graph.objects(node, SH.resultMessage))
        path = results_graph.value(node, SH.resultPath)
        value = results_graph.value(node, SH.value)
        results.append(
            ValidationResult(
                focus_node=term_text(results_graph.value(node, SH.focusNode)),
                result_path=None if path is None else path_text(results_graph, path),
                value=None if value is None else term_text(value),
                source_shape=term_text(results_graph.value(node, SH.sourceShape)),
                constraint_component=term_text(
                    results_graph.value(node, SH.sourceConstraintComponent)
                ),
                severity=term_text(results_graph.value(node, SH.resultSeverity)),
                message=" ".join(messages),
            )
        )
    results.sort(key=_sort_key)
    conforms = not any(r.severity == str(SH.Violation) for r in results)
    return ValidationReport(conforms=conforms, results=tuple(results), shapes=shapes)


def _sort_key(r: ValidationResult) -> tuple[int, str, str, str, str]:
    rank = SEVERITIES.index(r.severity) if r.severity in SEVERITIES else len(SEVERITIES)
    return (rank, r.source_shape, r.focus_node, r.result_path or "", r.value or "")
