"""IRIs of the vocabularies eukg uses, in one place."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

#: The canonical base of every IRI eukg mints. Data is written with it; a deployment may
#: rewrite it to its own base at build time (``EUKG_BASE_IRI``).
CANONICAL_BASE = "https://w3id.org/eukg/"
ONTOLOGY_IRI = CANONICAL_BASE + "ontology"

EUKG = Namespace(ONTOLOGY_IRI + "#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CDM = Namespace("http://publications.europa.eu/ontology/cdm#")
RT = Namespace("http://publications.europa.eu/resource/authority/resource-type/")
CB = Namespace("http://publications.europa.eu/resource/authority/corporate-body/")
LANG = Namespace("http://publications.europa.eu/resource/authority/language/")
EV = Namespace("http://eurovoc.europa.eu/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
VANN = Namespace("http://purl.org/vocab/vann/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: Named graphs the build writes besides the source graphs of ``data/``.
GRAPH_ONTOLOGY = CANONICAL_BASE + "id/graph/ontology"
GRAPH_INFERRED = CANONICAL_BASE + "id/graph/inferred"

#: Prefixes offered to SPARQL users and used when serialising Turtle.
PREFIXES: dict[str, str] = {
    "eukg": str(EUKG),
    "eli": str(ELI),
    "cdm": str(CDM),
    "rt": str(RT),
    "cb": str(CB),
    "lang": str(LANG),
    "ev": str(EV),
    "org": str(ORG),
    "oa": str(OA),
    "nif": str(NIF),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every prefix in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
