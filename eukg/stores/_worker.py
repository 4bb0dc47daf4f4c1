"""The loop of an embedded-store worker process (see :mod:`eukg.stores.embedded`).

A worker opens the store read-only once, says ``ready``, then answers one
:class:`~eukg.stores.execution.PreparedQuery` at a time over its pipe:

* ``("ready", pid)`` once the store is open, or ``("error", "StoreError", message)``;
* ``("ok", QueryResponse)`` or ``("error", error class name, message)`` per query.

``None`` or a closed pipe ends the loop. The parent kills a worker whose query runs too long;
nothing here needs to cooperate with that.
"""

from __future__ import annotations

import os
import signal
from multiprocessing.connection import Connection

import pyoxigraph as ox

from eukg.errors import KGError
from eukg.stores.execution import PreparedQuery, run_prepared


def serve(conn: Connection, store_path: str) -> None:
    """Open ``store_path`` read-only and answer queries from ``conn`` until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        store = ox.Store.read_only(store_path)
    except (OSError, RuntimeError, ValueError) as exc:  # missing, locked or corrupt
        conn.send(("error", "StoreError", f"cannot open the store {store_path}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        conn.send(answer(store, job))


def answer(store: ox.Store, job: PreparedQuery) -> tuple[object, ...]:
    """The reply to one query: ``("ok", response)`` or ``("error", class name, message)``."""
    try:
        return ("ok", run_prepared(store, job))
    except KGError as exc:
        return ("error", type(exc).__name__, str(exc))
    except Exception as exc:  # any engine failure is reported; the parent raises StoreError
        return ("error", "StoreError", f"the query engine failed: {type(exc).__name__}: {exc}")
