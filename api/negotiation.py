"""Content negotiation: ``Accept`` parsing with q-values, the ``format`` parameter, and the tables
that map media types to the store's format names.

The store (:mod:`eukg.stores.base`) names result formats ``json | xml | csv | tsv`` and graph
formats ``turtle | ntriples | rdfxml | jsonld | nquads | trig``; this module only decides which
one a client gets. Choosing follows RFC 9110 §12.5.1: the most specific media range that matches
an offer gives its quality; the offer with the highest quality wins, ties go to the server's
order of preference (the order of the tables below); ``q=0`` excludes an offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from eukg.errors import KGError
from eukg.stores.base import GRAPH_FORMATS as GRAPH_FORMAT_NAMES
from eukg.stores.base import MEDIA_TYPES
from eukg.stores.base import RESULTS_FORMATS as RESULTS_FORMAT_NAMES


class NotAcceptable(KGError):
    """No representation the client accepts exists (HTTP 406). ``offers`` lists what does."""

    def __init__(self, message: str, offers: Sequence[str]) -> None:
        super().__init__(message)
        self.offers = tuple(offers)


class BadFormatParameter(KGError):
    """The ``format`` parameter names no known format, or one this result cannot take (400)."""


class Kind(Enum):
    """What a query or a route produces."""

    RESULTS = "results"  #: SELECT and ASK: SPARQL result sets
    GRAPH = "graph"  #: CONSTRUCT and DESCRIBE, RDF descriptions
    DATASET = "dataset"  #: whole datasets (dumps)


@dataclass(frozen=True)
class Format:
    """One representation: the store's name for it, its media type, its file extension."""

    name: str
    media_type: str
    extension: str
    #: Other media types a client may ask for and get this format under its own media type.
    aliases: tuple[str, ...] = ()
    #: Short names accepted by the ``format`` parameter (besides the media types).
    tokens: tuple[str, ...] = ()


#: Media types clients send for a format besides those of :data:`MEDIA_TYPES` (browsers send
#: ``application/xml``; SPARQLWrapper sends ``text/rdf+n3`` and ``application/turtle``).
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "turtle": ("application/turtle", "text/n3", "text/rdf+n3"),
    "ntriples": ("text/plain",),
    "rdfxml": ("application/xml", "text/xml"),
    "jsonld": ("application/json",),
}
#: Short names of the ``format`` parameter, in the order tried. SPARQLWrapper sends
#: ``json-ld``, ``rdf+xml`` and ``n3``; ``xml`` and ``json`` name a result format for SELECT/ASK
#: and a graph format for CONSTRUCT/DESCRIBE.
TOKENS: dict[str, tuple[str, ...]] = {
    "json": ("json",),
    "xml": ("xml",),
    "csv": ("csv",),
    "tsv": ("tsv",),
    "turtle": ("turtle", "ttl", "n3"),
    "ntriples": ("ntriples", "nt"),
    "rdfxml": ("rdfxml", "rdf", "xml", "rdf+xml"),
    "jsonld": ("jsonld", "json", "json-ld"),
    "nquads": ("nquads", "nq"),
    "trig": ("trig",),
}


def _format(name: str) -> Format:
    """Our view of the store's format ``name`` (see :data:`eukg.stores.base.MEDIA_TYPES`)."""
    base = MEDIA_TYPES[name]
    aliases = tuple(dict.fromkeys((*base.aliases, *EXTRA_ALIASES.get(name, ()))))
    return Format(name, base.media_type, base.extension, aliases, TOKENS[name])


#: SPARQL result formats in the server's order of preference (JSON first).
RESULT_FORMATS: tuple[Format, ...] = tuple(_format(n) for n in RESULTS_FORMAT_NAMES)

#: RDF graph formats in the server's order of preference (Turtle first). N-Quads and TriG are
#: offered last: a graph written in them is valid but they are meant for datasets.
GRAPH_FORMATS: tuple[Format, ...] = tuple(_format(n) for n in GRAPH_FORMAT_NAMES)

#: Dataset formats (the dumps), N-Quads first.
DATASET_FORMATS: tuple[Format, ...] = (GRAPH_FORMATS[4], GRAPH_FORMATS[5])

#: The HTML representation of linked-data resources and pages.
HTML = Format("html", "text/html", "html", ("application/xhtml+xml",), ("html",))

FORMATS_BY_KIND: dict[Kind, tuple[Format, ...]] = {
    Kind.RESULTS: RESULT_FORMATS,
    Kind.GRAPH: GRAPH_FORMATS,
    Kind.DATASET: DATASET_FORMATS,
}

#: Graph formats by file extension, for ``/data/{path}.{ext}`` and ``/ontology.{ext}``.
GRAPH_BY_EXTENSION: dict[str, Format] = {f.extension: f for f in GRAPH_FORMATS[:4]}


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    #: 3 for ``type/subtype``, 2 for ``type/*``, 1 for ``*/*`` (higher is more specific).
    specificity: int

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == main and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are ignored (RFC 9110 lets
    a server ignore what it cannot parse). An absent or empty header is ``*/*``."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0, 1)]
    ranges: list[MediaRange] = []
    for element in header.split(","):
        parts = [p.strip() for p in element.split(";")]
        media = parts[0].lower()
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if not 0.0 <= q <= 1.0:
            continue
        specificity = 1 if main == "*" else 2 if sub == "*" else 3
        ranges.append(MediaRange(main, sub, q, specificity))
    return ranges


def _quality(ranges: Sequence[MediaRange], offer: Format) -> float:
    """The quality the client gives to ``offer``: the q of the most specific range matching its
    media type; an alias counts only when the client names it exactly (``text/*`` must not
    pick XML results through ``text/xml``)."""
    matching = [r for r in ranges if r.matches(offer.media_type)]
    best = 0.0
    if matching:
        top = max(r.specificity for r in matching)
        best = max(r.q for r in matching if r.specificity == top)
    for alias in offer.aliases:
        named = [r.q for r in ranges if r.specificity == 3 and r.matches(alias)]
        if named:
            best = max(best, max(named))
    return best


def choose(accept: str | None, offers: Sequence[Format]) -> Format:
    """The offer the client prefers; :class:`NotAcceptable` when it accepts none of them."""
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for offer in offers:
        q = _quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        available = [o.media_type for o in offers]
        raise NotAcceptable(
            f"none of the media types in 'Accept: {accept}' can be produced here; "
            f"available: {', '.join(available)} (or use the format parameter)",
            available,
        )
    return best


def from_parameter(value: str, offers: Sequence[Format], what: str) -> Format:
    """The offer named by a ``format`` parameter (a short name or a media type).

    ``what`` names the result in the error message (``"SELECT results"``).
    """
    wanted = value.strip().lower()
    for offer in offers:
        if wanted in offer.tokens or wanted == offer.media_type or wanted in offer.aliases:
            return offer
    known = sorted({t for fmts in FORMATS_BY_KIND.values() for f in fmts for t in f.tokens})
    if not any(wanted in f.tokens or wanted == f.media_type for f in ALL_FORMATS):
        raise BadFormatParameter(
            f"format={value!r} is not a known format; use one of {', '.join(known)} or a media type"
        )
    names = ", ".join(o.tokens[0] for o in offers)
    raise BadFormatParameter(f"format={value!r} is not available for {what}; use one of {names}")


def negotiate(accept: str | None, format_param: str | None, kind: Kind, what: str) -> Format:
    """The format for a ``kind`` of result: the ``format`` parameter when given, else ``Accept``."""
    offers = FORMATS_BY_KIND[kind]
    if format_param:
        return from_parameter(format_param, offers, what)
    return choose(accept, offers)


def pick(accept: str | None, formats: tuple[str, ...], kind: Kind, what: str) -> Format:
    """The format for ``kind``: the first ``format`` value that fits, else by ``Accept``."""
    if not formats:
        return negotiate(accept, None, kind, what)
    first_error: BadFormatParameter | None = None
    for value in formats:
        try:
            return negotiate(accept, value, kind, what)
        except BadFormatParameter as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


ALL_FORMATS: tuple[Format, ...] = (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)
