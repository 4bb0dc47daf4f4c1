"""EmbeddedStore.from_files: RDF files served as they are (``eukg serve --data``)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from eukg.errors import InputError, StoreError
from eukg.stores import EmbeddedStore, QueryRequest

TTL = """@prefix ex: <http://example.org/> .
ex:a ex:p "text"@en ; ex:q <relative> ; ex:r [ ex:s "in a" ] .
"""
TRIG = """@prefix ex: <http://example.org/> .
ex:g1 { ex:b ex:p "in g1" . }
{ ex:b ex:p "in default" . }
"""
NT = '<http://example.org/c> <http://example.org/p> _:x .\n_:x <http://example.org/s> "in c" .\n'


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def select(store: EmbeddedStore, query: str) -> list[tuple[str, ...]]:
    body = store.execute(QueryRequest(query), 10).body
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    return sorted(tuple(str(t) for t in row) for row in result)  # type: ignore[union-attr]


def test_files_are_served_as_they_are(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    files = [write(data, "a.ttl", TTL), write(data, "b.trig", TRIG), write(data, "c.nt", NT)]
    with EmbeddedStore.from_files(files, tmp_path / "tmp", workers=1) as store:
        assert store.triple_count() == 7
        assert store.normalised_literals == ()
        assert select(store, "SELECT ?o { <http://example.org/a> <http://example.org/p> ?o }") == [
            ('"text"@en',)
        ]
        assert select(store, "SELECT ?o { GRAPH <http://example.org/g1> { ?s ?p ?o } }") == [
            ('"in g1"',)
        ]
        relative = select(store, "SELECT ?o { <http://example.org/a> <http://example.org/q> ?o }")
        assert relative == [(f"<{(data / 'relative').as_uri()}>",)]
        # blank nodes of different files stay apart
        assert select(
            store, "SELECT (COUNT(DISTINCT ?b) AS ?n) { ?x ?p ?b FILTER(isBlank(?b)) }"
        ) == [('"2"^^<http://www.w3.org/2001/XMLSchema#integer>',)]


def test_folders_are_searched(tmp_path: Path) -> None:
    write(tmp_path, "a.ttl", TTL)
    with EmbeddedStore.from_files([tmp_path], tmp_path / "tmp", workers=1) as store:
        assert store.triple_count() == 4


def test_literals_the_store_would_rewrite_are_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "n.nt",
        '<http://e/s> <http://e/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    )
    with pytest.raises(InputError, match=r'n\.nt: .*rewrite 1 literal.*"01"\^\^.* as "1"\^\^'):
        EmbeddedStore.from_files([path], tmp_path / "tmp", workers=1)


def test_rewritten_literals_can_be_allowed_and_are_reported(tmp_path: Path) -> None:
    text = '<http://e/s> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#int> .\n'
    path = write(tmp_path, "n.nt", text)
    with EmbeddedStore.from_files(
        [path], tmp_path / "tmp", workers=1, allow_normalised=True
    ) as store:
        (literal,) = store.normalised_literals
        assert literal.path == path
        assert literal.written == '"1"^^<http://www.w3.org/2001/XMLSchema#int>'
        assert literal.stored == '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'


def test_bad_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    with pytest.raises(InputError, match=r"bad\.ttl:2"):
        EmbeddedStore.from_files([path], tmp_path / "tmp", workers=1)


def test_target_must_be_new(tmp_path: Path) -> None:
    (tmp_path / "tmp" / "store").mkdir(parents=True)
    (tmp_path / "tmp" / "store" / "x").write_text("x")
    with pytest.raises(StoreError, match="not empty"):
        EmbeddedStore.from_files([write(tmp_path, "a.ttl", TTL)], tmp_path / "tmp", workers=1)
