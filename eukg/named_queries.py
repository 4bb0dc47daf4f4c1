"""Named queries: ``queries/*.rq`` files with a grlc-style YAML header.

A file is plain SPARQL that runs unchanged in any tool, preceded by ``#+ `` lines holding YAML::

    #+ summary: What a document cites, with the citing passage and the reference as written
    #+ description: One row per citation …
    #+ tags: [citations]
    #+ pagination: 50
    #+ params:
    #+   doc:
    #+     type: iri
    #+     default: https://w3id.org/eukg/id/doc/convergence-conclusions-2008
    #+     description: The citing document.

The file stem is the query's name and route. Header keys form a closed set (an unknown key is an
error); every parameter names a variable of the query (``?doc``) and is bound as an RDF term of
its type — never pasted into the query text. Bad headers and bad SPARQL raise
:class:`QueryDefinitionError` when the files are loaded (a test loads them all).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import yaml

from eukg.errors import KGError, QueryDefinitionError, QueryParameterError

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "string", "date", "integer", "year")
HEADER_KEYS = {"summary", "description", "tags", "params", "pagination", "method"}
PARAM_KEYS = {"type", "required", "default", "enum", "description", "example"}
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)
_TRAILING_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Param:
    """A typed parameter of a named query."""

    name: str
    type: str
    description: str
    required: bool = False
    default: str | None = None
    enum: tuple[str, ...] = ()
    example: str | None = None

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a user-supplied value, or :class:`QueryParameterError`."""
        if self.enum and raw not in self.enum:
            allowed = ", ".join(self.enum)
            raise QueryParameterError(f"parameter {self.name!r}: {raw!r} is not one of {allowed}")
        if self.type == "iri":
            if (
                not raw
                or _IRI_FORBIDDEN.search(raw)
                or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw)
            ):
                raise QueryParameterError(
                    f"parameter {self.name!r}: {raw!r} is not an absolute IRI"
                )
            try:
                return ox.NamedNode(raw)
            except ValueError as exc:
                raise QueryParameterError(f"parameter {self.name!r}: {exc}") from None
        if self.type == "string":
            if "\x00" in raw:
                raise QueryParameterError(f"parameter {self.name!r}: NUL character not allowed")
            return ox.Literal(raw)
        if self.type == "date":
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                    raise ValueError("expected YYYY-MM-DD")
                date.fromisoformat(raw)
            except ValueError as exc:
                raise QueryParameterError(
                    f"parameter {self.name!r}: {raw!r} is not a date ({exc})"
                ) from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
        if self.type in ("integer", "year"):
            if not re.fullmatch(r"-?\d{1,9}", raw):
                raise QueryParameterError(f"parameter {self.name!r}: {raw!r} is not an integer")
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
        raise QueryParameterError(f"parameter {self.name!r}: unknown type {self.type!r}")


@dataclass(frozen=True)
class NamedQuery:
    """A query file, parsed and checked."""

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    pagination: int | None
    form: str
    sparql: str
    path: Path

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise QueryParameterError(f"query {self.name!r} has no parameter {name!r}")

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Variable name → RDF term for ``values`` plus defaults; checks every value.

        Unknown parameter names and missing required parameters are errors.
        """
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise QueryParameterError(
                f"query {self.name!r} has no parameter {unknown[0]!r} (parameters: {allowed})"
            )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                if p.required:
                    raise QueryParameterError(
                        f"query {self.name!r}: parameter {p.name!r} is required"
                    )
                continue
            bound[p.name] = p.term(raw)
        return bound

    def with_values(self, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
        """The query text with ``VALUES`` blocks binding ``bound`` — standard SPARQL that any
        endpoint runs. Terms are written by pyoxigraph (escaped); see :mod:`eukg.stores.binding`
        for where the blocks go."""
        if not bound:
            return self.sparql
        from eukg.stores.binding import bind_variables

        return bind_variables(self.sparql, bound).text

    def paginated(self, limit: int, offset: int) -> str:
        """The query text with ``LIMIT`` and ``OFFSET`` appended."""
        return f"{self.sparql.rstrip()}\nLIMIT {int(limit)}\nOFFSET {int(offset)}\n"

    def counting(self) -> str:
        """A query counting the rows of this (SELECT) query: ``SELECT (COUNT(*) AS ?total)``."""
        prologue, body = split_prologue(self.sparql)
        return f"{prologue}SELECT (COUNT(*) AS ?total) WHERE {{\n{body}\n}}\n"


def split_prologue(sparql: str) -> tuple[str, str]:
    """(the PREFIX/BASE lines and comments at the top, the rest)."""
    lines = sparql.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#") or re.match(r"(?i)^(PREFIX|BASE)\b", stripped):
            i += 1
            continue
        break
    return "".join(lines[:i]), "".join(lines[i:])


def parse_query_file(path: Path) -> NamedQuery:
    """Parse and check one ``.rq`` file."""
    name = path.stem
    if not _NAME.match(name):
        raise QueryDefinitionError(
            f"{path}: file name must be kebab-case ([a-z0-9-]), got {name!r}"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryDefinitionError(f"{path}: cannot read: {exc}") from None
    header_lines = []
    body_lines = []
    for line in text.splitlines():
        if line.startswith("#+") and not body_lines:
            header_lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        else:
            body_lines.append(line)
    try:
        meta = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryDefinitionError(f"{path}: the '#+' header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise QueryDefinitionError(f"{path}: the '#+' header must be a YAML mapping")
    unknown = sorted(set(meta) - HEADER_KEYS)
    if unknown:
        raise QueryDefinitionError(
            f"{path}: unknown header key {unknown[0]!r} (allowed: {', '.join(sorted(HEADER_KEYS))})"
        )
    summary = meta.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise QueryDefinitionError(f"{path}: the header needs a 'summary' (a sentence)")
    sparql = "\n".join(body_lines).strip() + "\n"
    form_match = _FORM.search(split_prologue(sparql)[1])
    if not form_match:
        raise QueryDefinitionError(f"{path}: not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    form = form_match.group(1).lower()
    params = tuple(_parse_params(path, meta.get("params") or {}, sparql))
    pagination = meta.get("pagination")
    if pagination is not None:
        if not isinstance(pagination, int) or isinstance(pagination, bool) or pagination <= 0:
            raise QueryDefinitionError(f"{path}: 'pagination' must be a positive page size")
        if form != "select":
            raise QueryDefinitionError(f"{path}: only SELECT queries can be paginated")
        if _TRAILING_LIMIT.search(_strip_comments(sparql)):
            raise QueryDefinitionError(
                f"{path}: a paginated query must not end with LIMIT/OFFSET (the API adds them)"
            )
    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise QueryDefinitionError(f"{path}: 'tags' must be a list of strings")
    method = meta.get("method", "GET")
    if method != "GET":
        raise QueryDefinitionError(f"{path}: only 'method: GET' is supported")
    query = NamedQuery(
        name=name,
        summary=summary.strip(),
        description=str(meta.get("description") or "").strip(),
        tags=tuple(tags),
        params=params,
        pagination=pagination,
        form=form,
        sparql=sparql,
        path=path,
    )
    _check_sparql(query)
    return query


def _parse_params(path: Path, raw: object, sparql: str) -> list[Param]:
    if not isinstance(raw, dict):
        raise QueryDefinitionError(f"{path}: 'params' must be a mapping of name → settings")
    params = []
    for name, spec in raw.items():
        if not isinstance(name, str) or not _VAR.match(name):
            raise QueryDefinitionError(
                f"{path}: parameter name {name!r} is not a SPARQL variable name"
            )
        if not isinstance(spec, dict):
            raise QueryDefinitionError(f"{path}: parameter {name!r} must be a mapping")
        unknown = sorted(set(spec) - PARAM_KEYS)
        if unknown:
            raise QueryDefinitionError(f"{path}: parameter {name!r}: unknown key {unknown[0]!r}")
        type_ = spec.get("type")
        if type_ not in PARAM_TYPES:
            raise QueryDefinitionError(
                f"{path}: parameter {name!r}: type must be one of {', '.join(PARAM_TYPES)}"
            )
        if not re.search(rf"[?$]{re.escape(name)}\b", sparql):
            raise QueryDefinitionError(
                f"{path}: parameter {name!r} is not a variable (?{name}) of the query"
            )
        description = spec.get("description")
        if not isinstance(description, str) or not description.strip():
            raise QueryDefinitionError(f"{path}: parameter {name!r} needs a 'description'")
        enum = spec.get("enum") or []
        default = spec.get("default")
        example = spec.get("example")
        param = Param(
            name=name,
            type=type_,
            description=description.strip(),
            required=bool(spec.get("required", False)),
            default=None if default is None else str(default),
            enum=tuple(str(e) for e in enum),
            example=None if example is None else str(example),
        )
        for value in (param.default, param.example, *param.enum):
            if value is not None:
                try:
                    param.term(value)
                except QueryParameterError as exc:
                    raise QueryDefinitionError(f"{path}: {exc}") from None
        if param.required and param.default is not None:
            raise QueryDefinitionError(f"{path}: parameter {name!r} is required but has a default")
        params.append(param)
    return params


def _strip_comments(sparql: str) -> str:
    return "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))


def _check_sparql(query: NamedQuery) -> None:
    """Check the query with the endpoint's guard (no update, no SERVICE), then parse it by
    running it on an empty in-memory store (cheap, no I/O)."""
    from eukg.sparql_guard import check_query

    try:
        check_query(query.sparql, ())
    except KGError as exc:
        raise QueryDefinitionError(f"{query.path}: {exc}") from None
    texts = [query.sparql]
    if query.pagination:
        texts += [query.paginated(10, 0), query.counting()]
    for text in texts:
        try:
            result = ox.Store().query(text)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except SyntaxError as exc:
            raise QueryDefinitionError(f"{query.path}: SPARQL syntax error: {exc}") from None


def load_named_queries(folder: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` of ``folder`` by name, sorted. Raises on the first bad file."""
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        q = parse_query_file(path)
        queries[q.name] = q
    return queries
