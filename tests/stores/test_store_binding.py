"""eukg.stores.binding: substitutions become VALUES blocks that every engine reads the same."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from eukg.errors import QueryParameterError
from eukg.stores.binding import bind_variables, parse_substitutions, parse_term

EX = "http://example.org/"
A, B = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b")
P, Q = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")


@pytest.fixture(scope="module")
def memory() -> ox.Store:
    store = ox.Store()
    store.extend(
        [
            ox.Quad(A, P, ox.Literal("1"), ox.DefaultGraph()),
            ox.Quad(B, P, ox.Literal("2"), ox.DefaultGraph()),
            ox.Quad(A, Q, B, ox.DefaultGraph()),
        ]
    )
    return store


def select(store: ox.Store, query: str, **values: str) -> list[tuple[str, ...]]:
    text = bind_variables(query, parse_substitutions(list(values.items()))).text
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    return sorted(tuple(str(t) for t in row if t is not None) for row in result)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("SELECT ?o { ?s <http://example.org/p> ?o }", [('"1"',)]),
        (
            "SELECT ?o { { ?s <http://example.org/p> ?o } UNION { ?s <http://example.org/q> ?o } }",
            [('"1"',), ("<http://example.org/b>",)],
        ),
        ("SELECT ?o { ?x <http://example.org/p> ?o FILTER(?x = ?s) }", [('"1"',)]),
        ("SELECT ?o { ?x <http://example.org/p> ?o { FILTER(?x = ?s) } }", []),  # ?x unbound there
        ("SELECT ?o { { SELECT ?o { ?s <http://example.org/p> ?o } } }", [('"1"',)]),
        (
            "SELECT ?o { ?x <http://example.org/p> ?o "
            "FILTER EXISTS { ?s <http://example.org/q> ?x } }",
            [('"2"',)],
        ),
        (
            "SELECT ?o { ?x <http://example.org/p> ?o MINUS { ?s <http://example.org/q> ?x } }",
            [('"1"',)],
        ),
        (
            "SELECT ?o { ?x <http://example.org/p> ?o "
            "OPTIONAL { ?s <http://example.org/q> ?y FILTER(?y = ?x) } FILTER(BOUND(?y)) }",
            [('"2"',)],
        ),
        (
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
            [('"2"^^<http://www.w3.org/2001/XMLSchema#integer>',)],
        ),
        ("SELECT ?s { }", [("<http://example.org/a>",)]),
    ],
)
def test_bound_variable_is_seen_everywhere(
    memory: ox.Store, query: str, expected: list[tuple[str, ...]]
) -> None:
    assert select(memory, query, s=f"<{EX}a>") == expected


def test_minus_without_the_variable_is_unchanged(memory: ox.Store) -> None:
    query = "SELECT ?x { ?x <http://example.org/p> ?o MINUS { ?a <http://example.org/q> ?b } }"
    assert select(memory, query, s=f"<{EX}a>") == select(memory, query)


def test_construct_short_form(memory: ox.Store) -> None:
    rewrite = bind_variables(
        "CONSTRUCT WHERE { ?s ?p ?o }", parse_substitutions([("s", f"<{EX}b>")])
    )
    assert rewrite.text.startswith("CONSTRUCT { ?s ?p ?o } WHERE {")
    assert [str(t) for t in memory.query(rewrite.text)] == [f'<{EX}b> <{EX}p> "2"']  # type: ignore[union-attr]


def test_describe_without_where(memory: ox.Store) -> None:
    rewrite = bind_variables("DESCRIBE ?s", parse_substitutions([("s", f"<{EX}b>")]))
    assert {str(t.subject) for t in memory.query(rewrite.text)} == {f"<{EX}b>"}  # type: ignore[union-attr]


def test_values_blocks_and_templates_are_left_alone() -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?o { 1 } ?s ?p ?o } VALUES ?p { <urn:p> }"
    text = bind_variables(query, parse_substitutions([("s", "<urn:s>")])).text
    assert text.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<urn:s>) }  VALUES ?o")
    assert text.endswith("?s ?p ?o } VALUES ?p { <urn:p> }")
    ox.Store().query(text)


def test_no_substitutions_leaves_the_text_alone() -> None:
    assert bind_variables("SELECT * {}", {}).text == "SELECT * {}"


def test_error_positions_are_moved_back() -> None:
    query = "SELECT ?x { ?x ?p ?s ?? }"
    rewrite = bind_variables(query, parse_substitutions([("s", '"a long value to shift columns"')]))
    with pytest.raises(SyntaxError) as direct:
        ox.Store().query(query)
    with pytest.raises(SyntaxError) as bound:
        ox.Store().query(rewrite.text)
    assert str(bound.value) != str(direct.value)
    assert rewrite.map_message(str(bound.value)) == str(direct.value)
    shift = len(rewrite.text) - len(query)
    assert rewrite.map_message(f"line 1, column {21 + shift}: x") == "line 1, column 21: x"
    assert rewrite.map_message("line 1, column 30: x") == "line 1, column 12: x"  # inside


@pytest.mark.parametrize(
    "value,expected",
    [
        ("<http://example.org/a>", ox.NamedNode("http://example.org/a")),
        ('"x"', ox.Literal("x")),
        ('"x"@en', ox.Literal("x", language="en")),
        (
            '"01"^^<http://www.w3.org/2001/XMLSchema#integer>',
            ox.Literal("01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        ('"a \\" } ; DROP ALL ; #"', ox.Literal('a " } ; DROP ALL ; #')),
    ],
)
def test_parse_term(value: str, expected: ox.NamedNode | ox.Literal) -> None:
    assert parse_term(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "x", "_:b", "?x", "<a>", "<urn:a> <urn:b>", '"x" . <urn:a> <urn:b> <urn:c>', '"x"\n'],
)
def test_parse_term_refuses_what_is_not_one_term(value: str) -> None:
    with pytest.raises(QueryParameterError):
        parse_term(value)


@pytest.mark.parametrize("pairs", [[("?x", '"a"')], [("x y", '"a"')], [("x", '"a"'), ("x", '"b"')]])
def test_bad_variable_names_are_refused(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(QueryParameterError):
        parse_substitutions(pairs)


def test_nested_sub_selects() -> None:
    query = "SELECT * { { SELECT * { SELECT ?o { ?s ?p ?o } } } }"
    text = bind_variables(query, parse_substitutions([("s", "<urn:x>")])).text
    assert text.count("VALUES") == 2  # the WHERE group and the innermost group mentioning ?s
    ox.Store().query(text)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * " + "{ ?s ?p ?o " * 20_000 + "}" * 20_000,
        "SELECT * { " + "{ ?s ?p ?o } " * 20_000 + "}",
    ],
)
def test_binding_is_linear(query: str) -> None:
    started = time.monotonic()
    bind_variables(query, parse_substitutions([("s", "<urn:x>")]))
    assert time.monotonic() - started < 3.0
