"""Linked data: IRIs dereference with 303 and content negotiation, descriptions in every RDF
format, HTML pages with the text of a document, the ontology and its documentation, the dumps
and the VoID description, and a deployment base other than the canonical one."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from api.app import create_app
from eukg.namespaces import DCAT, VOID
from eukg.stores.embedded import EmbeddedStore
from tests.api.conftest import FIXTURE_DATA, Release, make_settings
from tests.api.release import write_release
from tests.helpers import ROOT

EUKG = "https://w3id.org/eukg/ontology#"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
TEXT = URIRef(EUKG + "text")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORMATS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Checker(HTMLParser):
    """Fails on unbalanced tags and duplicate ids: the checks of HTML5 validity that matter for
    generated pages (the templates cannot produce the rest wrong)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.problems: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                if value in self.ids:
                    self.problems.append(f"duplicate id {value!r}")
                self.ids.add(value)
            if name == "href" and value is not None:
                self.hrefs.append(value)
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def html(text: str) -> str:
    """``text`` as the templates write it (autoescaped)."""
    return str(escape(text))


def check_html(text: str) -> _Checker:
    assert text.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(text)
    assert not checker.problems, checker.problems[:5]
    assert checker.stack == [], checker.stack
    return checker


# ----------------------------------------------------------------------------- 303 and conneg


@pytest.mark.parametrize("which", ["doc", "nested"])
def test_an_iri_redirects_by_accept(client: TestClient, release: Release, which: str) -> None:
    iri = getattr(release, which)
    path = release.local(iri)
    r = client.get(f"/id/{path}", headers={"accept": "text/turtle"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/data/{path}.ttl")
    assert "Accept" in r.headers["vary"]
    html = client.get(f"/id/{path}", headers={"accept": BROWSER}, follow_redirects=False)
    assert html.status_code == 303 and html.headers["location"].endswith(f"/doc/{path}")
    for media_type, (ext, _) in FORMATS.items():
        r = client.get(f"/id/{path}", headers={"accept": media_type}, follow_redirects=False)
        assert r.headers["location"].endswith(f".{ext}")


@pytest.mark.parametrize("media_type", sorted(FORMATS))
def test_an_iri_with_accept_returns_its_description(
    client: TestClient, release: Release, media_type: str
) -> None:
    path = release.local(release.nested)
    r = client.get(f"/id/{path}", headers={"accept": media_type})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
    g = Graph().parse(data=r.content, format=FORMATS[media_type][1])
    assert (URIRef(release.nested), TEXT, Literal(release.nested_text)) in g


def test_a_description_holds_the_links_to_it_and_what_it_contains(
    client: TestClient, release: Release
) -> None:
    r = client.get(f"/data/{release.local(release.doc)}.ttl")
    g = Graph().parse(data=r.content, format="turtle")
    assert (URIRef(release.part), TEXT, Literal(release.part_text)) in g  # a part, nested
    assert (URIRef(release.nested), TEXT, Literal(release.nested_text)) in g
    assert any(g.triples((None, None, URIRef(release.doc))))  # links to it
    cited = client.get(f"/data/{release.local(release.cited)}.nt")
    assert (URIRef(release.doc), URIRef(EUKG + "cites"), URIRef(release.cited)) in Graph().parse(
        data=cited.content, format="nt"
    )


def test_data_without_extension_is_negotiated(client: TestClient, release: Release) -> None:
    path = release.local(release.doc)
    r = client.get(f"/data/{path}", headers={"accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.headers["content-location"].endswith(f"/data/{path}.jsonld")
    assert "Accept" in r.headers["vary"]


def test_unknown_iris_are_404(client: TestClient, release: Release) -> None:
    for url in (
        "/id/doc/no-such-document",
        "/data/doc/no-such-document.ttl",
        "/doc/doc/no-such-document",
    ):
        r = client.get(url, headers={"accept": "text/turtle"})
        assert r.status_code == 404 and "nothing about" in r.json()["detail"], url
    page = client.get("/doc/doc/no-such-document", headers={"accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


# ----------------------------------------------------------------------------- pages


def test_the_page_of_a_document_shows_its_parts_and_citations(
    client: TestClient, release: Release
) -> None:
    r = client.get(f"/id/{release.local(release.doc)}", headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = check_html(r.text)
    assert html(release.part_text) in r.text
    assert html(release.nested_text) in r.text
    assert f"/id/{release.local(release.cited)}" in page.hrefs  # the cited work, linked locally
    assert f"/id/{release.local(release.nested)}" in page.hrefs  # parts are linked
    assert not any(h.startswith(release.base_iri + "id/") for h in page.hrefs)
    # parts come in document order: the citing part before the nested one
    assert r.text.index(html(release.part_text)) < r.text.index(html(release.nested_text))
    assert "Cites" in r.text
    cited = client.get(f"/doc/{release.local(release.cited)}")
    assert "Cited by" in cited.text and f"/id/{release.local(release.doc)}" in cited.text


def test_the_page_of_a_part_shows_its_text(client: TestClient, release: Release) -> None:
    r = client.get(f"/doc/{release.local(release.nested)}")
    check_html(r.text)
    assert html(release.nested_text) in r.text


def test_home_page_lists_documents(client: TestClient, release: Release) -> None:
    r = client.get("/")
    page = check_html(r.text)
    assert f"/id/{release.local(release.doc)}" in page.hrefs
    assert any(h.endswith("/dumps/eukg.ttl") for h in page.hrefs)


# ----------------------------------------------------------------------------- ontology


def test_the_ontology_in_rdf(client: TestClient) -> None:
    for media_type, (ext, fmt) in FORMATS.items():
        r = client.get("/ontology", headers={"accept": media_type})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
        assert r.headers["content-location"].endswith(f"/ontology.{ext}")
        g = Graph().parse(data=r.content, format=fmt)
        assert (URIRef("https://w3id.org/eukg/ontology"), RDF.type, OWL.Ontology) in g
        assert (URIRef(EUKG + "Citation"), RDF.type, OWL.Class) in g
    assert client.get("/ontology.ttl").headers["content-type"].startswith("text/turtle")


def test_the_ontology_documentation_documents_a_term(client: TestClient) -> None:
    r = client.get("/ontology", headers={"accept": BROWSER})
    page = check_html(r.text)
    assert {"Citation", "cites", "citedBy", "text", "classes"} <= page.ids
    section = r.text[r.text.index('id="cites"') :][:3000]
    assert "Relates a document or a part of a document to a work" in section  # definition
    assert 'href="#citedBy"' in section  # inverse, linked to its anchor
    assert "eli:cites" in section  # alignment
    assert "∘" in section  # property chain
    citation = r.text[r.text.index('id="Citation"') :][:3000]
    assert "oa:Annotation" in citation and "disjoint with" in citation


# ----------------------------------------------------------------------------- dumps and VoID


@pytest.mark.parametrize(
    ("name", "media_type", "fmt"),
    [
        ("eukg.ttl", "text/turtle", "turtle"),
        ("eukg.nt", "application/n-triples", "nt"),
        ("eukg.jsonld", "application/ld+json", "json-ld"),
        ("eukg.nq", "application/n-quads", "nquads"),
        ("eukg.trig", "application/trig", "trig"),
    ],
)
def test_dumps(client: TestClient, release: Release, name: str, media_type: str, fmt: str) -> None:
    r = client.get(f"/dumps/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
    assert r.content == (release.path / "dumps" / name).read_bytes()
    if fmt in ("turtle", "nt"):
        g = Graph().parse(data=r.content, format=fmt)
        assert (URIRef(release.part), TEXT, Literal(release.part_text)) in g


def test_void_counts_licence_version_and_distributions(
    client: TestClient, release: Release
) -> None:
    r = client.get("/void")
    g = Graph().parse(data=r.content, format="turtle")
    dataset = next(g.subjects(RDF.type, VOID.Dataset))
    counts = json.loads((release.path / "build.json").read_text())["counts"]
    assert g.value(dataset, VOID.triples) == Literal(counts["default_graph"], datatype=XSD_INTEGER)
    assert g.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert g.value(dataset, OWL.versionInfo) is not None
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    downloads = {str(g.value(d, DCAT.downloadURL)) for d in g.objects(dataset, DCAT.distribution)}
    assert {
        f"http://testserver/dumps/eukg.{x}" for x in ("ttl", "nt", "jsonld", "nq", "trig")
    } == downloads
    for dist in g.objects(dataset, DCAT.distribution):
        assert str(g.value(dist, DCAT.mediaType)).startswith(
            "http://www.iana.org/assignments/media-types/"
        )
    jsonld = client.get("/void", headers={"accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.content, format="json-ld")) == len(g)


# ----------------------------------------------------------------------------- deployment base


def test_a_deployment_base_makes_iris_resolve_where_it_runs(tmp_path: Path) -> None:
    base = "http://localhost:8123/kg/"
    release = write_release(
        tmp_path / "rebased",
        sorted(FIXTURE_DATA.glob("*.trig")),
        sorted((ROOT / "ontology").glob("*.ttl")),
        base_iri=base,
    )
    store = EmbeddedStore(release / "store", 1, 4)
    try:
        app = create_app(make_settings(tmp_path, base), store, queries={}, release=release)
        with TestClient(app) as c:
            path = "doc/convergence-conclusions-2008/par_2/pnt_1"
            r = c.get(f"/id/{path}", headers={"accept": "text/turtle"})
            g = Graph().parse(data=r.content, format="turtle")
            assert (URIRef(base + "id/" + path), TEXT, None) in g
            page = c.get(f"/doc/{path}")
            assert 'href="/id/doc/convergence-conclusions-2008/par_2/pnt_1/pnt_1"' in page.text
            assert "https://w3id.org/eukg/id/" not in page.text
            void = Graph().parse(data=c.get("/void").content, format="turtle")
            assert Literal(base + "id/") in set(void.objects(None, VOID.uriSpace))
    finally:
        store.close()
