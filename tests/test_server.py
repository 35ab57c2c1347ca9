"""The real `newsearch serve` (waitress) on 127.0.0.1, talked to over HTTP."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from newsearch.index.store import IndexStore

START_TIMEOUT = 60.0
SERVING = re.compile(r"serving .* at (http://127\.0\.0\.1:\d+/)")


@dataclass
class Server:
    """A running `newsearch serve` and what it has written to stderr."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url.rstrip("/") + path)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read()

    def json(self, path: str) -> Any:
        status, _, body = self.get(path)
        assert status == 200, body
        return json.loads(body)


def _drain(stream: Any, lines: list[str], ready: threading.Event, found: list[str]) -> None:
    for line in stream:
        lines.append(line)
        match = SERVING.search(line)
        if match and not found:
            found.append(match.group(1))
            ready.set()
    ready.set()


@contextmanager
def running(
    index: Path, env: dict[str, str] | None = None, start_timeout: float = START_TIMEOUT
) -> Iterator[Server]:
    """`newsearch serve --index INDEX --port 0` on 127.0.0.1, stopped with Ctrl-C at the end."""
    command = [
        sys.executable,
        "-c",
        "from newsearch.search.cli import main; main()",
        "serve",
        "--index",
        str(index),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--threads",
        "4",
    ]
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    ) as process:
        lines: list[str] = []
        found: list[str] = []
        ready = threading.Event()
        reader = threading.Thread(
            target=_drain, args=(process.stderr, lines, ready, found), daemon=True
        )
        reader.start()
        try:
            ready.wait(start_timeout)
            assert found, f"the server did not start: {''.join(lines)}"
            yield Server(process, found[0], lines)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            reader.join(timeout=10)


@pytest.fixture()
def serve(index_copy: Path) -> Iterator[tuple[Server, Path]]:
    """`newsearch serve --index COPY --port 0`, stopped with Ctrl-C at the end."""
    with running(index_copy) as server:
        yield server, index_copy


def test_serves_pages_api_and_static_files(serve: tuple[Server, Path]) -> None:
    server, _ = serve
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, body = server.get("/?q=forced+labour")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Server"] == "waitress"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert b"matches for <q>forced labour</q>" in body
    data = server.json("/api/search?q=fishers&limit=2")
    assert data["total"] >= 1 and len(data["hits"]) <= 2
    status, headers, body = server.get("/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    item_id = data["hits"][0]["id"]
    status, _, body = server.get(f"/items/{item_id}")
    assert status == 200 and b"Why it has these tags" in body


def test_errors_over_http(serve: tuple[Server, Path]) -> None:
    server, _ = serve
    status, headers, body = server.get("/api/search?q=%28")
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"ok": False, "error": json.loads(body)["error"], "status": 400}
    status, _, body = server.get("/api/missing")
    assert status == 404 and json.loads(body)["status"] == 404
    status, _, _ = server.get("/?q=" + "x" * 1001)
    assert status == 400
    status, _, body = server.get("/static/../webui/app.py")
    assert status == 404 and b"create_app" not in body


def test_exports_stream_over_http(serve: tuple[Server, Path]) -> None:
    server, _ = serve
    total = server.json("/api/search")["total"]
    status, headers, body = server.get("/export.jsonl")
    assert status == 200
    assert "Content-Length" not in headers  # streamed, in chunks
    assert len(body.decode().splitlines()) == total
    status, headers, body = server.get("/export.csv?q=labour")
    assert status == 200 and headers["Content-Disposition"].startswith("attachment")
    assert len(body.decode().splitlines()) == server.json("/api/search?q=labour")["total"] + 1


def test_new_commit_shows_up_without_a_restart(serve: tuple[Server, Path], tmp_path: Path) -> None:
    server, index = serve
    assert server.json("/api/search?q=quillfeather")["total"] == 0
    items = server.json("/api/stats")["items"]
    new = tmp_path / "new.jsonl"
    record = {
        "title": "Quillfeather fishers join a union in Peru",
        "summary": "Forced labour at sea is the theme.",
        "date": "2024-03-05",
    }
    new.write_text(json.dumps(record) + "\n", encoding="utf-8")
    report = IndexStore(index).build([new])
    assert report.ok and report.added == 1
    data = server.json("/api/search?q=quillfeather")
    assert data["total"] == 1
    assert data["hits"][0]["title"] == record["title"]
    assert server.json("/api/stats")["items"] == items + 1
    status, _, body = server.get("/?q=quillfeather")
    assert status == 200 and b"Quillfeather fishers join a union" in body
    status, _, body = server.get("/feed.atom?q=quillfeather")
    assert status == 200 and b"Quillfeather fishers" in body


def test_concurrent_requests(serve: tuple[Server, Path]) -> None:
    server, _ = serve
    paths = ["/?q=labour", "/api/search?q=fishers", "/api/stats", "/?topic=fisheries"] * 10
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda p: server.get(p)[0], paths))
    assert statuses == [200] * len(paths)
    assert time.perf_counter() - started < 60


def test_stops_cleanly_on_ctrl_c(serve: tuple[Server, Path]) -> None:
    server, _ = serve
    assert server.get("/api/stats")[0] == 200  # the server is in its loop
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=20) == 0
