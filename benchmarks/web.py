"""The web API under load: start `newsearch serve` on 127.0.0.1 and query it from a few threads."""

from __future__ import annotations

import http.client
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from benchmarks.measure import load_average, status_mb, summary_ms

HOST = "127.0.0.1"  # never anything else


def newsearch_command() -> list[str]:
    """The `newsearch` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("newsearch")
    if script.exists():
        return [str(script)]
    found = shutil.which("newsearch")
    if found:
        return [found]
    return [sys.executable, "-c", "from newsearch.search.cli import main; main()"]


def missing() -> str | None:
    """Why the web API cannot be measured here, or None."""
    if importlib.util.find_spec("newsearch.webui.app") is None:
        return "the web UI (newsearch.webui.app) is not there yet"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def _wait_ready(server: subprocess.Popen[bytes], port: int, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return "the server exited at start"
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            status = _get(conn, "/api/search?q=labour")
            conn.close()
            if status == 200:
                return None
        except OSError:
            pass
        time.sleep(0.2)
    return f"the server did not answer within {timeout:.0f} s"


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def mixed_paths(queries: list[list[str]]) -> list[tuple[bool, str]]:
    """(plain, path) per request: the benchmark queries, every fifth word made fuzzy (``~1``)
    and every seventh a prefix (``wor*``), so expensive expansions run among cheap queries."""
    out: list[tuple[bool, str]] = []
    for number, words in enumerate(queries):
        plain = True
        if number % 5 == 4:
            words = [*words[:-1], f"{words[-1]}~1"]
            plain = False
        elif number % 7 == 6 and len(words[-1]) > 4:
            words = [*words[:-1], f"{words[-1][:3]}*"]
            plain = False
        path = "/api/search?" + urllib.parse.urlencode({"q": " ".join(words)})
        out.append((plain, path))
    return out


def _hammer(
    port: int, paths: list[tuple[bool, str]], clients: int, seconds: float
) -> dict[str, Any]:
    """``clients`` threads, each on one keep-alive connection, asking in turn until time is up."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    plain_latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        i = number * 7
        while time.monotonic() < stop:
            plain, path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                status = _get(conn, path)
            except OSError:
                errors[number] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            latencies[number].append(time.perf_counter() - t0)
            if plain:
                plain_latencies[number].append(latencies[number][-1])
            if status != 200:
                errors[number] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done = [t for per in latencies for t in per]
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(done),
        "errors": sum(errors),
        "requests_per_s": round(len(done) / elapsed, 1) if elapsed else None,
        "latency": summary_ms(done),
        "plain_latency": summary_ms([t for per in plain_latencies for t in per]),
    }


def load(
    index: Path,
    queries: list[list[str]],
    *,
    clients: int = 4,
    seconds: float = 10.0,
    server_threads: int = 8,
) -> dict[str, Any]:
    """Requests per second and latency of /api/search under ``clients`` concurrent clients."""
    reason = missing()
    if reason:
        return {"skipped": reason}
    port = _free_port()
    command = [*newsearch_command(), "serve", "--index", str(index), "--host", HOST]
    command += ["--port", str(port), "--threads", str(server_threads)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            problem = _wait_ready(server, port, timeout=120)
            if problem:
                server.kill()
                server.wait()
                log.seek(0)
                err = log.read().decode(errors="replace").strip()
                return {"skipped": f"{problem}: {err[-300:]}"}
            paths = mixed_paths(queries)
            load_before = load_average()
            cpu_before = _cpu_seconds(server.pid)
            figures = _hammer(port, paths, clients, seconds)
            cpu_after = _cpu_seconds(server.pid)
            figures["load_before"], figures["load_after"] = load_before, load_average()
            if cpu_before is not None and cpu_after is not None and figures["requests"]:
                figures["server_cpu_s"] = round(cpu_after - cpu_before, 2)
                figures["server_cpu_per_100"] = round(
                    100 * (cpu_after - cpu_before) / figures["requests"], 3
                )
            figures["mix"] = (
                "the benchmark queries with every fifth made fuzzy (word~1) and every seventh "
                "a prefix (wor*)"
            )
            figures["server_threads"] = server_threads
            figures["server_rss_mb"] = status_mb("VmRSS", server.pid)
            return figures
        finally:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
