"""A bounded load test of `newsearch serve`: fixed clients, fixed duration, 127.0.0.1 only.

    python benchmarks/load.py                         # 50 clients for 60 s on the sample corpus
    python benchmarks/load.py --clients 10 --duration 5 --json
    python benchmarks/load.py --index ~/.local/share/newsearch/index

It starts the real server (waitress, through the `newsearch serve` command) on a free port of
127.0.0.1, then each client thread keeps one HTTP/1.1 connection and sends a mix of what the
search page and the API are asked for: searches with and without filters, item pages and their
JSON, statistics, the Atom feed, small exports, and a share of bad requests (which must be 400
or 404, never 5xx). It reports the requests served, the status codes, the latency percentiles
and every failure; the exit status is 1 if any request failed or was answered with a 5xx.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

HOST = "127.0.0.1"  # the only address this ever talks to
SERVING = re.compile(r"serving .* at http://127\.0\.0\.1:(\d+)/")
START_TIMEOUT = 120.0
REQUEST_TIMEOUT = 30.0
WORDS = (
    "forced labour", "child labour", "fishing", "migrant workers", "domestic workers",
    "trafficking", "Qatar", "Peru", "Indonesia", "protocol", "wages", "garment", "cocoa",
    "bonded", "recruitment", "labor",
)  # fmt: skip
TOPICS = ("forced labour", "child labour", "human trafficking", "fisheries")
COUNTRIES = ("Peru", "IDN", "Qatar", "Brazil", "Thailand")


@dataclass
class Tally:
    """What the clients saw; one lock guards it all."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


Request = tuple[str, str, frozenset[int]]  # kind, path, statuses that are right


def request_mix(ids: list[str]) -> list[tuple[float, Callable[[random.Random], Request]]]:
    """(weight, maker) pairs: what a person at the search page and a script ask for."""
    ok = frozenset({200})

    def word(rng: random.Random) -> str:
        return quote(rng.choice(WORDS))

    def item(rng: random.Random) -> str:
        return rng.choice(ids) if ids else "missing"

    return [
        (20, lambda r: ("search page", f"/?q={word(r)}", ok)),
        (6, lambda r: ("home page", "/", ok)),
        (8, lambda r: ("filtered page", f"/?q={word(r)}&topic={quote(r.choice(TOPICS))}", ok)),
        (6, lambda r: ("sorted page", f"/?q={word(r)}&sort=newest&page={r.randint(1, 3)}", ok)),
        (20, lambda r: ("api search", f"/api/search?q={word(r)}&limit={r.randint(1, 50)}", ok)),
        (
            6,
            lambda r: (
                "api filtered",
                f"/api/search?country={quote(r.choice(COUNTRIES))}&from=2016&to=2024",
                ok,
            ),
        ),
        (8, lambda r: ("item page", f"/items/{item(r)}", ok)),
        (8, lambda r: ("api item", f"/api/items/{item(r)}", ok)),
        (3, lambda r: ("similar", f"/api/items/{item(r)}/similar?limit=5", ok)),
        (4, lambda r: ("stats", "/api/stats", ok)),
        (3, lambda r: ("feed", f"/feed.atom?q={word(r)}", ok)),
        (2, lambda r: ("export", f"/export.jsonl?q={word(r)}&country=IDN", ok)),
        (1, lambda r: ("opensearch", "/opensearch.xml", ok)),
        (2, lambda r: ("bad query", "/api/search?q=%28forced", frozenset({400}))),
        (1, lambda r: ("bad limit", "/api/search?limit=1000", frozenset({400}))),
        (1, lambda r: ("unknown item", "/api/items/0000notanid", frozenset({404}))),
        (1, lambda r: ("unknown page", "/nothing-here", frozenset({404}))),
        (1, lambda r: ("traversal", "/static/..%2f..%2fnewsearch.json", frozenset({404}))),
    ]


def pick(
    mix: list[tuple[float, Callable[[random.Random], Request]]], rng: random.Random
) -> Request:
    total = sum(weight for weight, _ in mix)
    at = rng.uniform(0, total)
    for weight, make in mix:
        at -= weight
        if at <= 0:
            return make(rng)
    return mix[-1][1](rng)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


# ---------------------------------------------------------------------------------------------
# The server


class Served:
    """`newsearch serve` in a child process, on a free port of 127.0.0.1."""

    def __init__(self, index: Path, threads: int) -> None:
        command = [
            sys.executable,
            "-c",
            "from newsearch.search.cli import main; main()",
            "serve",
            "--index",
            str(index),
            "--host",
            HOST,
            "--port",
            "0",
            "--threads",
            str(threads),
        ]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[str] = []
        self.port = 0
        ready = threading.Event()
        self._reader = threading.Thread(target=self._drain, args=(ready,), daemon=True)
        self._reader.start()
        ready.wait(START_TIMEOUT)
        if not self.port:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.lines[-20:]))

    def _drain(self, ready: threading.Event) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            match = SERVING.search(line)
            if match and not self.port:
                self.port = int(match.group(1))
                ready.set()
        ready.set()

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=10)
        return self.process.returncode


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = conn.getresponse()
    return response.status, response.read()


# ---------------------------------------------------------------------------------------------
# The clients


def client(
    port: int,
    mix: list[tuple[float, Callable[[random.Random], Request]]],
    seed: int,
    deadline: float,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        while time.monotonic() < deadline:
            kind, path, expected = pick(mix, rng)
            started = time.perf_counter()
            try:
                status, _ = get(conn, path)
            except (OSError, http.client.HTTPException) as exc:
                with tally.lock:
                    tally.errors.append(f"{kind} {path}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                continue
            elapsed = time.perf_counter() - started
            with tally.lock:
                tally.latencies.append(elapsed)
                tally.statuses[status] += 1
                tally.kinds[kind] += 1
                if status not in expected:
                    tally.unexpected.append(f"{kind} {path}: {status}")
    finally:
        conn.close()


def known_ids(port: int) -> list[str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        status, body = get(conn, "/api/search?limit=100&sort=newest")
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"/api/search answered {status}")
    return [hit["id"] for hit in json.loads(body)["hits"]]


def run(index: Path, *, clients: int, duration: float, threads: int, seed: int) -> dict[str, Any]:
    """Serve ``index``, load it for ``duration`` seconds, stop; the figures."""
    server = Served(index, threads)
    tally = Tally()
    try:
        ids = known_ids(server.port)
        mix = request_mix(ids)
        started = time.monotonic()
        deadline = started + duration
        workers = [
            threading.Thread(
                target=client,
                args=(server.port, mix, seed * 1000 + number, deadline, tally),
                daemon=True,
            )
            for number in range(clients)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(duration + REQUEST_TIMEOUT + 30)
        elapsed = time.monotonic() - started
        alive = server.process.poll() is None
    finally:
        code = server.stop()
    latencies = tally.latencies
    server_errors = sum(count for status, count in tally.statuses.items() if status >= 500)
    return {
        "host": HOST,
        "clients": clients,
        "duration_s": round(elapsed, 2),
        "server_threads": threads,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "kinds": dict(sorted(tally.kinds.items())),
        "server_errors": server_errors,
        "errors": len(tally.errors),
        "unexpected_status": len(tally.unexpected),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "server_alive_at_end": alive,
        "server_exit": code,
        "error_samples": tally.errors[:10],
        "unexpected_samples": tally.unexpected[:10],
        "server_log_tail": [] if not server_errors else server.lines[-20:],
    }


def sample_index(folder: Path) -> Path:
    """An index of the built-in sample corpus, built in ``folder``."""
    from newsearch.index.corpus import sample_paths
    from newsearch.index.store import IndexStore

    index = folder / "index"
    IndexStore(index).build(sample_paths())
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="index folder (default: the sample corpus)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads (8)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 500 or not 0 < args.duration <= 3600:
        parser.error("--clients is 1 to 500 and --duration at most 3600 seconds")
    scratch = None
    try:
        if args.index is None:
            scratch = Path(tempfile.mkdtemp(prefix="newsearch-load-"))
            index = sample_index(scratch)
        else:
            index = args.index
        figures = run(
            index,
            clients=args.clients,
            duration=args.duration,
            threads=args.threads,
            seed=args.seed,
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    failed = (
        bool(figures["server_errors"] or figures["errors"] or figures["unexpected_status"])
        or not figures["server_alive_at_end"]
    )
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{figures['requests']} requests from {figures['clients']} clients in "
            f"{figures['duration_s']} s on {HOST} ({figures['requests_per_s']}/s): "
            f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
        )
        print(f"statuses {figures['statuses']}")
        print(
            f"5xx: {figures['server_errors']}, failed requests: {figures['errors']}, "
            f"unexpected statuses: {figures['unexpected_status']}"
        )
        for line in figures["error_samples"] + figures["unexpected_samples"]:
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
