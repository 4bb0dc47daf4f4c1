"""IRIs and the local URLs that serve them.

Instance IRIs are ``{base_iri}id/{path}``; this service answers for them at ``/id/{path}``
wherever it runs, so links in pages point to local paths. The ontology IRI (a hash namespace)
is served at ``/ontology`` and its terms at ``/ontology#Term``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from api.errors import NotFound
from eukg.namespaces import ONTOLOGY_IRI, PREFIXES

#: Characters left as they are in local paths (RFC 3986 pchar, plus ``/``).
_SAFE = "/()!$&'*+,;=:@-._~"


def quote_path(path: str) -> str:
    """``path`` percent-encoded for use in a URL path (``/`` and sub-delimiters kept)."""
    return quote(path, safe=_SAFE)


@dataclass(frozen=True)
class Linker:
    """Turns IRIs into local links and short names, for one base IRI and mount point."""

    base_iri: str
    #: The ASGI ``root_path`` the app is mounted under ("" at the top).
    root: str = ""

    @property
    def id_space(self) -> str:
        return self.base_iri + "id/"

    def iri_for(self, path: str) -> str:
        """The instance IRI served at ``/id/{path}``; :class:`NotFound` when it is not an IRI."""
        iri = self.id_space + path
        if not path or path.startswith("/") or "//" in path:
            raise NotFound(f"/id/{path} is not the path of an IRI of this graph")
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise NotFound(f"/id/{path} is not the path of an IRI of this graph") from None
        return iri

    def local_path(self, iri: str) -> str | None:
        """The path after ``/id/`` for one of our instance IRIs, else ``None``."""
        if iri.startswith(self.id_space) and len(iri) > len(self.id_space):
            return iri[len(self.id_space) :]
        return None

    def url(self, path: str) -> str:
        """A local URL (``path`` starts with ``/``) under the mount point."""
        return self.root + path

    def href(self, iri: str) -> str | None:
        """Where a page links for ``iri``: a local path for ours, the IRI itself for http(s)
        IRIs of others, ``None`` for anything else (``urn:``, ``mailto:``)."""
        local = self.local_path(iri)
        if local is not None:
            return self.url("/id/" + quote_path(local))
        if iri == ONTOLOGY_IRI:
            return self.url("/ontology")
        if iri.startswith(ONTOLOGY_IRI + "#"):
            return self.url("/ontology#" + quote(iri[len(ONTOLOGY_IRI) + 1 :], safe=_SAFE))
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def curie(self, iri: str) -> str:
        """``prefix:local`` for IRIs in a known namespace, ``id:path`` for ours, else the IRI."""
        local = self.local_path(iri)
        if local is not None:
            return "id:" + local
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                rest = iri[len(namespace) :]
                if "/" not in rest and "#" not in rest:
                    return f"{prefix}:{rest}"
        return iri

    def anchor(self, iri: str) -> str:
        """An HTML ``id`` for a part of the page's resource: its path with ``/`` as ``-``."""
        local = self.local_path(iri) or iri
        return "r-" + quote(local.replace("/", "-"), safe="-._~()")
