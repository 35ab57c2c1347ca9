"""What the figures were measured on: CPU, memory, OS and the versions of every engine."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _code() -> dict[str, Any]:
    """The commit measured and the files changed on top of it (read-only git calls)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "--no-optional-locks", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    changed = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if line[3:].startswith(("index/", "search/", "webui/"))
    ]
    return {"commit": git("rev-parse", "--short", "HEAD") or None, "changed": changed}


def describe() -> dict[str, Any]:
    """The machine and the software versions, as one JSON-ready dict."""
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "memory_gib": _memory_gib(),
            "platform": platform.platform(),
        },
        "versions": {
            "python": platform.python_version(),
            "newsearch": _version("newsearch"),
            "whoosh": _version("whoosh-reloaded") or _version("whoosh"),
            "nltk": _version("nltk"),
            "sqlite": sqlite3.sqlite_version,
            "tantivy": _version("tantivy"),
            "flask": _version("flask"),
            "waitress": _version("waitress"),
        },
        "executable": sys.executable,
        "code": _code(),
    }


def render(info: dict[str, Any]) -> str:
    m, v = info["machine"], info["versions"]
    versions = ", ".join(f"{k} {val}" for k, val in v.items() if val)
    return (
        f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, {m['platform']}\n"
        f"versions: {versions}"
    )


if __name__ == "__main__":
    print(render(describe()))
