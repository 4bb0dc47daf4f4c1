"""Named queries: every file loads with a valid header, bad headers fail at load time, and each
query's answer on the shipped data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from eukg.config import Settings
from eukg.errors import QueryDefinitionError, QueryParameterError
from eukg.named_queries import NamedQuery, load_named_queries, parse_query_file
from tests.helpers import CONCLUSIONS

QUERIES = load_named_queries(Settings().queries_dir)


def run(store: ox.Store, name: str, **values: str) -> list[dict[str, str]]:
    """The named query with ``values`` bound by a trailing VALUES clause."""
    q = QUERIES[name]
    result = store.query(q.with_values(q.bind(values)))
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]  # type: ignore[union-attr]


def test_the_shipped_queries_load() -> None:
    assert {
        "document-citations",
        "cited-by",
        "agencies-named",
        "objectives",
        "cited-documents-in-time-order",
        "council-documents-cited",
    } <= set(QUERIES)
    for q in QUERIES.values():
        assert q.summary and all(p.description for p in q.params), q.name


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_answers_on_the_shipped_data(store: ox.Store, name: str) -> None:
    q = QUERIES[name]
    values = {p.name: p.example for p in q.params if p.example}
    assert run(store, name, **values), f"{name} returns nothing on the shipped data"


def test_document_citations(store: ox.Store) -> None:
    rows = run(store, "document-citations")
    assert [r["reference"] for r in rows] == [
        "9596/06 JAI 271 CATS 104",
        "11657/08 JAI 373",
        "11960/08 JAI 388",
        "15446/05 JAI 488 RELEX 741",
        "Council Framework Decision of 18 December 2006 on simplifying the exchange of "
        "information and intelligence between law enforcement authorities of the Member States "
        "of the European Union",
        "Council Decision of 23 June 2008 on the stepping up of cross-border cooperation, "
        "particularly in combating terrorism and cross-border crime",
    ]
    assert [r.get("footnote") for r in rows] == ["1", "2", "2", "3", None, None]
    assert rows[0]["part"].endswith("/rct_1") and rows[0]["passage"].startswith("Recalling")
    assert rows[4]["citedId"] == "32006F0960" and rows[5]["citedId"] == "32008D0615"
    for r in rows:
        assert r["reference"] in r["passage"] or r.get("footnote"), r


def test_cited_by(store: ox.Store) -> None:
    rows = run(store, "cited-by", work="https://w3id.org/eukg/id/council-doc/9596-06")
    assert {r["citing"] for r in rows} == {CONCLUSIONS}
    assert {r.get("reference") for r in rows} == {"9596/06 JAI 271 CATS 104"}
    with pytest.raises(QueryParameterError, match="required"):
        QUERIES["cited-by"].bind({})


def test_agencies_named(store: ox.Store) -> None:
    rows = run(store, "agencies-named")
    by_label = {r.get("label"): r for r in rows}
    assert "European Police College" in by_label
    assert by_label["European Police College"]["passage"].startswith("developing joint training")
    # the narrowest part only: the paragraph that contains the point does not repeat it
    cepol_parts = {r["part"] for r in rows if r.get("label") == "European Police College"}
    assert len(cepol_parts) == 1


def test_objectives(store: ox.Store) -> None:
    rows = run(store, "objectives")
    notations = []
    for r in rows:
        if r["notation"] not in notations:
            notations.append(r["notation"])
    assert notations[:5] == ["1", "1.1", "1.2", "1.3", "1.4"]
    assert "5.4" in notations and notations.index("5.10") > notations.index("5.9")
    stated = {r["notation"] for r in rows if r.get("part")}
    assert {"1.1", "2.1", "3.2", "4.2", "5.1"} <= stated


def test_cited_documents_in_time_order(store: ox.Store) -> None:
    rows = run(store, "cited-documents-in-time-order")
    dated = [r["date"] for r in rows if "date" in r]
    assert dated == sorted(dated)
    assert len(rows) >= 6
    first = rows[0]
    assert first["date"].startswith("2005-12"), first


def test_council_documents_cited(store: ox.Store) -> None:
    rows = run(store, "council-documents-cited")
    assert [r["number"] for r in rows] == ["15446/05", "9596/06", "11657/08", "11960/08"]
    assert rows[0]["codes"] == "JAI 488 RELEX 741" or set(rows[0]["codes"].split(" ")) == {
        "JAI",
        "488",
        "RELEX",
        "741",
    }


# --- header errors fail at load time ----------------------------------------------------

GOOD = """#+ summary: A query
#+ params:
#+   doc:
#+     type: iri
#+     default: https://example.org/x
#+     description: A document.
SELECT ?p WHERE { ?doc ?p ?o }
"""


def write(tmp: Path, text: str, name: str = "a-query.rq") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_parses(tmp_path: Path) -> None:
    q = parse_query_file(write(tmp_path, GOOD))
    assert isinstance(q, NamedQuery) and q.params[0].default == "https://example.org/x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("#+ summary: A query\n", ""), "needs a 'summary'"),
        (GOOD.replace("summary:", "sumary:"), "unknown header key 'sumary'"),
        (GOOD.replace("#+   doc:", "#+   doc: [oops"), "not valid YAML"),
        (GOOD.replace("type: iri", "type: url"), "type must be one of"),
        (GOOD.replace("?doc ?p", "?d ?p"), "is not a variable"),
        (GOOD.replace("default: https://example.org/x", "default: not an iri"), "absolute IRI"),
        (GOOD.replace("#+     description: A document.\n", ""), "needs a 'description'"),
        (GOOD.replace("SELECT ?p WHERE { ?doc ?p ?o }", "SELECT ?p WHERE { ?doc ?p }"), "syntax"),
        (
            GOOD.replace("#+ summary: A query", "#+ summary: A query\n#+ pagination: 5")
            + "LIMIT 3\n",
            "must not end with LIMIT",
        ),
        (
            GOOD.replace("#+ summary: A query", "#+ summary: A query\n#+ pagination: 0"),
            "positive page size",
        ),
        (
            GOOD.replace("SELECT ?p WHERE { ?doc ?p ?o }", "INSERT DATA { <a:b> <a:c> <a:d> }"),
            "not a SELECT",
        ),
    ],
)
def test_bad_headers_fail_at_load_time(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(QueryDefinitionError, match=message) as err:
        parse_query_file(write(tmp_path, text))
    assert "a-query.rq" in str(err.value)


def test_file_names_are_kebab_case(tmp_path: Path) -> None:
    with pytest.raises(QueryDefinitionError, match="kebab-case"):
        parse_query_file(write(tmp_path, GOOD, "Bad_Name.rq"))


def test_values_are_bound_as_terms_not_text() -> None:
    q = QUERIES["cited-by"]
    evil = 'x" } ; DROP ALL ; #'
    with pytest.raises(QueryParameterError):
        q.bind({"work": evil})
    text = QUERIES["document-citations"].with_values({"doc": ox.Literal('a"} ; DROP ALL ; #')})
    assert '("a\\"} ; DROP ALL ; #")' in text
    # the text still parses and still is the same query: the value did not break out
    assert list(ox.Store().query(text)) == []
    assert text.count("DROP ALL") == 1
