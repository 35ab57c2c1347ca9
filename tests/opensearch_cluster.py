"""A real OpenSearch cluster for tests and benchmarks: N nodes in one JVM on 127.0.0.1.

The nodes come from Maven dependencies (opensearch/pom.xml: org.codelibs.opensearch's runner
with the analysis-common, netty4, painless and mapper-extras modules); the small Java program
opensearch/ClusterControl.java starts them, writes their real HTTP addresses to a status file
and stops or restarts single nodes on request.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent / "opensearch"
CLASSPATH = ROOT / "target" / "cp.txt"
CONTROL = ROOT / "ClusterControl.java"


class ClusterError(RuntimeError):
    """The cluster could not be started or did not become healthy."""


def missing_tools() -> str | None:
    """Why a cluster cannot be started here (no Java, no Maven), or None."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        return "a Java 17 JDK is not installed (the OpenSearch test cluster runs on a JVM)"
    if not CLASSPATH.exists() and shutil.which("mvn") is None:
        return "Maven is not installed (it resolves the OpenSearch test cluster's jars)"
    return None


def classpath() -> str:
    """The cluster's classpath, resolved by Maven on first use."""
    if not CLASSPATH.exists():
        done = subprocess.run(
            ["mvn", "-q", "-B", "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0 or not CLASSPATH.exists():
            raise ClusterError(f"mvn could not resolve the cluster's jars:\n{done.stdout[-3000:]}")
    return CLASSPATH.read_text(encoding="utf-8").strip()


def _free_base(count: int) -> int:
    """A port base B with B+1 .. B+count free on 127.0.0.1."""
    for base in range(int(time.time() * 7) % 20000 + 21000, 65000, 97):
        ok = True
        for port in range(base + 1, base + count + 1):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise ClusterError("no free ports on 127.0.0.1")


def http_json(url: str, method: str = "GET", body: Any = None, timeout: float = 10.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


class Cluster:
    """Start with :meth:`start`, stop with :meth:`close` (which also removes its folder)."""

    def __init__(self, nodes: int = 3, heap: str | None = None, name: str = "newsearch-test"):
        self.nodes = nodes
        self.heap = heap or os.environ.get("NEWSEARCH_TEST_OPENSEARCH_HEAP", "768m")
        self.name = name
        self.base = Path(tempfile.mkdtemp(prefix="newsearch-opensearch-"))
        self.status_file = self.base / "status.txt"
        self.log = self.base / "jvm.log"
        self.process: subprocess.Popen[str] | None = None
        self.urls: dict[int, str] = {}

    @property
    def url(self) -> str:
        """The HTTP address of the first running node."""
        return next(iter(self.urls.values()))

    def start(self, timeout: float = 300.0) -> Cluster:
        cp = classpath()
        http_base = _free_base(self.nodes + 5)
        transport_base = _free_base(self.nodes)
        while transport_base - http_base in range(-self.nodes - 5, self.nodes + 6):
            transport_base = _free_base(self.nodes) + 1000
        command = [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseSerialGC",  # two cores shared with others: no parallel GC threads
            "-Djava.awt.headless=true",
            "-cp",
            cp,
            str(CONTROL),
            str(self.base),
            str(self.nodes),
            self.name,
            str(http_base),
            str(transport_base),
        ]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True
            )
        self._wait_status("READY", timeout)
        self.wait_health("green", timeout)
        return self

    def _read_status(self) -> list[str]:
        try:
            return self.status_file.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []

    def _wait_status(self, last: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ClusterError(f"the cluster's JVM exited:\n{self.tail()}")
            lines = self._read_status()
            if lines and lines[-1].startswith(last):
                self.urls = {
                    int(parts[1]): parts[2]
                    for line in lines
                    if (parts := line.split()) and parts[0] == "NODE" and parts[2] != "closed"
                }
                return
            time.sleep(0.3)
        raise ClusterError(
            f"the cluster did not report {last!r} in {timeout:.0f} s:\n{self.tail()}"
        )

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def health(self) -> dict[str, Any]:
        found: dict[str, Any] = http_json(f"{self.url}/_cluster/health")
        return found

    def wait_health(self, status: str, timeout: float = 120.0, nodes: int | None = None) -> None:
        wanted = self.nodes if nodes is None else nodes
        order = {"red": 0, "yellow": 1, "green": 2}
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.health()
                if (
                    order[last["status"]] >= order[status]
                    and last["number_of_nodes"] == wanted
                    and not last.get("relocating_shards")
                    and not last.get("initializing_shards")
                ):
                    return
            except OSError as exc:
                last = exc
            time.sleep(0.5)
        raise ClusterError(f"cluster health not {status} with {wanted} nodes: {last}")

    def _command(self, line: str, answer: str, timeout: float = 120.0) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        self._wait_status(answer, timeout)

    def stop_node(self, number: int) -> None:
        """Close node ``number`` (0-based) inside the JVM: it leaves the cluster at once."""
        self._command(f"stop {number}", f"STOPPED {number}")

    def start_node(self, number: int) -> None:
        self._command(f"start {number}", f"STARTED {number}")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
                self.process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(timeout=30)
        if self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(OSError):  # the JVM is gone: nothing to flush
                self.process.stdin.close()
        shutil.rmtree(self.base, ignore_errors=True)
