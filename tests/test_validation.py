"""Tests of the SHACL shapes (``shapes/*.ttl``) and of :mod:`eukg.validation`.

The shape cases live in ``tests/shapes/<shape-local-name>/`` (see ``shapes/README.md``):

* every ``valid-*.ttl`` conforms to the FULL shapes graph after materialisation, with no result
  of any severity;
* every ``invalid-*.ttl`` says on its first line(s) ``# expect: <shape> <sh:Component> <focus>``
  and yields exactly that set of (sourceShape, sourceConstraintComponent, focusNode): the test
  compares sets of results, never counts;
* every named shape has at least one valid and one invalid case, and every folder names a shape.

Fixtures are plain Turtle; like the data they are materialised with the ontology
(:func:`eukg.reasoning.materialise`) before validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from eukg import validation
from eukg.namespaces import ELI, EUKG, SH

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "shapes"
DATA = ROOT / "data"
NS = validation.SHAPES_NS

#: ``# expect: <shape-local-name> <sh:XConstraintComponent> <focus node IRI | _:>``
EXPECT_LINE = re.compile(r"^# expect: (?P<shape>\S+) sh:(?P<component>\S+) (?P<focus>\S+)\s*$")

Expectation = tuple[str, str, str]


# ---------------------------------------------------------------------------------------------
# Helpers and fixtures
# ---------------------------------------------------------------------------------------------


def _case_files(prefix: str) -> list[Path]:
    return sorted(CASES.glob(f"*/{prefix}-*.ttl"))


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _expectations(path: Path) -> set[Expectation]:
    """The ``# expect:`` lines at the top of a case file."""
    found: set[Expectation] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect:"):
            break
        match = EXPECT_LINE.match(line)
        assert match, f"{_case_id(path)}: malformed expect line {line!r}"
        focus = match["focus"].strip("<>")
        found.add((NS + match["shape"], str(SH[match["component"]]), focus))
    return found


def _observed(report: validation.ValidationReport) -> set[Expectation]:
    return {
        (
            r.source_shape,
            r.constraint_component,
            "_:" if r.focus_node.startswith("_:") else r.focus_node,
        )
        for r in report.results
    }


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return validation.load_shapes()


@pytest.fixture(scope="session")
def ontology() -> Graph:
    from eukg.ontology import load_ontology

    return load_ontology()


@pytest.fixture(scope="session")
def materialised(ontology: Graph) -> Callable[[Graph], Graph]:
    from eukg.reasoning import materialise

    return lambda graph: materialise(graph, ontology)


@pytest.fixture(scope="session")
def validate_case(
    shapes: Graph, materialised: Callable[[Graph], Graph]
) -> Callable[[Path], validation.ValidationReport]:
    from eukg.loader import load_files

    # Many cases share their triples (the comment lines differ); validate each graph once.
    reports: dict[frozenset, validation.ValidationReport] = {}

    def run(path: Path) -> validation.ValidationReport:
        graph = load_files([path]).union()
        key = frozenset(graph)
        if key not in reports:
            reports[key] = validation.validate_graph(materialised(graph), shapes)
        return reports[key]

    return run


# ---------------------------------------------------------------------------------------------
# (a) valid cases conform, (b) invalid cases fire exactly what they expect
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _case_files("valid"), ids=_case_id)
def test_valid_case_has_no_result(path: Path, validate_case) -> None:
    assert not _expectations(path), f"{_case_id(path)}: a valid case has no expect line"
    report = validate_case(path)
    assert report.results == (), validation.render_text(report)
    assert report.conforms


@pytest.mark.parametrize("path", _case_files("invalid"), ids=_case_id)
def test_invalid_case_yields_expected_results(path: Path, validate_case) -> None:
    expected = _expectations(path)
    assert expected, f"{_case_id(path)}: line 1 must say '# expect: <shape> <sh:X> <focus>'"
    assert NS + path.parent.name in {shape for shape, _, _ in expected}, (
        f"{_case_id(path)}: no expect line names the folder's shape {path.parent.name}"
    )
    report = validate_case(path)
    observed = _observed(report)
    assert observed == expected, (
        f"missing: {sorted(expected - observed)}\nunexpected: {sorted(observed - expected)}\n"
        + validation.render_text(report)
    )


# ---------------------------------------------------------------------------------------------
# (c) coverage and conventions of the shapes files
# ---------------------------------------------------------------------------------------------


def test_every_named_shape_has_valid_and_invalid_cases(shapes: Graph) -> None:
    named = {s[len(NS) :] for s in validation.constraint_shapes(shapes) if s.startswith(NS)}
    folders = {p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert sorted(folders - named) == [], "case folders that name no shape"
    missing_valid = sorted(n for n in named if not list((CASES / n).glob("valid-*.ttl")))
    missing_invalid = sorted(n for n in named if not list((CASES / n).glob("invalid-*.ttl")))
    assert missing_valid == [], "shapes without a valid case"
    assert missing_invalid == [], "shapes without an invalid case"


def test_case_files_are_named_valid_or_invalid() -> None:
    stray = [
        _case_id(p)
        for p in CASES.glob("*/*")
        if p.is_file() and not re.match(r"^(valid|invalid)-[a-z0-9-]+\.ttl$", p.name)
    ]
    assert stray == []


def test_every_shape_is_a_named_iri_with_documentation(shapes: Graph) -> None:
    undocumented = []
    for shape in validation.constraint_shapes(shapes):
        node = URIRef(shape)
        assert shape.startswith(NS), f"shape outside {NS}: {shape}"
        needs = [SH.name, SH.description]
        if (node, SH.sparql, None) not in shapes:  # SPARQL rules carry it on the constraint
            needs.append(SH.message)
        undocumented += [f"{shape} lacks {p}" for p in needs if (node, p, None) not in shapes]
    for query in shapes.objects(None, SH.sparql):
        if (query, SH.message, None) not in shapes:
            undocumented.append(f"{query} lacks sh:message")
    assert undocumented == []


def test_property_shapes_are_named(shapes: Graph) -> None:
    anonymous = [str(s) for s in shapes.subjects(SH.path, None) if isinstance(s, BNode)]
    assert anonymous == []


@pytest.mark.parametrize("path", sorted((ROOT / "shapes").glob("*.ttl")), ids=lambda p: p.name)
def test_shapes_file_describes_itself(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    headers = list(g.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1, f"{path.name}: needs exactly one owl:Ontology header"
    header = headers[0]
    for prop in (DCTERMS.title, OWL.versionInfo, DCTERMS.license, RDFS.comment):
        assert (header, prop, None) in g, f"{path.name}: header lacks {prop}"


# ---------------------------------------------------------------------------------------------
# (d) meta-SHACL
# ---------------------------------------------------------------------------------------------


def test_shapes_pass_meta_shacl(shapes: Graph) -> None:
    report = validation.check_shapes(shapes)
    assert report.results == (), validation.render_text(report)


def test_meta_shacl_catches_a_broken_shape() -> None:
    broken = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:minCount "one" .
        """,
        format="turtle",
    )
    report = validation.check_shapes(broken)
    assert {(r.focus_node, r.result_path) for r in report.violations} == {
        ("http://example.org/S", str(SH.minCount))
    }


# ---------------------------------------------------------------------------------------------
# (e) validate_graph and the renderers
# ---------------------------------------------------------------------------------------------

AGENCY_CASE = CASES / "Agency-eukg-establishedBy" / "invalid-no-founding-act.ttl"
EUROPOL = "https://w3id.org/eukg/id/org/europol"


@pytest.fixture(scope="module")
def agency_report(validate_case) -> validation.ValidationReport:
    """A report with one violation whose path is an inverse path."""
    return validate_case(AGENCY_CASE)


def test_report_fields(agency_report: validation.ValidationReport) -> None:
    assert not agency_report.conforms
    (result,) = agency_report.results
    assert result.focus_node == EUROPOL
    assert result.result_path == f"^<{EUKG.establishes}>"
    assert result.severity == str(SH.Violation) and result.severity_name == "Violation"
    assert result.shape_name == "Agency-eukg-establishedBy"
    assert "founding act" in result.message
    assert NS + "Agency-eukg-establishedBy" in agency_report.shapes


def test_render_text_names_node_rule_and_shape(agency_report) -> None:
    text = validation.render_text(agency_report)
    line = text.splitlines()[0]
    assert line.startswith("Violation")
    assert EUROPOL in line
    assert "eukgsh:Agency-eukg-establishedBy" in line
    assert "sh:MinCountConstraintComponent" in line
    assert text.splitlines()[-1].startswith("does not conform")


def test_render_json_parses(agency_report) -> None:
    data = json.loads(validation.render_json(agency_report))
    assert data["conforms"] is False
    assert data["counts"] == {"Violation": 1}
    assert data["results"][0]["focus_node"] == EUROPOL


def test_render_junit_is_xml_with_one_testcase_per_shape(agency_report) -> None:
    root = ET.fromstring(validation.render_junit(agency_report))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(agency_report.shapes)
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["Agency-eukg-establishedBy"]
    assert EUROPOL in failed[0].find("failure").get("message")
    assert root.find("testsuite").get("failures") == "1"


def test_render_turtle_is_a_validation_report(agency_report) -> None:
    g = Graph().parse(data=validation.render_turtle(agency_report), format="turtle")
    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == Literal(False)
    (result,) = g.objects(report, SH.result)
    assert g.value(result, SH.focusNode) == URIRef(EUROPOL)
    assert g.value(result, SH.sourceShape) == URIRef(NS + "Agency-eukg-establishedBy")
    path = g.value(result, SH.resultPath)
    assert g.value(path, SH.inversePath) == EUKG.establishes


def test_warnings_do_not_fail_conformance(materialised) -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:LabelShape a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:label ;
            sh:minCount 1 ; sh:severity sh:Warning ; sh:message "no label" .
        """,
        format="turtle",
    )
    data = Graph()
    data.add((URIRef("http://example.org/a"), RDF.type, URIRef("http://example.org/Thing")))
    report = validation.validate_graph(data, shapes)
    assert report.conforms
    assert [r.severity_name for r in report.results] == ["Warning"]
    junit = ET.fromstring(validation.render_junit(report))
    assert junit.find("./testsuite").get("failures") == "0"


def test_validate_graph_leaves_its_input_alone(shapes: Graph) -> None:
    data = Graph()
    data.add((URIRef("https://w3id.org/eukg/id/org/x"), RDF.type, EUKG.Agency))
    before = set(data)
    validation.validate_graph(data, shapes)
    assert set(data) == before


def test_load_shapes_reads_every_file(shapes: Graph) -> None:
    headers = set(shapes.subjects(RDF.type, OWL.Ontology))
    assert {str(h).rsplit("/", 1)[1] for h in headers} >= {"core", "identifiers", "rules"}


def test_load_shapes_refuses_an_empty_folder(tmp_path: Path) -> None:
    from eukg.errors import InputError

    with pytest.raises(InputError, match="no shapes file"):
        validation.load_shapes(tmp_path)


# ---------------------------------------------------------------------------------------------
# (f) the shipped data
# ---------------------------------------------------------------------------------------------

DATA_FILES = sorted(DATA.rglob("*.trig"))


@pytest.fixture(scope="module")
def data_graph() -> Graph:
    """All source graphs flattened into one graph, with the loader's eukg:statedIn."""
    from eukg.loader import load_files

    assert DATA_FILES, f"no data files in {DATA}"
    return load_files(DATA_FILES, require_sources=True).union()


def _validate_data(graph: Graph, materialised, shapes) -> validation.ValidationReport:
    return validation.validate_graph(materialised(graph), shapes)


def test_shipped_data_conforms(data_graph: Graph, materialised, shapes) -> None:
    report = _validate_data(data_graph, materialised, shapes)
    assert report.conforms, validation.render_text(report)


def _first_subject_with(graph: Graph, *props: URIRef) -> URIRef:
    subjects = sorted(
        s for s in set(graph.subjects(props[0], None)) if all((s, p, None) in graph for p in props)
    )
    assert subjects, f"the data has no resource with {[str(p) for p in props]}"
    return subjects[0]


def test_malformed_celex_is_reported_on_its_act(data_graph: Graph, materialised, shapes) -> None:
    act = _first_subject_with(data_graph, EUKG.celex)
    broken = Graph() + data_graph
    broken.remove((act, EUKG.celex, None))
    broken.add((act, EUKG.celex, Literal("3200F0960")))
    report = _validate_data(broken, materialised, shapes)
    assert not report.conforms
    assert (NS + "Pattern-eukg-celex", str(act)) in {
        (r.source_shape, r.focus_node) for r in report.violations
    }, validation.render_text(report)


def test_impossible_dates_are_reported_on_their_acts(
    data_graph: Graph, materialised, shapes
) -> None:
    """One copy, two impossible dates: an act published before its adoption, and an act
    repealed by an act adopted before it."""
    broken = Graph() + data_graph
    published = _first_subject_with(data_graph, ELI.date_document, ELI.date_publication)
    adopted = data_graph.value(published, ELI.date_document).toPython()
    broken.remove((published, ELI.date_publication, None))
    broken.add((published, ELI.date_publication, Literal(adopted.replace(year=adopted.year - 1))))

    repeals = sorted(
        (new, old)
        for new, old in data_graph.subject_objects(EUKG.repeals)
        if (new, ELI.date_document, None) in data_graph
        and (old, ELI.date_document, None) in data_graph
        and published not in (new, old)
    )
    assert repeals, "the data has no dated repeal"
    new, old = repeals[0]
    older = data_graph.value(old, ELI.date_document).toPython()
    broken.remove((new, ELI.date_document, None))
    broken.add((new, ELI.date_document, Literal(older.replace(year=older.year - 1))))

    report = _validate_data(broken, materialised, shapes)
    found = {(r.source_shape, r.focus_node) for r in report.violations}
    assert (NS + "Document-published-not-before-adoption", str(published)) in found, (
        validation.render_text(report)
    )
    assert (NS + "Document-changes-only-older-documents", str(new)) in found, (
        validation.render_text(report)
    )
