"""Load test of the public endpoint, on loopback only, bounded in time and in requests.

Starts ``python -m eukg serve`` on a free 127.0.0.1 port over a build of the shipped data, then
runs CLIENTS concurrent clients for DURATION seconds over the mix of named queries (each with
its example or default parameters) plus a share of runaway SPARQL queries that must be stopped
by the query timeout (503). Reports p50/p99 latency of the normal queries, status counts, and
the memory (RSS) of the server and its worker processes over the run.

    .venv/bin/python bench/load_test.py                      # 50 clients, 60 s
    .venv/bin/python bench/load_test.py --clients 10 --duration 10

Exit status 1 when a normal query failed or a runaway query got anything but 503.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eukg.config import Settings  # noqa: E402
from eukg.named_queries import load_named_queries  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MAX_REQUESTS_PER_CLIENT = 100_000


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    runaway_latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, key: str) -> None:
        with self.lock:
            self.statuses[key] = self.statuses.get(key, 0) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_kib(pid: int) -> int:
    """RSS of ``pid`` and all its descendants, from /proc (KiB)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def requests_mix(base: str) -> list[tuple[str, str]]:
    """(label, URL) of every named query with its example or default parameters."""
    mix = []
    for q in load_named_queries(Settings().queries_dir).values():
        params = {p.name: p.example for p in q.params if p.example and p.default is None}
        url = f"{base}/queries/{q.name}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        mix.append((q.name, url))
    return mix


def client(
    base: str,
    mix: list[tuple[str, str]],
    tally: Tally,
    deadline: float,
    runaway_share: float,
    seed: int,
) -> None:
    rng = random.Random(seed)
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        runaway = rng.random() < runaway_share
        if runaway:
            data = urllib.parse.urlencode({"query": RUNAWAY}).encode()
            req = urllib.request.Request(
                f"{base}/sparql",
                data=data,
                method="POST",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json",
                },
            )
            label = "runaway"
        else:
            label, url = rng.choice(mix)
            req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            exc.read()
            status = exc.code
        except OSError as exc:
            status = 0
            with tally.lock:
                tally.failures.append(f"{label}: {exc}")
        elapsed = time.monotonic() - started
        tally.count(f"{label if runaway else 'named'}:{status}")
        with tally.lock:
            if runaway:
                tally.runaway_latencies.append(elapsed)
                if status != 503:
                    tally.failures.append(f"runaway query answered {status}, expected 503")
            elif status == 200:
                tally.latencies.append(elapsed)
            else:
                tally.failures.append(f"{label}: HTTP {status}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--runaway-share", type=float, default=0.02)
    ap.add_argument("--query-timeout", type=float, default=2.0)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = ap.parse_args()
    if not 1 <= args.clients <= 200 or not 0 < args.duration <= 600:
        ap.error("clients must be 1..200 and duration 0..600 s (the test is bounded)")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "EUKG_BUILD_DIR": str(args.build_dir),
        "EUKG_MAX_QUEUED": str(args.clients * 2),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eukg",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--query-timeout",
            str(args.query_timeout),
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    print(server.stderr.read().decode() if server.stderr else "", file=sys.stderr)
                    return 2
                time.sleep(0.5)
        mix = requests_mix(base)
        tally = Tally()
        rss: list[int] = [tree_rss_kib(server.pid)]
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(
                target=client, args=(base, mix, tally, deadline, args.runaway_share, i), daemon=True
            )
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            rss.append(tree_rss_kib(server.pid))
            if time.monotonic() > deadline + 180:
                tally.failures.append("clients did not finish within 180 s after the deadline")
                break
        rss.append(tree_rss_kib(server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    summary = {
        "clients": args.clients,
        "duration_s": args.duration,
        "runaway_share": args.runaway_share,
        "query_timeout_s": args.query_timeout,
        "workers": args.workers,
        "named_queries": len(mix),
        "requests": sum(tally.statuses.values()),
        "statuses": dict(sorted(tally.statuses.items())),
        "normal_p50_ms": round(percentile(tally.latencies, 50) * 1000, 1),
        "normal_p99_ms": round(percentile(tally.latencies, 99) * 1000, 1),
        "normal_mean_ms": round(statistics.fmean(tally.latencies) * 1000, 1)
        if tally.latencies
        else None,
        "runaway_p50_s": round(percentile(tally.runaway_latencies, 50), 2),
        "rss_start_mib": round(rss[0] / 1024, 1),
        "rss_end_mib": round(rss[-1] / 1024, 1),
        "rss_max_mib": round(max(rss) / 1024, 1),
        "errors": len(tally.failures),
        "first_errors": tally.failures[:10],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
