"""A bounded number of queries at once, a bounded queue behind them, then :class:`Overloaded`."""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from eukg.errors import StoreError
from eukg.stores.base import StoreOverloaded


class Gate:
    """At most ``slots`` holders at once; at most ``max_queued`` callers wait for a slot.

    A caller that finds the queue full, or that waits longer than it allows, gets
    :class:`StoreOverloaded` with a retry-after hint: the time until the earliest running
    query must end (each holder says how long it may hold its slot).
    """

    def __init__(self, slots: int, max_queued: int) -> None:
        if slots < 1:
            raise ValueError(f"slots must be >= 1, got {slots}")
        if max_queued < 0:
            raise ValueError(f"max_queued must be >= 0, got {max_queued}")
        self.slots = slots
        self.max_queued = max_queued
        self._cond = threading.Condition()
        self._holders: dict[int, float] = {}  # holder id -> time its slot is free at the latest
        self._ids = itertools.count()
        self._waiting = 0
        self._closed = False

    @property
    def running(self) -> int:
        """Slots held now."""
        with self._cond:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        """Callers waiting for a slot now."""
        with self._cond:
            return self._waiting

    @contextmanager
    def slot(self, wait: float, hold: float) -> Iterator[None]:
        """Hold a slot for the ``with`` block, waiting up to ``wait`` s for one.

        ``hold`` is how long the block may take at most (for the retry-after hint).
        Raises :class:`StoreOverloaded`, or :class:`StoreError` once the gate is closed.
        """
        with self._cond:
            self._enter(wait)
            holder = next(self._ids)
            self._holders[holder] = time.monotonic() + hold
        try:
            yield
        finally:
            with self._cond:
                del self._holders[holder]
                self._cond.notify()

    def close(self) -> None:
        """Refuse new callers and wake the waiting ones (they get :class:`StoreError`)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _enter(self, wait: float) -> None:
        if self._closed:
            raise StoreError("the store is closed")
        if len(self._holders) < self.slots:
            return
        if self._waiting >= self.max_queued:
            raise StoreOverloaded(
                f"all {self.slots} query slots are busy and {self._waiting} queries are waiting",
                retry_after=self._retry_after(),
            )
        self._waiting += 1
        try:
            deadline = time.monotonic() + wait
            while len(self._holders) >= self.slots:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StoreOverloaded(
                        f"no query slot became free within {wait:g} s",
                        retry_after=self._retry_after(),
                    )
                self._cond.wait(remaining)
                if self._closed:
                    raise StoreError("the store is closed")
        finally:
            self._waiting -= 1

    def _retry_after(self) -> int:
        if not self._holders:
            return 1
        return max(1, math.ceil(min(self._holders.values()) - time.monotonic()))
