"""Query backends ("stores") behind the SPARQL endpoint.

:class:`EmbeddedStore` queries the built pyoxigraph store in worker processes;
:class:`RemoteStore` queries any SPARQL 1.1 endpoint through SPARQLWrapper, and
:func:`push_release` loads a build into a store with the Graph Store Protocol. Both implement
:class:`Store` and raise only :mod:`eukg.errors` classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eukg.stores.base import (
    GRAPH_FORMATS,
    MEDIA_TYPES,
    RESULTS_FORMATS,
    Format,
    QueryRequest,
    QueryResponse,
    ResultNotWritable,
    Store,
    StoreOverloaded,
)

if TYPE_CHECKING:
    from eukg.stores.embedded import EmbeddedStore
    from eukg.stores.remote import PushResult, RemoteStore, push_release

__all__ = [
    "GRAPH_FORMATS",
    "MEDIA_TYPES",
    "RESULTS_FORMATS",
    "EmbeddedStore",
    "Format",
    "PushResult",
    "QueryRequest",
    "QueryResponse",
    "RemoteStore",
    "ResultNotWritable",
    "Store",
    "StoreOverloaded",
    "push_release",
]

_LAZY = {
    "EmbeddedStore": "eukg.stores.embedded",
    "RemoteStore": "eukg.stores.remote",
    "PushResult": "eukg.stores.remote",
    "push_release": "eukg.stores.remote",
}


def __getattr__(name: str) -> object:
    """Backends are imported on first use (a worker process needs neither)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eukg.stores' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
