"""The embedded backend: the built pyoxigraph store, queried by a pool of worker processes.

pyoxigraph can neither time out nor cancel a query, so queries never run in the server's
process. Each worker opens the store read-only once (``Store.read_only``; several read-only
opens are allowed) and answers one query at a time over a pipe. A query gets a free worker
(at most ``workers`` run at once, ``max_queued`` more wait, then :class:`StoreOverloaded`);
when it overruns, its worker is killed (SIGKILL), reaped, and replaced by a fresh process, and
the caller gets :class:`QueryTimeout`. The CPU and memory of a runaway query go with its
process, and other queries keep being answered by the other workers meanwhile.

Workers come from the ``forkserver`` start method (``spawn`` where there is none): never from
``fork`` in a process that runs threads. The server preloads pyoxigraph, so a fresh worker is
ready in tens of milliseconds. As with any ``spawn``/``forkserver`` process, a worker first runs
the program's main module as ``__mp_main__`` unless it was started with ``python -m`` (then
nothing is re-run): run eukg as ``python -m eukg`` for the quickest worker restarts, and never
from a script read on standard input.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from eukg.errors import (
    KGError,
    QueryParameterError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)
from eukg.stores import _worker
from eukg.stores.base import QueryRequest, QueryResponse, ResultNotWritable
from eukg.stores.execution import PreparedQuery, prepare_query
from eukg.stores.files import LoadedFiles, NormalisedLiteral, load_files_into_store
from eukg.stores.gate import Gate
from eukg.stores.results import count_from_response

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext

#: Errors a worker may report, by class name.
_REPORTED: dict[str, type[KGError]] = {
    cls.__name__: cls
    for cls in (
        QuerySyntaxError,
        QueryParameterError,
        QueryRefused,
        ResultNotWritable,
        QueryTimeout,
        StoreError,
    )
}
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    disposed: bool = False
    exit_code: int | None = None


class EmbeddedStore:
    """A pyoxigraph store on disk, queried through ``workers`` worker processes.

    Thread-safe. Close it with :meth:`close` (also registered with :mod:`atexit`) or use it
    as a context manager.
    """

    name = "embedded"

    def __init__(
        self,
        path: Path,
        workers: int = 4,
        max_queued: int = 16,
        *,
        service_allowlist: Iterable[str] = (),
        startup_timeout: float = 30.0,
        count_timeout: float = 60.0,
        max_wait: float | None = None,
    ) -> None:
        """Start the workers on the store in ``path`` and wait until each has opened it.

        ``max_wait`` bounds the seconds a query waits for a free worker (then
        :class:`StoreOverloaded`); ``None`` waits as long as the query's own timeout.

        Raises :class:`StoreError` when ``path`` holds no readable store.
        """
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        if not Path(path).is_dir():
            raise StoreError(f"no store in {path}: the folder does not exist")
        self.path = Path(path)
        self.workers = workers
        self.service_allowlist = tuple(service_allowlist)
        #: Literals of ``from_files`` data the store keeps in canonical form (if allowed).
        self.normalised_literals: tuple[NormalisedLiteral, ...] = ()
        self._startup_timeout = startup_timeout
        self._count_timeout = count_timeout
        self._max_wait = max_wait
        self._gate = Gate(workers, max_queued)
        self._lock = threading.Lock()
        self._idle: deque[_Worker] = deque()
        self._all: set[_Worker] = set()
        self._closed = False
        self._context = _start_context()
        atexit.register(self.close)
        try:
            for _ in range(workers):
                self._idle.append(self._start_worker())
            for worker in list(self._idle):
                self._await_ready(worker)
        except StoreError:
            self.close()
            raise

    @classmethod
    def from_files(
        cls,
        files: Sequence[Path],
        tmpdir: Path,
        *,
        workers: int = 2,
        max_queued: int = 16,
        service_allowlist: Iterable[str] = (),
        allow_normalised: bool = False,
        base_iri: str | None = None,
    ) -> EmbeddedStore:
        """A store holding RDF ``files`` as they are, written to ``tmpdir/store``; relative
        IRIs resolve against ``base_iri`` (default: each file's ``file:`` URL).

        See :mod:`eukg.stores.files` (raises :class:`~eukg.errors.InputError` for bad files
        and for literals the store would rewrite, unless ``allow_normalised``).
        """
        loaded: LoadedFiles = load_files_into_store(
            list(files),
            Path(tmpdir) / "store",
            allow_normalised=allow_normalised,
            base_iri=base_iri,
        )
        store = cls(
            loaded.store_path,
            workers=workers,
            max_queued=max_queued,
            service_allowlist=service_allowlist,
        )
        store.normalised_literals = loaded.normalised
        return store

    def execute(self, request: QueryRequest, timeout: float) -> QueryResponse:
        """Answer ``request`` in a worker within ``timeout`` seconds (see the module doc).

        Waiting for a free worker is bounded by ``max_wait`` (default: ``timeout``), then
        :class:`StoreOverloaded`.
        """
        if timeout <= 0:
            raise QueryParameterError(f"timeout must be positive, got {timeout!r}")
        prepared = prepare_query(request, self.service_allowlist)
        wait = timeout if self._max_wait is None else self._max_wait
        with self._gate.slot(wait=wait, hold=timeout + 1):
            return self._run(self._take(), prepared, timeout)

    def triple_count(self) -> int:
        """The number of triples in the default graph."""
        response = self.execute(QueryRequest(COUNT_QUERY), self._count_timeout)
        return count_from_response(response)

    def worker_pids(self) -> tuple[int, ...]:
        """The process ids of the current workers."""
        with self._lock:
            return tuple(w.process.pid for w in self._all if w.process.pid is not None)

    def live_workers(self) -> int:
        """How many worker processes are alive now."""
        with self._lock:
            workers = list(self._all)
        return sum(1 for w in workers if _alive(w.process))

    def close(self) -> None:
        """Stop every worker; queries running now get :class:`StoreError`. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle = list(self._idle)
            busy = [w for w in self._all if w not in self._idle]
            self._idle.clear()
        self._gate.close()
        atexit.unregister(self.close)
        for worker in idle:
            with contextlib.suppress(OSError):  # it may have died meanwhile
                worker.conn.send(None)
        for worker in idle:
            worker.process.join(1)
            self._dispose(worker)
        for worker in busy:
            if _alive(worker.process):
                worker.process.kill()  # its caller sees the pipe close, then disposes of it

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, worker: _Worker, prepared: PreparedQuery, timeout: float) -> QueryResponse:
        reply: tuple[str, ...] | None = None
        timed_out = False
        try:
            self._await_ready(worker)
            worker.conn.send(prepared)
            if worker.conn.poll(timeout):
                reply = worker.conn.recv()
            else:
                timed_out = True
        except (EOFError, OSError):
            pass  # the worker died; answered below
        finally:
            exit_code = None
            if reply is None:
                exit_code = self._replace(worker)
            else:
                self._give_back(worker)
        if timed_out:
            raise QueryTimeout(f"the query timed out after {timeout:g} s and was stopped")
        if reply is None:
            if self._closed:
                raise StoreError("the store was closed while the query ran")
            raise StoreError(
                f"the query worker stopped unexpectedly (exit code {exit_code}); "
                "the query was not answered"
            )
        if reply[0] == "ok":
            return reply[1]  # type: ignore[return-value]
        raise _REPORTED.get(reply[1], StoreError)(reply[2])

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            if self._idle:
                return self._idle.popleft()
        return self._start_worker()  # a replacement failed to start earlier

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                return
        self._dispose(worker)

    def _replace(self, worker: _Worker) -> int | None:
        """Kill ``worker``, reap it, and put a fresh worker in its place; its exit code."""
        exit_code = self._dispose(worker)
        if self._closed:
            return exit_code
        try:
            fresh = self._start_worker()
        except StoreError:
            return exit_code  # the next query starts one
        self._give_back(fresh)
        return exit_code

    def _start_worker(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker.serve,
            args=(child, str(self.path)),
            name="eukg-query-worker",
            daemon=True,
        )
        try:
            process.start()
        except OSError as exc:
            parent.close()
            raise StoreError(f"cannot start a query worker: {exc}") from None
        finally:
            child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if worker.ready:
            return
        if not worker.conn.poll(self._startup_timeout):
            raise StoreError(
                f"a query worker did not open the store within {self._startup_timeout:g} s"
            )
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            raise StoreError("a query worker exited while it opened the store") from None
        if message[0] != "ready":
            raise StoreError(message[2])
        worker.ready = True

    def _dispose(self, worker: _Worker) -> int | None:
        """Kill and reap ``worker`` and close its pipe (once); its exit code."""
        with self._lock:
            if worker.disposed:
                return worker.exit_code
            worker.disposed = True
            self._all.discard(worker)
        process = worker.process
        process.kill()
        process.join(10)
        worker.exit_code = process.exitcode
        worker.conn.close()
        if worker.exit_code is not None:
            process.close()  # frees its sentinel; the process is reaped
        return worker.exit_code


def _alive(process: BaseProcess) -> bool:
    try:
        return process.is_alive()
    except ValueError:  # closed meanwhile by the thread that disposed of it
        return False


def _start_context() -> ForkServerContext | SpawnContext:
    """``forkserver`` (workers preload pyoxigraph once), else ``spawn``; never ``fork``."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["eukg.stores._worker"])
        return context
    return multiprocessing.get_context("spawn")
