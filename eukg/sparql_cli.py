"""``eukg query``: run SPARQL against the built store in this process and format the answer."""

from __future__ import annotations

import pyoxigraph as ox

from eukg.build import store_path
from eukg.config import Settings
from eukg.errors import InputError, QuerySyntaxError, StoreError
from eukg.namespaces import PREFIXES
from eukg.stores.base import MEDIA_TYPES

#: The formats of the store layer, by kind (one table for the CLI and the HTTP service).
RESULT_FORMATS = {n: f.oxigraph for n, f in MEDIA_TYPES.items() if f.kind == "results"}
GRAPH_FORMATS = {n: f.oxigraph for n, f in MEDIA_TYPES.items() if f.kind == "graph"}


def open_store(settings: Settings) -> ox.Store:
    """The current build's store, opened read-only."""
    path = store_path(settings)
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store in {path}: {exc}") from None


def run_cli_query(settings: Settings, text: str, fmt: str) -> str:
    """The answer to ``text`` in ``fmt`` (table, json, csv, tsv, xml, turtle, ntriples, jsonld)."""
    from eukg.sparql_guard import check_query

    check_query(text, settings.service_allowlist)
    store = open_store(settings)
    try:
        result = store.query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:
        raise StoreError(f"query failed: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return f"{bool(result)}\n".lower()
        if fmt not in RESULT_FORMATS:
            raise InputError(f"format {fmt!r} does not apply to an ASK query")
        return result.serialize(format=RESULT_FORMATS[fmt]).decode("utf-8")
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return _table(result)
        if fmt not in RESULT_FORMATS:
            raise InputError(
                f"format {fmt!r} does not apply to a SELECT query (use table, "
                "json, csv, tsv or xml)"
            )
        return result.serialize(format=RESULT_FORMATS[fmt]).decode("utf-8")
    triples = list(result)
    if fmt == "table":
        fmt = "turtle"
    if fmt not in GRAPH_FORMATS:
        raise InputError(
            f"format {fmt!r} does not apply to a CONSTRUCT/DESCRIBE query (use "
            "turtle, ntriples or jsonld)"
        )
    prefixes = PREFIXES if fmt == "turtle" else None
    return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes).decode("utf-8")


def compact(term: object) -> str:
    """A short display form of a term: prefixed name, or the literal's text."""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and term.value[len(ns) :].replace("_", "a").isalnum():
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return "" if term is None else str(term)


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[compact(s[name]) for name in names] for s in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    widths = [min(w, 80) for w in widths]

    def line(cells: list[str]) -> str:
        out = []
        for cell, w in zip(cells, widths, strict=True):
            cell = cell.replace("\n", " ")
            out.append(cell if len(cell) <= w else cell[: w - 1] + "…")
        return " | ".join(c.ljust(w) for c, w in zip(out, widths, strict=True)).rstrip()

    lines = [line(names), "-+-".join("-" * w for w in widths)]
    lines += [line(r) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
