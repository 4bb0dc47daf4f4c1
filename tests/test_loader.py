"""Reading files: clear errors naming file and line, the source-graph rule, hostile files."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from eukg.errors import DataModelError, InputError
from eukg.loader import discover, load_files

SOURCE = """
@prefix eukg: <https://w3id.org/eukg/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/eukg/id/source/s> {
  <https://w3id.org/eukg/id/source/s> a eukg:Source ; dct:source <https://example.org/page> .
  <https://w3id.org/eukg/id/doc/x> dct:title "X"@en .
}
"""


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_source_graph_is_loaded_with_its_provenance(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path, "ok.trig", SOURCE)], require_sources=True)
    union = loaded.union()
    query = "SELECT ?g { <https://w3id.org/eukg/id/doc/x> eukg:statedIn ?g }"
    rows = list(union.query(query, initNs={"eukg": "https://w3id.org/eukg/ontology#"}))
    assert [str(r[0]) for r in rows] == ["https://w3id.org/eukg/id/source/s"]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.ttl", '<http://a> <http://b> <http://c> .\n<http://a> <http://b> "x .\n'
    )
    with pytest.raises(InputError) as err:
        load_files([path])
    assert str(err.value).startswith(f"{path}:2: syntax error")


def test_non_utf8_file_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.ttl", '<http://a> <http://b> "caf\xe9" .\n'.encode("latin-1"))
    with pytest.raises(InputError) as err:
        load_files([path])
    assert str(path) in str(err.value)


def test_triples_outside_a_source_graph_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.ttl", "<http://a> <http://b> <http://c> .\n")
    with pytest.raises(DataModelError, match="outside any source graph"):
        load_files([path], require_sources=True)
    assert len(load_files([path])) == 1  # fine when sources are not required


def test_blank_nodes_are_refused_in_data(tmp_path: Path) -> None:
    text = SOURCE.replace('dct:title "X"@en', 'dct:creator [ dct:title "Y" ]')
    with pytest.raises(DataModelError, match="blank node"):
        load_files([write(tmp_path, "b.trig", text)], require_sources=True)


def test_a_source_graph_must_describe_itself(tmp_path: Path) -> None:
    text = SOURCE.replace(
        "a eukg:Source ; dct:source <https://example.org/page> .", "a eukg:Source ."
    )
    with pytest.raises(DataModelError, match="does not describe itself"):
        load_files([write(tmp_path, "s.trig", text)], require_sources=True)


def test_missing_path_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "nope.ttl"])
    with pytest.raises(InputError, match="unknown RDF file extension"):
        discover([write(tmp_path, "x.txt", "")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no RDF file"):
        discover([tmp_path / "empty"])


class Canary:
    """A listening socket on loopback that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def canary() -> Canary:
    c = Canary()
    yield c
    c.close()


def test_rdfxml_external_entities_are_not_resolved(tmp_path: Path, canary: Canary) -> None:
    secret = write(tmp_path, "secret.txt", "SECRET")
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY file SYSTEM "file://{secret}">
  <!ENTITY net SYSTEM "http://127.0.0.1:{canary.port}/x">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">
  <rdf:Description rdf:about="http://a"><ex:p>&file;&net;</ex:p></rdf:Description>
</rdf:RDF>"""
    path = write(tmp_path, "evil.rdf", xml)
    try:
        loaded = load_files([path])
        assert "SECRET" not in loaded.union().serialize(format="nt")
    except InputError as exc:
        assert str(path) in str(exc)
    assert canary.hits == 0


def test_rdfxml_entity_expansion_is_bounded(tmp_path: Path) -> None:
    lol = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    xml = f"""<?xml version="1.0"?><!DOCTYPE rdf:RDF [{lol}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">
  <rdf:Description rdf:about="http://a"><ex:p>&i;</ex:p></rdf:Description></rdf:RDF>"""
    path = write(tmp_path, "bomb.rdf", xml)
    try:
        loaded = load_files([path])
        longest = max(len(str(o)) for o in loaded.union().objects())
        assert longest < 10_000_000
    except InputError as exc:
        assert str(path) in str(exc)


def test_jsonld_remote_context_is_not_fetched(tmp_path: Path, canary: Canary) -> None:
    doc = (
        f'{{"@context": "http://127.0.0.1:{canary.port}/ctx.jsonld", "@id": "http://a", "p": "x"}}'
    )
    path = write(tmp_path, "remote.jsonld", doc)
    with pytest.raises(InputError) as err:
        load_files([path])
    assert str(path) in str(err.value)
    assert canary.hits == 0
