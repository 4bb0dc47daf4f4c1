"""The ``eukg`` command line. Thin commands over the library; only this module prints or exits.

Exit codes: 0 success (data conforms), 1 validation failures, 2 bad input (unreadable file,
bad query, bad option, nothing built), 3 internal error (a bug: please report it).
Set ``EUKG_DEBUG=1`` to see a traceback for exit code 3.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

import click

from eukg import __version__
from eukg.config import Settings
from eukg.errors import KGError, ValidationFailed

EXIT_OK, EXIT_INVALID, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _progress(message: str) -> None:
    click.echo(f"eukg: {message}", err=True)


class _Group(click.Group):
    """Adds the commands other packages register in the ``eukg.commands`` entry-point group
    (the HTTP service registers ``serve`` and ``load``), loaded lazily."""

    def _plugins(self) -> dict[str, object]:
        return {ep.name: ep for ep in entry_points(group="eukg.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        ep = self._plugins().get(cmd_name)
        if ep is None:
            return None
        try:
            return ep.load()  # type: ignore[attr-defined,no-any-return]
        except ImportError as exc:
            reason = f"command {cmd_name!r} is not available: {exc}"

            def unavailable() -> None:
                raise click.ClickException(reason)

            return click.Command(cmd_name, callback=unavailable, help=f"(unavailable: {exc})")


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="eukg")
def cli() -> None:
    """eukg: a knowledge graph of EU internal security instruments.

    Typical use: eukg validate; eukg build; eukg serve (http://127.0.0.1:8000/sparql).
    """


@cli.command()
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the store and dumps (default: ./build, or EUKG_BUILD_DIR).",
)
@click.option("--base-iri", default=None, help="Base of the served IRIs (default: canonical).")
def build(build_dir: Path | None, base_iri: str | None) -> None:
    """Parse, reason, validate, then write a new store and dumps and switch to them atomically.

    Invalid data stops the build with the validation report (exit 1) and leaves the previous
    build untouched.
    """
    from eukg.build import build as run_build

    settings = Settings.from_env(build_dir=build_dir, base_iri=base_iri)
    result = run_build(settings, _progress)
    click.echo(
        f"built {result.release}: {result.total} triples served "
        f"({result.asserted} asserted from {result.sources} sources, {result.inferred} inferred, "
        f"{result.ontology} ontology) in {result.seconds:.1f}s"
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json", "junit"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file (written whole, or not at all).",
)
def validate(paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Validate RDF files or folders (default: the shipped data) against eukg's ontology and
    shapes. Exit 0 when the data conforms, 1 with violations, 2 on unreadable input."""
    from eukg.build import check
    from eukg.validation import render_json, render_junit, render_text, render_turtle

    settings = Settings.from_env()
    shipped = not paths
    targets = [settings.data_dir] if shipped else list(paths)
    checked = check(targets, settings, require_sources=shipped)
    report, loaded = checked.report, checked.loaded
    render = {
        "text": render_text,
        "turtle": render_turtle,
        "json": render_json,
        "junit": render_junit,
    }[fmt]
    text = render(report)
    if output is not None:
        _write_whole(output, text)
    else:
        click.echo(text.rstrip("\n"))
    if fmt == "text" or output is not None:
        files = len(loaded.files)
        verdict = "conforms" if report.conforms else "does NOT conform"
        click.echo(f"eukg validate: {files} file(s), {len(loaded)} triples: {verdict}", err=True)
    sys.exit(EXIT_OK if report.conforms else EXIT_INVALID)


@cli.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(
        ["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld", "rdfxml"]
    ),
    default="table",
    show_default=True,
)
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def query(query: str, fmt: str, build_dir: Path | None) -> None:
    """Run a SPARQL query against the built store. QUERY is the query text or @FILE.rq."""
    from eukg.sparql_cli import run_cli_query

    settings = Settings.from_env(build_dir=build_dir)
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {path}: {exc}", param_hint="QUERY") from None
    else:
        text = query
    sys.stdout.write(run_cli_query(settings, text, fmt))


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: whole or not at all."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: runs the CLI and turns errors into messages and exit codes."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="eukg", standalone_mode=False
        )
    except click.exceptions.Abort:
        click.echo("eukg: aborted", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_INPUT)
    except ValidationFailed as exc:
        from eukg.validation import render_text

        click.echo(render_text(exc.report).rstrip("\n"), err=True)  # type: ignore[arg-type]
        click.echo(f"eukg: {exc} — the previous build is unchanged", err=True)
        sys.exit(EXIT_INVALID)
    except KGError as exc:
        click.echo(f"eukg: error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        click.echo("eukg: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("EUKG_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"eukg: internal error: {type(exc).__name__}: {exc} (please report it; "
            "set EUKG_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_OK)
