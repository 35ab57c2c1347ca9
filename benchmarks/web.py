"""The web API under load: start `newsearch serve` on 127.0.0.1 and query it from a few threads."""

from __future__ import annotations

import http.client
import importlib.util
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

from benchmarks.measure import status_mb, summary_ms

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


def _hammer(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads, each on one keep-alive connection, asking in turn until time is up."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        i = number * 7
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
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
            paths = ["/api/search?" + urllib.parse.urlencode({"q": " ".join(q)}) for q in queries]
            figures = _hammer(port, paths, clients, seconds)
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
