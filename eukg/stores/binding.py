"""Binding variables to RDF terms before a query runs, the same way on every backend.

A value arrives in N-Triples syntax and is parsed by pyoxigraph into a term; only that term,
written back by pyoxigraph, enters the query, inside a ``VALUES`` block. A value such as
``"} ; DROP ALL ; #"`` is therefore one string literal, never query text.

Where the block goes: first in the query's WHERE group (so the variable is bound in every
result row, like SEP-0007 substitution), and first in each nested group (OPTIONAL, UNION,
MINUS, EXISTS, sub-SELECT, …) that mentions the variable, so a FILTER anywhere sees the value.
``CONSTRUCT WHERE { T }`` becomes ``CONSTRUCT { T } WHERE { VALUES … T }`` and a DESCRIBE
without WHERE gets one. Unlike pyoxigraph's own ``substitutions``, the variable need not be
projected, and the remote backend can send the same text to any SPARQL 1.1 endpoint.

Parser messages refer to the rewritten text; :meth:`Rewrite.map_message` moves their
positions back to the text the client sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from eukg.errors import QueryParameterError
from eukg.sparql_guard import VARIABLE_NAME, Token, line_column, tokenize

BoundTerm = ox.NamedNode | ox.Literal

_POSITION = re.compile(r"(error at |line )(\d+)(:|, column )(\d+)")
_SOLUTION_MODIFIERS = ("ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES")


@dataclass(frozen=True)
class Insertion:
    """Text inserted at offset ``at`` of the original query (copied from ``source``, if set)."""

    at: int
    text: str
    source: int | None = None


@dataclass(frozen=True)
class Rewrite:
    """A query text and the insertions that made it from the text the client sent."""

    original: str
    text: str
    insertions: tuple[Insertion, ...] = ()

    def original_offset(self, offset: int) -> int:
        """The offset in :attr:`original` of ``offset`` in :attr:`text`."""
        shift = 0
        for ins in self.insertions:
            start = ins.at + shift
            if offset < start:
                break
            if offset < start + len(ins.text):
                return ins.source + (offset - start) if ins.source is not None else ins.at
            shift += len(ins.text)
        return offset - shift

    def map_message(self, message: str) -> str:
        """``message`` with ``error at L:C`` / ``line L, column C`` moved to :attr:`original`."""
        if not self.insertions:
            return message

        def move(match: re.Match[str]) -> str:
            line, column = int(match.group(2)), int(match.group(4))
            offset = _offset_of(self.text, line, column)
            new_line, new_column = line_column(self.original, self.original_offset(offset))
            return f"{match.group(1)}{new_line}{match.group(3)}{new_column}"

        return _POSITION.sub(move, message, count=1)


def parse_term(value: str, *, name: str = "value") -> BoundTerm:
    """The IRI or literal written ``value`` in N-Triples syntax (``<iri>``, ``"x"@en``, …).

    Raises :class:`QueryParameterError` for anything else (blank nodes, several terms, text).
    """
    document = f"<urn:eukg:s> <urn:eukg:p> {value} .\n".encode()
    try:
        quads = list(ox.parse(input=document, format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError):
        raise QueryParameterError(
            f"{name}: {value!r} is not an RDF term in N-Triples syntax "
            '(write <iri>, "text", "text"@lang or "value"^^<datatype>)'
        ) from None
    if len(quads) != 1 or not isinstance(quads[0].object, ox.NamedNode | ox.Literal):
        raise QueryParameterError(
            f"{name}: {value!r} must be exactly one IRI or literal in N-Triples syntax"
        )
    return quads[0].object


def parse_substitutions(pairs: Sequence[tuple[str, str]]) -> dict[str, BoundTerm]:
    """``(variable name, N-Triples term)`` pairs checked and parsed into terms."""
    terms: dict[str, BoundTerm] = {}
    for name, value in pairs:
        if not VARIABLE_NAME.fullmatch(name):
            raise QueryParameterError(
                f"{name!r} is not a SPARQL variable name (give it without '?')"
            )
        if name in terms:
            raise QueryParameterError(f"variable ?{name} is bound twice")
        terms[name] = parse_term(value, name=f"?{name}")
    return terms


def bind_variables(query: str, terms: Mapping[str, BoundTerm]) -> Rewrite:
    """``query`` with ``VALUES`` blocks binding ``terms`` (see the module docstring)."""
    if not terms:
        return Rewrite(query, query)
    tokens = tokenize(query)
    closing, inside = _braces(tokens, terms)
    insertions: list[Insertion] = []
    where_found = False
    wrappers: list[tuple[int, int, int]] = []  # (brace depth inside, paren depth, wrapper idx)
    expect_data = expect_template = construct = template_seen = False
    depth = parens = 0
    for idx, token in enumerate(tokens):
        if token.is_word("VALUES"):
            expect_data = True
        elif token.is_word("CONSTRUCT"):
            construct = True
            expect_template = idx + 1 < len(tokens) and tokens[idx + 1].text == "{"
        elif token.kind == "punct" and token.text == "(":
            parens += 1
        elif token.kind == "punct" and token.text == ")":
            parens -= 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
            while wrappers and wrappers[-1][0] > depth:  # a sub-SELECT without WHERE group
                wrappers.pop()
        elif token.kind == "punct" and token.text == "{":
            end = closing.get(idx, len(tokens) - 1)
            if expect_data or expect_template:
                template_seen = template_seen or expect_template
                expect_data = expect_template = False
            elif idx + 1 < len(tokens) and tokens[idx + 1].is_word("SELECT"):
                if wrappers and wrappers[-1][:2] == (depth, parens):
                    wrappers.pop()  # the WHERE group of a sub-SELECT is itself a sub-SELECT
                wrappers.append((depth + 1, parens, idx))
            else:
                names = inside.get(idx, set())
                top = depth == 0 and parens == 0 and not where_found
                if wrappers and wrappers[-1][:2] == (depth, parens):
                    # the WHERE group of a sub-SELECT: its projection counts too
                    names = inside.get(wrappers.pop()[2], set())
                wanted = [n for n in terms if top or n in names]
                if top:
                    where_found = True
                    if construct and not template_seen and tokens[idx - 1].is_word("WHERE"):
                        # CONSTRUCT WHERE { T }: the template T is written out before WHERE
                        start, stop = token.start, tokens[end].end
                        insertions.append(
                            Insertion(tokens[idx - 1].start, query[start:stop] + " ", start)
                        )
                if wanted:
                    insertions.append(Insertion(token.end, _values_block(wanted, terms)))
            depth += 1
    if not where_found and _form_of(tokens) == "DESCRIBE":
        at = next(
            (t.start for t in tokens if t.is_word(*_SOLUTION_MODIFIERS)),
            tokens[-1].end,
        )
        insertions.append(Insertion(at, f" WHERE {{{_values_block(list(terms), terms)}}} "))
    insertions.sort(key=lambda ins: ins.at)
    parts: list[str] = []
    last = 0
    for ins in insertions:
        parts.append(query[last : ins.at])
        parts.append(ins.text)
        last = ins.at
    parts.append(query[last:])
    return Rewrite(query, "".join(parts), tuple(insertions))


def _values_block(names: Sequence[str], terms: Mapping[str, BoundTerm]) -> str:
    variables = " ".join(f"?{n}" for n in names)
    values = " ".join(str(terms[n]) for n in names)
    return f" VALUES ({variables}) {{ ({values}) }} "


def _braces(
    tokens: list[Token], terms: Mapping[str, BoundTerm]
) -> tuple[dict[int, int], dict[int, set[str]]]:
    """For each ``{`` (by token index): its ``}``, and the bound variables between them.

    One pass with a stack, so a deeply nested query costs linear time.
    """
    closing: dict[int, int] = {}
    inside: dict[int, set[str]] = {}
    stack: list[tuple[int, set[str]]] = []
    for idx, token in enumerate(tokens):
        if token.kind == "punct" and token.text == "{":
            stack.append((idx, set()))
        elif token.kind == "punct" and token.text == "}" and stack:
            opened, names = stack.pop()
            closing[opened], inside[opened] = idx, names
            if stack:
                stack[-1][1].update(names)
        elif token.kind == "var" and stack and token.text[1:] in terms:
            stack[-1][1].add(token.text[1:])
    while stack:  # unbalanced: the engine reports the syntax error
        opened, names = stack.pop()
        inside[opened] = names
        if stack:
            stack[-1][1].update(names)
    return closing, inside


def _form_of(tokens: list[Token]) -> str | None:
    for token in tokens:
        if token.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return token.text.upper()
    return None


def _offset_of(text: str, line: int, column: int) -> int:
    """The offset of 1-based ``line`` and ``column`` (in characters) in ``text``."""
    offset = 0
    for _ in range(line - 1):
        newline = text.find("\n", offset)
        if newline < 0:
            return len(text)
        offset = newline + 1
    return min(offset + column - 1, len(text))
