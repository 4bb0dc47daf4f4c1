"""RDF descriptions of the service itself: the SPARQL 1.1 Service Description of the endpoint
and the VoID + DCAT description of the dataset and its dumps."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from api.negotiation import Format
from eukg import __version__
from eukg.build import DUMP_FORMATS
from eukg.namespaces import DCAT, EUKG, PREFIXES, SD, VOID

FORMATS_NS = "http://www.w3.org/ns/formats/"
#: W3C format IRIs (http://www.w3.org/ns/formats/) by the store's format name.
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
    "nquads": "N-Quads",
    "trig": "TriG",
}
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "http://www.iana.org/assignments/media-types/"
#: rdflib serialiser names by the store's format name.
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}
#: What each dump holds, by file name.
DUMP_TITLES = {
    "eukg.nq": ("N-Quads", "the whole dataset: the default graph and every named graph"),
    "eukg.trig": ("TriG", "the whole dataset: the default graph and every named graph"),
    "eukg.ttl": ("Turtle", "the default graph (every asserted and inferred triple)"),
    "eukg.nt": ("N-Triples", "the default graph (every asserted and inferred triple)"),
    "eukg.jsonld": ("JSON-LD", "the default graph (every asserted and inferred triple)"),
}
DUMP_MEDIA_TYPES = {
    "eukg.nq": "application/n-quads",
    "eukg.trig": "application/trig",
    "eukg.ttl": "text/turtle",
    "eukg.nt": "application/n-triples",
    "eukg.jsonld": "application/ld+json",
}


def _graph() -> Graph:
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    g.bind("sd", str(SD))
    g.bind("void", str(VOID))
    g.bind("dcat", str(DCAT))
    return g


def serialize(graph: Graph, fmt: Format) -> bytes:
    """``graph`` in one of the RDF document formats (Turtle, N-Triples, RDF/XML, JSON-LD)."""
    return graph.serialize(format=RDFLIB_FORMATS[fmt.name], encoding="utf-8")


def service_description(
    endpoint: str,
    triples: int,
    result_formats: list[str],
    void_url: str,
) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    g = _graph()
    service = URIRef(endpoint + "#service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in result_formats:
        g.add((service, SD.resultFormat, URIRef(FORMATS_NS + FORMAT_IRIS[name])))
    g.add(
        (
            service,
            SD.defaultEntailmentRegime,
            URIRef("http://www.w3.org/ns/entailment/Simple"),
        )
    )
    dataset = BNode("dataset")
    default = BNode("defaultGraph")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((service, DCTERMS.title, Literal("eukg SPARQL endpoint (read-only)", lang="en")))
    g.add((service, RDFS.seeAlso, URIRef(void_url)))
    return g


def void_description(
    *,
    service_root: str,
    base_iri: str,
    triples: int,
    build: Mapping[str, Any],
    dumps: Mapping[str, Path],
) -> Graph:
    """VoID and DCAT description of the dataset; ``service_root`` ends with ``/``."""
    g = _graph()
    dataset = URIRef(service_root + "void#dataset")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("eukg: EU internal security instruments", lang="en")))
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "A linked-data knowledge graph of EU internal security instruments: documents, "
                "their parts and citations, organisations, meetings and objectives, each "
                "statement in the named graph of the source it was read in.",
                lang="en",
            ),
        )
    )
    g.add((dataset, DCTERMS.license, LICENCE))
    version = str(build.get("eukg_version") or __version__)
    g.add((dataset, OWL.versionInfo, Literal(version)))
    g.add((dataset, DCAT.version, Literal(version)))
    built_at = build.get("built_at")
    if isinstance(built_at, str):
        g.add((dataset, DCTERMS.modified, Literal(built_at, datatype=XSD.dateTime)))
    g.add((dataset, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(base_iri + "id/")))
    g.add((dataset, VOID.vocabulary, URIRef(str(EUKG))))
    endpoint = URIRef(service_root + "sparql")
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    service = URIRef(service_root + "void#sparql-service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.title, Literal("eukg SPARQL endpoint", lang="en")))
    for name in DUMP_FORMATS:
        path = dumps.get(name)
        if path is None:
            continue
        title, holds = DUMP_TITLES[name]
        url = URIRef(service_root + "dumps/" + name)
        dist = URIRef(service_root + "void#dump-" + name.rsplit(".", 1)[1])
        g.add((dataset, DCAT.distribution, dist))
        g.add((dataset, VOID.dataDump, url))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{title} dump: {holds}", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + DUMP_MEDIA_TYPES[name])))
        g.add((dist, DCTERMS.license, LICENCE))
        with contextlib.suppress(OSError):
            size = Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)
            g.add((dist, DCAT.byteSize, size))
    return g
