"""Errors eukg raises. Library code raises; only the CLI and the API turn them into output."""

from __future__ import annotations


class KGError(Exception):
    """Base class: a problem the user can act on. The message says what and where."""


class InputError(KGError):
    """A file cannot be read or parsed (exit code 2). The message names the file and line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line


class DataModelError(InputError):
    """A file parses but breaks a rule of the data model that SHACL cannot express
    (for example a triple outside any source graph)."""


class BuildError(KGError):
    """The build cannot complete; the previous build is left untouched."""


class ValidationFailed(BuildError):
    """The data does not conform to the shapes. Carries the report."""

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class StoreError(KGError):
    """The built store is missing, locked or unreadable."""


class QueryDefinitionError(KGError):
    """A named query file (``queries/*.rq``) has a bad header or bad SPARQL."""


class QueryParameterError(KGError):
    """A value given for a named query's parameter is not acceptable."""


class QuerySyntaxError(KGError):
    """A SPARQL query does not parse. The message carries the parser's position."""


class QueryRefused(KGError):
    """The query is well-formed but not allowed here (an update, or SERVICE to an endpoint
    that is not allow-listed). The API answers 403 or 400."""


class QueryTimeout(KGError):
    """The query ran past the time limit and was stopped (the API answers 503)."""


class Overloaded(KGError):
    """Too many queries are running or waiting (the API answers 429 with Retry-After)."""
