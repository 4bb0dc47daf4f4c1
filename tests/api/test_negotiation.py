"""Accept parsing and the choice of a format (api/negotiation.py), without a server."""

from __future__ import annotations

import pytest

from api.negotiation import (
    GRAPH_FORMATS,
    HTML,
    RESULT_FORMATS,
    BadFormatParameter,
    Kind,
    NotAcceptable,
    choose,
    negotiate,
    parse_accept,
)
from eukg.stores.base import MEDIA_TYPES


def names(accept: str | None, kind: Kind = Kind.RESULTS) -> str:
    return negotiate(accept, None, kind, "results").name


def test_the_tables_are_the_stores() -> None:
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        base = MEDIA_TYPES[fmt.name]
        assert fmt.media_type == base.media_type and fmt.extension == base.extension
        assert set(base.aliases) <= set(fmt.aliases)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("text/*", "csv"),
        ("text/csv;q=0.5, text/tab-separated-values", "tsv"),
        ("application/sparql-results+xml;q=0.9, */*;q=0.1", "xml"),
        ("application/*;q=0.2, text/csv;q=0.1", "json"),
        ("*/*;q=0.5, application/sparql-results+json;q=0", "xml"),  # q=0 excludes
        ("garbage, text/csv", "csv"),  # malformed elements are ignored
        ("text/csv;q=abc, application/sparql-results+xml", "xml"),
        ("APPLICATION/SPARQL-RESULTS+XML", "xml"),
        ("text/csv; charset=utf-8; q=0.8, application/json; q=0.7", "csv"),
    ],
)
def test_results_by_accept(accept: str | None, expected: str) -> None:
    assert names(accept) == expected


def test_the_most_specific_range_gives_the_quality() -> None:
    # text/csv is refused explicitly even though text/* is welcome
    assert names("text/*;q=0.9, text/csv;q=0") == "tsv"


def test_graphs_prefer_turtle_and_understand_aliases() -> None:
    assert names("*/*", Kind.GRAPH) == "turtle"
    assert names("application/json", Kind.GRAPH) == "jsonld"
    assert names("text/plain", Kind.GRAPH) == "ntriples"
    assert names("application/xml", Kind.GRAPH) == "rdfxml"


def test_nothing_acceptable_lists_the_offers() -> None:
    with pytest.raises(NotAcceptable) as info:
        names("image/png")
    assert "application/sparql-results+json" in info.value.offers


def test_html_is_only_chosen_when_offered() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert choose(browser, (*GRAPH_FORMATS[:4], HTML)) is HTML
    assert choose("*/*", (*GRAPH_FORMATS[:4], HTML)).name == "turtle"
    assert names(browser) == "xml"


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("json", Kind.RESULTS, "json"),
        ("json", Kind.GRAPH, "jsonld"),
        ("xml", Kind.GRAPH, "rdfxml"),
        ("json-ld", Kind.GRAPH, "jsonld"),
        ("rdf+xml", Kind.GRAPH, "rdfxml"),
        ("n3", Kind.GRAPH, "turtle"),
        ("text/tab-separated-values", Kind.RESULTS, "tsv"),
        (" TTL ", Kind.GRAPH, "turtle"),
    ],
)
def test_format_parameter(value: str, kind: Kind, expected: str) -> None:
    assert negotiate("text/csv", value, kind, "x").name == expected


def test_format_parameter_errors() -> None:
    with pytest.raises(BadFormatParameter, match="not a known format"):
        negotiate(None, "yaml", Kind.RESULTS, "SELECT results")
    with pytest.raises(BadFormatParameter, match="not available for SELECT results"):
        negotiate(None, "turtle", Kind.RESULTS, "SELECT results")


def test_parse_accept_keeps_q_and_specificity() -> None:
    ranges = parse_accept("text/html, text/*;q=0.4, */*;q=0.1")
    assert [(r.type, r.subtype, r.q, r.specificity) for r in ranges] == [
        ("text", "html", 1.0, 3),
        ("text", "*", 0.4, 2),
        ("*", "*", 0.1, 1),
    ]
