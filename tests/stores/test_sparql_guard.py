"""eukg.sparql_guard: a tokenizer-based reading of SPARQL that executes nothing."""

from __future__ import annotations

import itertools
import time

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eukg.errors import QueryRefused, QuerySyntaxError
from eukg.sparql_guard import (
    _TOKEN,
    READ_ONLY_MESSAGE,
    UPDATE_KEYWORDS,
    check_query,
    inspect_query,
    tokenize,
)

UPDATE_OPERATIONS = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "CLEAR GRAPH <urn:g>",
    "DROP ALL",
    "DROP SILENT DEFAULT",
    "CREATE GRAPH <urn:g>",
    "ADD <urn:a> TO <urn:b>",
    "MOVE DEFAULT TO <urn:b>",
    "COPY <urn:a> TO DEFAULT",
]
WORDS = sorted(UPDATE_KEYWORDS)

ignorable = st.lists(
    st.sampled_from(
        [
            " ",
            "\n",
            "\t",
            "# a comment with INSERT and SELECT\n",
            "#\n",
            "PREFIX ex: <http://example.org/select#> ",
            "PREFIX : <urn:x:> ",
            "BASE <http://example.org/> ",
        ]
    ),
    max_size=6,
).map("".join)


def random_case(data: st.DataObject, text: str) -> str:
    flags = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flags, strict=True))


def parses_as_query(text: str) -> bool:
    try:
        ox.Store().query(text)
    except SyntaxError:
        return False
    return True


@given(st.text())
def test_tokens_cover_the_text_exactly(text: str) -> None:
    tokens = tokenize(text, significant=False)
    assert "".join(t.text for t in tokens) == text
    assert all(a.end == b.start for a, b in itertools.pairwise(tokens))


@settings(max_examples=300)
@given(st.text(alphabet="ab_1.:-%\\'\"<>?$@ #\nAé", max_size=40))
def test_skipping_impossible_prefixed_names_changes_no_token(text: str) -> None:
    plain = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    assert [(t.kind, t.text) for t in tokenize(text, significant=False)] == plain


@pytest.mark.parametrize("unit", ["a.", "a-", "ab.", "p:a.", "<a.", '"a', "@a-", "\\u0041"])
def test_tokenizing_is_linear(unit: str) -> None:
    text = "SELECT * { " + unit * 20_000 + " }"
    started = time.monotonic()
    inspect_query(text)
    assert time.monotonic() - started < 3.0  # a quadratic tokenizer takes minutes here


@settings(max_examples=150)
@given(st.data(), st.sampled_from(UPDATE_OPERATIONS), ignorable)
def test_every_update_form_is_detected(data: st.DataObject, operation: str, prologue: str) -> None:
    text = prologue + random_case(data, operation)
    assert inspect_query(text).form == "update"
    with pytest.raises(QueryRefused) as caught:
        check_query(text)
    assert str(caught.value) == READ_ONLY_MESSAGE


_quote_safe = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\"'\\"), max_size=20
)


@settings(max_examples=150)
@given(
    st.data(),
    st.sampled_from(WORDS),
    _quote_safe,
    _quote_safe,
    st.sampled_from(['"{}"', "'{}'", '"""{}"""', "'''{}'''"]),
)
def test_update_keywords_inside_strings_are_not_updates(
    data: st.DataObject, word: str, before: str, after: str, quotes: str
) -> None:
    literal = quotes.format(f"{before} {random_case(data, word)} DATA {{ }} ; {after}")
    text = f"SELECT * WHERE {{ ?s ?p {literal} }}"
    assert parses_as_query(text)
    assert inspect_query(text).form == "select"
    check_query(text)


@settings(max_examples=100)
@given(st.data(), st.sampled_from(WORDS))
def test_update_keywords_in_names_iris_comments_and_variables_are_not_updates(
    data: st.DataObject, word: str
) -> None:
    w = random_case(data, word)
    text = (
        f"PREFIX {w}: <http://example.org/{w}#>\n"
        f"SELECT ?{w} WHERE {{ ?{w} {w}:{w} <http://example.org/{w}> . # {w} ALL\n"
        f'  ?s ?p "x"@en . ?s ?p ${w}x }}'
    )
    assert parses_as_query(text)
    assert inspect_query(text).form == "select"


@given(st.sampled_from(["select", "ask", "construct", "describe"]), ignorable)
def test_query_forms(form: str, prologue: str) -> None:
    bodies = {
        "select": "SELECT * { ?s ?p ?o }",
        "ask": "ASK { ?s ?p ?o }",
        "construct": "CONSTRUCT WHERE { ?s ?p ?o }",
        "describe": "DESCRIBE <urn:x>",
    }
    assert inspect_query(prologue + bodies[form]).form == form


def test_update_hidden_by_a_codepoint_escape_is_refused() -> None:
    # SPARQL 1.1 section 19.2 engines read \u0022 as a quote before parsing
    text = 'SELECT * { ?s ?p "\\u0022 } ; DROP ALL ; #" }'
    assert inspect_query(text).form == "update"


def test_not_a_query_is_a_syntax_error_with_position() -> None:
    with pytest.raises(QuerySyntaxError, match=r"error at 2:3: expected a query form"):
        inspect_query("# nothing\n  FOO")
    with pytest.raises(QuerySyntaxError):
        inspect_query("")


@pytest.mark.parametrize(
    "text,services",
    [
        ("SELECT * { SERVICE <http://a.example/sparql> {} }", ("http://a.example/sparql",)),
        ("SELECT * { sErViCe SILENT <http://a.example/s> {} }", ("http://a.example/s",)),
        (
            "PREFIX e: <http://a.example/> SELECT * { SERVICE e:sp\\-arql {} }",
            ("http://a.example/sp-arql",),
        ),
        ("BASE <http://a.example/x/> SELECT * { SERVICE <../s> {} }", ("http://a.example/s",)),
        (
            "BASE <http://a.example/> PREFIX e: <sub/> SELECT * { SERVICE e:s {} }",
            ("http://a.example/sub/s",),
        ),
        ("SELECT * { SERVICE <\\u0068ttp://a.example/s> {} }", ("http://a.example/s",)),
        ("SELECT * { SERVICE u:s {} }", ("u:s",)),
        ('SELECT * { ?s ?p "SERVICE <http://a.example/s>" }', ()),
        ("SELECT * { ?s <http://a.example/service> ?service }", ()),
    ],
)
def test_service_targets_are_resolved(text: str, services: tuple[str, ...]) -> None:
    info = inspect_query(text)
    assert info.service_iris == services
    assert not info.variable_service


def test_variable_service_is_always_refused() -> None:
    text = "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }"
    assert inspect_query(text).variable_service
    with pytest.raises(QueryRefused, match=r"SERVICE \?variable is not allowed"):
        check_query(text, ["http://a.example/s"])


def test_allow_list_is_exact() -> None:
    allowed = ["http://a.example/sparql"]
    assert check_query("SELECT * { SERVICE <http://a.example/sparql> {} }", allowed)
    for other in [
        "http://a.example/sparql/",
        "http://a.example/SPARQL",
        "https://a.example/sparql",
    ]:
        with pytest.raises(QueryRefused, match=f"SERVICE <{other}> is not allowed"):
            check_query(f"SELECT * {{ SERVICE <{other}> {{}} }}", allowed)


def test_refusal_says_why() -> None:
    with pytest.raises(QueryRefused, match="calls no other SPARQL endpoint"):
        check_query("SELECT * { SERVICE <http://a.example/s> {} }")
    with pytest.raises(QueryRefused, match="allow-listed"):
        check_query("SELECT * { SERVICE <http://a.example/s> {} }", ["http://b.example/s"])


def test_prologue_is_reported() -> None:
    info = inspect_query("BASE <http://a.example/> PREFIX ex: <ns#> PREFIX : <urn:x:> ASK {}")
    assert info.base_iri == "http://a.example/"
    assert info.prefix_map == {"ex": "http://a.example/ns#", "": "urn:x:"}
