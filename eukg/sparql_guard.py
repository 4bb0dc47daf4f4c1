"""Inspecting SPARQL text without executing it: which query form it is, which endpoints its
``SERVICE`` clauses would call, and whether the public endpoint may run it.

The text is split by a real SPARQL 1.1 tokenizer (comments, short and long strings, IRIs,
prefixed names, blank nodes, variables, language tags), so a keyword only counts where the
grammar would read it as a keyword: ``"DROP ALL"``, ``<http://x/insert>``, ``ex:delete``,
``?load`` and ``# clear`` are not updates.

The checks are conservative where engines disagree. SPARQL 1.1 (section 19.2) lets ``\\u``
escapes stand for any character *before* parsing, which some engines (Jena) do and Oxigraph
does not (it decodes them only inside strings and IRIs). A query is therefore read both ways,
and refused when either reading holds an update or a ``SERVICE`` call that is not allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from eukg.errors import QueryRefused, QuerySyntaxError

QueryForm = Literal["select", "ask", "construct", "describe", "update"]

#: Keywords that start a SPARQL Update operation or only occur inside one. None of them is a
#: keyword of the query grammar, so one anywhere outside strings, IRIs and names is an update.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
QUERY_FORMS: dict[str, QueryForm] = {
    "SELECT": "select",
    "ASK": "ask",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
}

READ_ONLY_MESSAGE = "SPARQL Update is not allowed on this endpoint: it is read-only"

# Character classes of the SPARQL 1.1 grammar (section 19.8).
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_EXPONENT = r"[eE][+-]?[0-9]+"
#: A SPARQL variable name (VARNAME, without the leading '?').
VARIABLE_NAME = re.compile(_VARNAME)

_TOKEN_PATTERNS = [
    r"(?P<ws>\s+)",
    r"(?P<comment>\#[^\n\r]*)",
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*'''"
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*"""'
    r"|'(?:[^'\\\n\r]|\\[\s\S])*'"
    r'|"(?:[^"\\\n\r]|\\[\s\S])*")',
    f"(?P<var>[?$]{_VARNAME})",
    r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
    f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
    f"(?P<number>[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}"
    r"|[0-9]*\.[0-9]+|[0-9]+)",
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|<<\(|\)>>|<<|>>|\{\||\|\}|[{}()\[\];,.*+\-/!=<>^|?~])",
    r"(?P<other>[\s\S])",
]
_TOKEN = re.compile("|".join(_TOKEN_PATTERNS))
#: The same without prefixed names: used inside a run of name characters that no ':' ends.
_TOKEN_NO_PNAME = re.compile("|".join(p for p in _TOKEN_PATTERNS if "?P<pname>" not in p))
_PREFIX_START = re.compile(f"[{_PN_CHARS_BASE}]")
_NAME_RUN = re.compile(f"[{_PN_CHARS}.]*")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_URI = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S
)
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")

TokenKind = Literal[
    "ws", "comment", "iri", "string", "var", "langtag", "bnode", "pname", "number", "word",
    "punct", "other",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text as written, and where it is in the query text."""

    kind: TokenKind
    text: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        """Whether this is a bare word (keyword) equal to one of ``words``, ignoring case."""
        return self.kind == "word" and self.text.upper() in words


@dataclass(frozen=True)
class QueryInfo:
    """What :func:`inspect_query` found in a query."""

    #: The form of the request; ``update`` when any update keyword occurs.
    form: QueryForm
    #: The endpoints of ``SERVICE <iri>`` / ``SERVICE prefix:name`` clauses, resolved against
    #: BASE and the PREFIX declarations; a name that cannot be resolved is kept as written.
    service_iris: tuple[str, ...]
    #: Whether a ``SERVICE ?var`` clause occurs (the engine would call an endpoint chosen by
    #: the data, so it is always refused).
    variable_service: bool
    #: The PREFIX declarations, in order (later ones win).
    prefixes: tuple[tuple[str, str], ...]
    #: The last BASE declaration, resolved, or the base the caller gave.
    base_iri: str | None

    @property
    def prefix_map(self) -> dict[str, str]:
        """The PREFIX declarations as a dict (prefix without ':' -> namespace IRI)."""
        return dict(self.prefixes)


def tokenize(text: str, *, significant: bool = True) -> list[Token]:
    """The tokens of ``text``; whitespace and comments only when ``significant`` is false.

    Never fails: a character that starts no SPARQL token is an ``other`` token of its own
    (the engine will report the syntax error with its position).
    """
    tokens: list[Token] = []
    pos, no_pname_before = 0, 0
    while pos < len(text):
        pattern = _TOKEN
        if pos < no_pname_before:
            pattern = _TOKEN_NO_PNAME
        elif _PREFIX_START.match(text, pos):
            # A prefixed name ends its run of name characters with ':' (after no '.'). Where
            # the run does not, no position inside it starts one: skipping that alternative
            # there keeps tokenizing linear (``a.a.a…`` would otherwise be rescanned per token).
            end = _NAME_RUN.match(text, pos).end()  # type: ignore[union-attr]
            if not text.startswith(":", end) or text[end - 1] == ".":
                no_pname_before = end
                pattern = _TOKEN_NO_PNAME
        match = pattern.match(text, pos)
        assert match is not None and match.lastgroup is not None  # "other" matches anything
        pos = match.end()
        if significant and match.lastgroup in ("ws", "comment"):
            continue
        tokens.append(Token(match.lastgroup, match.group(), match.start(), pos))  # type: ignore[arg-type]
    return tokens


def inspect_query(text: str, *, base_iri: str | None = None) -> QueryInfo:
    """The form, ``SERVICE`` targets and prologue of ``text``, found without executing it.

    ``base_iri`` is the base the query will be parsed with (BASE declarations override it).
    Raises :class:`QuerySyntaxError` when the text is neither a query nor an update.
    """
    info = _inspect(text, base_iri)
    decoded = _decode_codepoint_escapes(text)
    if decoded != text:
        other = _inspect(decoded, base_iri, lenient=True)
        services = tuple(dict.fromkeys(info.service_iris + other.service_iris))
        info = QueryInfo(
            form="update" if other.form == "update" else info.form,
            service_iris=services,
            variable_service=info.variable_service or other.variable_service,
            prefixes=info.prefixes,
            base_iri=info.base_iri,
        )
    return info


def check_query(
    text: str, service_allowlist: Iterable[str] = (), *, base_iri: str | None = None
) -> QueryInfo:
    """:func:`inspect_query`, then refuse what the public endpoint must never run.

    Raises :class:`QueryRefused` for any SPARQL Update, for ``SERVICE ?var`` and for a
    ``SERVICE`` endpoint that is not in ``service_allowlist`` (compared as exact IRIs).
    Executes nothing and opens no connection.
    """
    info = inspect_query(text, base_iri=base_iri)
    _check_nesting(text)
    if info.form == "update":
        raise QueryRefused(READ_ONLY_MESSAGE)
    if info.variable_service:
        raise QueryRefused(
            "SERVICE ?variable is not allowed: the endpoint a query calls must be written as "
            "an allow-listed IRI"
        )
    allowed = frozenset(service_allowlist)
    for iri in info.service_iris:
        if iri not in allowed:
            why = (
                "only the endpoints the operator allow-listed may be called"
                if allowed
                else "this endpoint calls no other SPARQL endpoint"
            )
            raise QueryRefused(f"SERVICE <{iri}> is not allowed: {why}")
    return info


#: Groups, brackets and parentheses a query may nest at most. Real queries nest a handful of
#: levels; thousands make recursive parsers (Oxigraph's among them) exhaust their stack.
MAX_NESTING = 100
_OPENERS = frozenset("{([")
_CLOSERS = frozenset("})]")


def _check_nesting(text: str) -> None:
    """Raise :class:`QuerySyntaxError` when brackets nest deeper than :data:`MAX_NESTING`."""
    depth = 0
    for token in tokenize(text):
        if token.text in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                line, column = line_column(text, token.start)
                raise QuerySyntaxError(
                    f"error at {line}:{column}: the query nests groups, brackets or parentheses "
                    f"more than {MAX_NESTING} levels deep"
                )
        elif token.text in _CLOSERS:
            depth = max(0, depth - 1)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _inspect(text: str, base_iri: str | None, *, lenient: bool = False) -> QueryInfo:
    tokens = tokenize(text)
    base = base_iri
    prefixes: list[tuple[str, str]] = []
    i = 0
    # The prologue: BASE, PREFIX and (SPARQL 1.2) VERSION declarations.
    while i < len(tokens) and tokens[i].is_word("BASE", "PREFIX", "VERSION"):
        keyword = tokens[i].text.upper()
        if keyword == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = _resolve(_iri_value(tokens[i + 1].text), base)
            i += 2
        elif (
            keyword == "PREFIX"
            and i + 2 < len(tokens)
            and tokens[i + 1].kind == "pname"
            and tokens[i + 1].text.endswith(":")
            and tokens[i + 2].kind == "iri"
        ):
            namespace = _resolve(_iri_value(tokens[i + 2].text), base)
            prefixes.append((tokens[i + 1].text[:-1], namespace))
            i += 3
        elif keyword == "VERSION" and i + 1 < len(tokens) and tokens[i + 1].kind == "string":
            i += 2
        else:
            break
    prefix_map = dict(prefixes)

    form: QueryForm
    if any(t.kind == "word" and t.text.upper() in UPDATE_KEYWORDS for t in tokens):
        form = "update"
    elif i < len(tokens) and tokens[i].is_word(*QUERY_FORMS):
        form = QUERY_FORMS[tokens[i].text.upper()]
    elif lenient:
        form = "select"  # only the refusals of a second reading matter
    else:
        where = tokens[i].start if i < len(tokens) else len(text)
        line, column = line_column(text, where)
        raise QuerySyntaxError(
            f"error at {line}:{column}: expected a query form (SELECT, ASK, CONSTRUCT or DESCRIBE)"
        )

    services: list[str] = []
    variable_service = False
    for j, token in enumerate(tokens):
        if not token.is_word("SERVICE"):
            continue
        k = j + 1
        if k < len(tokens) and tokens[k].is_word("SILENT"):
            k += 1
        target = tokens[k] if k < len(tokens) else None
        if target is None:
            continue  # a syntax error: nothing would be called
        if target.kind == "var":
            variable_service = True
        elif target.kind == "iri":
            services.append(_resolve(_iri_value(target.text), base))
        elif target.kind == "pname":
            services.append(_expand(target.text, prefix_map) or target.text)
        else:
            services.append(target.text)
    return QueryInfo(
        form=form,
        service_iris=tuple(dict.fromkeys(services)),
        variable_service=variable_service,
        prefixes=tuple(prefixes),
        base_iri=base,
    )


def _iri_value(token_text: str) -> str:
    """The IRI of an IRIREF token, with its ``\\u`` escapes decoded."""
    return _decode_codepoint_escapes(token_text[1:-1])


def _resolve(iri: str, base: str | None) -> str:
    """``iri`` resolved against ``base`` when it is relative (RFC 3986, section 5.2).

    An absolute IRI is kept exactly as written (it is what the engine will call).
    """
    if _SCHEME.match(iri) or base is None:
        return iri
    b_scheme, b_authority, b_path, b_query, _ = _URI.match(base).groups()  # type: ignore[union-attr]
    _, authority, path, query, fragment = _URI.match(iri).groups()  # type: ignore[union-attr]
    if authority is not None:
        path = _remove_dot_segments(path)
    else:
        authority = b_authority
        if path == "":
            path = b_path
            query = b_query if query is None else query
        elif path.startswith("/"):
            path = _remove_dot_segments(path)
        else:
            if b_authority is not None and b_path == "":
                merged = "/" + path
            else:
                merged = b_path[: b_path.rfind("/") + 1] + path
            path = _remove_dot_segments(merged)
    out = f"{b_scheme}:" if b_scheme is not None else ""
    if authority is not None:
        out += f"//{authority}"
    out += path
    if query is not None:
        out += f"?{query}"
    if fragment is not None:
        out += f"#{fragment}"
    return out


def _remove_dot_segments(path: str) -> str:
    """RFC 3986, section 5.2.4."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            end = path.find("/", start)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


def _expand(pname: str, prefixes: dict[str, str]) -> str | None:
    prefix, _, local = pname.partition(":")
    namespace = prefixes.get(prefix)
    if namespace is None:
        return None
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local)


def _decode_codepoint_escapes(text: str) -> str:
    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group()
        return chr(code)

    return _UCHAR.sub(decode, text)
