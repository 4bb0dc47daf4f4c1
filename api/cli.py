"""``eukg serve`` and ``eukg load``: thin click commands over the service and the stores.

Both are registered in the ``eukg.commands`` entry-point group, so ``eukg`` lists them. A bad
option is a usage error (exit 2); a store or input problem prints one line and exits 2; no
traceback reaches the user.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from eukg.config import Settings
from eukg.errors import InputError, KGError, ValidationFailed
from eukg.stores.base import Store


class CommandFailed(click.ClickException):
    """A problem the user can act on (a store that cannot be opened, an unreadable file)."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(f"eukg: error: {self.format_message()}", err=True)


def _progress(message: str) -> None:
    click.echo(f"eukg: {message}", err=True)


def _settings(**overrides: object) -> Settings:
    try:
        return Settings.from_env(None, **overrides)
    except InputError as exc:
        raise click.UsageError(str(exc)) from None


def _release_for(settings: Settings) -> Path:
    """The current release, built first when there is none; its base IRI must be ours."""
    import json

    from eukg.build import build, current_release

    release = current_release(settings)
    if release is None:
        _progress(f"no build in {settings.build_dir}; building it first")
        release = build(settings, _progress).release
    try:
        base = json.loads((release / "build.json").read_text(encoding="utf-8")).get("base_iri")
    except (OSError, ValueError):
        base = None
    if base and base != settings.base_iri:
        raise CommandFailed(
            f"the current build in {settings.build_dir} mints IRIs under {base}, not "
            f"{settings.base_iri}; rebuild with: EUKG_BASE_IRI={settings.base_iri} eukg build"
        )
    return release


@contextmanager
def open_store(
    settings: Settings,
    *,
    data: tuple[Path, ...],
    data_base: str | None,
    allow_normalised: bool,
    endpoint: str | None,
) -> Iterator[tuple[Store, Path | None]]:
    """(store, release folder or ``None``) for the options of ``eukg serve``; closes the store
    and removes temporary files on exit."""
    from eukg.stores.embedded import EmbeddedStore
    from eukg.stores.remote import RemoteStore

    tmpdir: Path | None = None
    release: Path | None = None
    workers, queued = settings.max_concurrent, settings.max_queued
    allow = settings.service_allowlist
    store: Store
    try:
        if endpoint:
            store = RemoteStore(
                endpoint, service_allowlist=allow, max_concurrent=workers, max_queued=queued
            )
        elif data:
            tmpdir = Path(tempfile.mkdtemp(prefix="eukg-serve-"))
            files = list(data)
            store = EmbeddedStore.from_files(
                files,
                tmpdir,
                workers=workers,
                max_queued=queued,
                service_allowlist=allow,
                allow_normalised=allow_normalised,
                base_iri=data_base,
            )
        else:
            release = _release_for(settings)
            store = EmbeddedStore(
                release / "store",
                workers,
                queued,
                service_allowlist=allow,
                max_wait=settings.queue_timeout,
            )
    except KGError as exc:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if isinstance(exc, ValidationFailed):
            raise  # the eukg CLI prints the report and exits 1
        raise CommandFailed(str(exc)) from None
    try:
        yield store, release
    finally:
        store.close()
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


@click.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to bind (default 8000).")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve these RDF files as they are (no shipped data, no reasoning). More files may "
    "follow as arguments: --data a.ttl b.nt.",
)
@click.argument("more_data", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--data-base",
    default=None,
    help="Base IRI for relative IRIs in --data files (default: each file's file: URL).",
)
@click.option(
    "--allow-normalised-literals",
    "allow_normalised",
    is_flag=True,
    help="Serve --data files whose typed literals the store keeps in canonical form "
    '("01"^^xsd:integer as "1"); without it such files are refused.',
)
@click.option("--endpoint", default=None, help="Serve over this SPARQL 1.1 query endpoint.")
@click.option("--query-timeout", type=float, default=None, help="Seconds a query may run.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Queries run at once (EUKG_MAX_CONCURRENT).",
)
@click.option("--base-iri", default=None, help="Base of the IRIs this service dereferences.")
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build folder (default ./build or EUKG_BUILD_DIR).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve(
    host: str | None,
    port: int | None,
    data: tuple[Path, ...],
    more_data: tuple[Path, ...],
    data_base: str | None,
    allow_normalised: bool,
    endpoint: str | None,
    query_timeout: float | None,
    workers: int | None,
    base_iri: str | None,
    build_dir: Path | None,
    log_level: str,
) -> None:
    """Serve the SPARQL endpoint, named queries, linked-data pages and dumps over HTTP.

    With neither --data nor --endpoint, serves the current build (building it first if there
    is none). Binds 127.0.0.1:8000 unless told otherwise.
    """
    import uvicorn

    from api.app import create_app

    if more_data and not data:
        raise click.UsageError("files given without --data; use: eukg serve --data FILE ...")
    if data and endpoint:
        raise click.UsageError("--data and --endpoint exclude each other")
    if (data_base or allow_normalised) and not data:
        raise click.UsageError("--data-base and --allow-normalised-literals apply to --data files")
    if data_base:
        try:
            import pyoxigraph as ox

            ox.NamedNode(data_base)
        except ValueError:
            raise click.BadParameter(
                f"{data_base!r} is not an absolute IRI", param_hint="--data-base"
            ) from None
    settings = _settings(
        host=host,
        port=port,
        query_timeout=query_timeout,
        max_concurrent=workers,
        base_iri=base_iri,
        build_dir=build_dir,
    )
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    with open_store(
        settings,
        data=data + more_data,
        data_base=data_base,
        allow_normalised=allow_normalised,
        endpoint=endpoint,
    ) as (store, release):
        try:
            app = create_app(settings, store, release=release)
        except KGError as exc:
            raise CommandFailed(str(exc)) from None
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            server_header=False,
            proxy_headers=True,
        )
        uvicorn.Server(config).run()


@click.command()
@click.option("--endpoint", required=True, help="SPARQL query endpoint of the target store.")
@click.option(
    "--graph-store",
    default=None,
    help="SPARQL 1.1 Graph Store Protocol URL (default: the endpoint with /query → /store, "
    "as Oxigraph serves them).",
)
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def load(endpoint: str, graph_store: str | None, build_dir: Path | None) -> None:
    """Push the current build to a SPARQL store with the Graph Store Protocol, then check the
    triple count through the query endpoint."""
    import json

    from eukg.build import store_path
    from eukg.stores.remote import RemoteStore, push_release

    settings = _settings(build_dir=build_dir)
    if graph_store is None:
        if not endpoint.rstrip("/").endswith("/query"):
            raise click.UsageError("give --graph-store URL (cannot derive it from --endpoint)")
        graph_store = endpoint.rstrip("/")[: -len("query")] + "store"
    try:
        release = store_path(settings).parent
        _progress(f"pushing {release} to {graph_store}")
        push_release(release, graph_store)
        expected = json.loads((release / "build.json").read_text(encoding="utf-8"))["counts"]
        remote = RemoteStore(endpoint)
        try:
            served = remote.triple_count()
        finally:
            remote.close()
    except (KGError, OSError, ValueError, KeyError) as exc:
        raise CommandFailed(str(exc)) from None
    want = expected.get("default_graph")
    if want is not None and served != want:
        raise CommandFailed(
            f"the store at {endpoint} serves {served} triples in its default graph, the build "
            f"has {want}: is its default graph the union of its named graphs?"
        )
    click.echo(f"loaded {release.name}: {served} triples served at {endpoint}")
