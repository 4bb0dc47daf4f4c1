"""The embedded backend's worker pool: real timeouts, replacement, limits, crashes, closing."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from eukg.errors import QueryTimeout, StoreError
from eukg.stores import EmbeddedStore, QueryRequest, StoreOverloaded

#: A cross join over a few thousand triples: it would run for hours.
RUNAWAY = QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
NORMAL = QueryRequest("SELECT ?s { ?s ?p ?o } LIMIT 5")


@pytest.fixture(scope="module")
def big_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with 3,000 generated triples in the default graph."""
    path = tmp_path_factory.mktemp("big") / "store"
    store = ox.Store(str(path))
    p = ox.NamedNode("https://example.org/p")
    store.bulk_extend(
        ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p, ox.Literal(str(i)), ox.DefaultGraph())
        for i in range(3000)
    )
    store.flush()
    del store
    return path


@pytest.fixture
def pool(big_store_path: Path) -> Iterator[EmbeddedStore]:
    with EmbeddedStore(big_store_path, workers=2, max_queued=2) as store:
        yield store


def gone(pid: int) -> bool:
    """Whether process ``pid`` no longer exists (not even as a zombie)."""
    return not Path(f"/proc/{pid}").exists()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_runaway_query_times_out_while_others_are_answered(pool: EmbeddedStore) -> None:
    outcome: list[object] = []

    def runaway() -> None:
        started = time.monotonic()
        try:
            pool.execute(RUNAWAY, timeout=1.0)
        except QueryTimeout as exc:
            outcome.append((exc, time.monotonic() - started))

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    latencies = []
    while thread.is_alive():  # other clients are answered while the runaway runs and is stopped
        started = time.monotonic()
        assert pool.execute(NORMAL, timeout=5).rows == 5
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    thread.join()
    assert len(outcome) == 1, "the runaway query did not time out"
    exc, elapsed = outcome[0]  # type: ignore[misc]
    assert "timed out after 1 s" in str(exc)
    assert elapsed < 3.0
    assert latencies and max(latencies) < 1.0


def test_timeouts_replace_workers_and_leak_nothing(pool: EmbeddedStore) -> None:
    pool.execute(NORMAL, timeout=5)
    fds = open_fds()
    killed: set[int] = set()
    for _ in range(20):
        before = set(pool.worker_pids())
        with pytest.raises(QueryTimeout):
            pool.execute(RUNAWAY, timeout=0.2)
        killed |= before - set(pool.worker_pids())
    assert len(killed) == 20
    assert pool.live_workers() == 2
    assert len(pool.worker_pids()) == 2
    assert all(gone(pid) for pid in killed)
    assert pool.execute(NORMAL, timeout=5).rows == 5
    assert open_fds() <= fds + 2


def _tree_rss_kib(pool: EmbeddedStore) -> int:
    """RSS of this process and of the pool's workers (KiB), from /proc."""
    total = 0
    for pid in (os.getpid(), *pool.worker_pids()):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return total


def _median_latency(pool: EmbeddedStore, n: int = 15) -> float:
    times = []
    for _ in range(n):
        started = time.monotonic()
        assert pool.execute(NORMAL, timeout=5).rows == 5
        times.append(time.monotonic() - started)
    return sorted(times)[n // 2]


def test_a_hundred_timeouts_leave_the_pool_as_fast_and_as_small(pool: EmbeddedStore) -> None:
    """Issue 4: after a hundred timeouts the server is as fast and as small as before."""
    baseline_latency = _median_latency(pool)
    baseline_rss = _tree_rss_kib(pool)
    fds = open_fds()
    for _ in range(100):
        with pytest.raises(QueryTimeout):
            pool.execute(RUNAWAY, timeout=0.1)
    assert pool.live_workers() == 2
    latency = _median_latency(pool)
    assert latency <= 3 * baseline_latency + 0.05, (baseline_latency, latency)
    assert _tree_rss_kib(pool) <= baseline_rss + 40 * 1024, (baseline_rss, _tree_rss_kib(pool))
    assert open_fds() <= fds + 2


def test_full_queue_is_overloaded_with_a_retry_hint(big_store_path: Path) -> None:
    with EmbeddedStore(big_store_path, workers=1, max_queued=1) as store:
        busy = threading.Thread(target=_expect_timeout, args=(store, 3.0))
        busy.start()
        _wait_for(lambda: store._gate.running == 1)
        waiting = threading.Thread(target=_expect_timeout, args=(store, 3.0))
        waiting.start()
        _wait_for(lambda: store._gate.waiting == 1)
        with pytest.raises(StoreOverloaded) as caught:
            store.execute(NORMAL, timeout=1)
        assert caught.value.retry_after >= 1
        assert "retry after" in str(caught.value)
        store.close()
        busy.join(10)
        waiting.join(10)


def test_waiting_longer_than_the_timeout_is_overloaded(big_store_path: Path) -> None:
    with EmbeddedStore(big_store_path, workers=1, max_queued=4) as store:
        busy = threading.Thread(target=_expect_timeout, args=(store, 3.0))
        busy.start()
        _wait_for(lambda: store._gate.running == 1)
        started = time.monotonic()
        with pytest.raises(StoreOverloaded, match="no query slot became free"):
            store.execute(NORMAL, timeout=0.3)
        assert time.monotonic() - started < 2.0
        store.close()
        busy.join(10)


def test_waiting_is_bounded_by_max_wait_not_by_the_timeout(big_store_path: Path) -> None:
    """A queued query waits up to ``max_wait`` for a worker, then gets a normal worker and its
    full timeout; with a short ``max_wait`` it is refused early."""
    with EmbeddedStore(big_store_path, workers=1, max_queued=4, max_wait=10) as store:
        busy = threading.Thread(target=_expect_timeout, args=(store, 1.0))
        busy.start()
        _wait_for(lambda: store._gate.running == 1)
        started = time.monotonic()
        assert store.execute(NORMAL, timeout=0.5).rows == 5  # waited ~1 s, more than 0.5 s
        assert time.monotonic() - started > 0.5
        busy.join(10)
    with EmbeddedStore(big_store_path, workers=1, max_queued=4, max_wait=0.2) as store:
        busy = threading.Thread(target=_expect_timeout, args=(store, 3.0))
        busy.start()
        _wait_for(lambda: store._gate.running == 1)
        started = time.monotonic()
        with pytest.raises(StoreOverloaded):
            store.execute(NORMAL, timeout=5)
        assert time.monotonic() - started < 1.5
        store.close()
        busy.join(10)


def test_crashed_worker_is_replaced(big_store_path: Path) -> None:
    with EmbeddedStore(big_store_path, workers=1, max_queued=0) as store:
        (pid,) = store.worker_pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(StoreError, match="stopped unexpectedly"):
            store.execute(NORMAL, timeout=5)
        assert store.execute(NORMAL, timeout=5).rows == 5
        assert gone(pid)
        assert store.live_workers() == 1


def test_close_stops_every_worker_and_is_idempotent(big_store_path: Path) -> None:
    store = EmbeddedStore(big_store_path, workers=2, max_queued=0)
    pids = store.worker_pids()
    store.close()
    store.close()
    assert all(gone(pid) for pid in pids)
    with pytest.raises(StoreError, match="closed"):
        store.execute(NORMAL, timeout=1)


def test_close_while_a_query_runs(big_store_path: Path) -> None:
    store = EmbeddedStore(big_store_path, workers=1, max_queued=0)
    errors: list[Exception] = []

    def runaway() -> None:
        try:
            store.execute(RUNAWAY, timeout=10)
        except StoreError as exc:
            errors.append(exc)

    thread = threading.Thread(target=runaway)
    thread.start()
    _wait_for(lambda: store._gate.running == 1)
    time.sleep(0.1)
    pids = store.worker_pids()
    store.close()
    thread.join(5)
    assert not thread.is_alive()
    assert errors and "closed" in str(errors[0])
    assert all(gone(pid) for pid in pids)
    assert store.live_workers() == 0


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        EmbeddedStore(tmp_path / "nothing", workers=1, max_queued=0)


def test_unreadable_store_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "CURRENT").write_text("garbage")
    with pytest.raises(StoreError, match="cannot open the store"):
        EmbeddedStore(tmp_path / "store", workers=1, max_queued=0)


def _expect_timeout(store: EmbeddedStore, timeout: float) -> None:
    with contextlib.suppress(QueryTimeout, StoreError, StoreOverloaded):
        store.execute(RUNAWAY, timeout=timeout)


def _wait_for(condition: object, limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)
