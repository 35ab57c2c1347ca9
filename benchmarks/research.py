"""Times of the research commands (kwic, trend, terms, stories, watch, full export) on one index.

Each command runs once in a fresh process, as a user runs it, with its output sent to a pipe
and counted. Usage: python -m benchmarks.research --index DIR [--label 10k]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("kwic, a phrase in every 7th item", ["kwic", 'summary:"forced labour"']),
    ("kwic, sorted by the word before", ["kwic", '"travail forcé"', "--order", "left"]),
    ("trend, 2 searches per year", ["trend", 'summary:"forced labour"', "workers"]),
    (
        "trend, 2 searches per month, shares",
        ["trend", 'summary:"forced labour"', "workers", "--by", "month", "--normalize"],
    ),
    ("terms, first run (counts the whole corpus)", ["terms", '"travail forcé"']),
    ("terms, corpus counts kept", ["terms", '"travail forcé"']),
    ("terms --against", ["terms", '"travail forcé"', "--against", "workers"]),
    ("stories, first run (groups the whole corpus)", ["stories", '"travail forcé"']),
    ("stories --collapse, clusters kept", ["stories", '"travail forcé"', "--collapse"]),
    ("export --full, a phrase", ["export", 'summary:"forced labour"', "--full"]),
    ("watch add", ["watch", "add", "bench", 'summary:"forced labour"']),
    ("watch run (nothing new)", ["watch", "run", "bench"]),
    ("query, a phrase in every 7th item", ["query", 'summary:"forced labour"']),
    ("query --collapse, a phrase", ["query", 'summary:"forced labour"', "--collapse"]),
    ("query --collapse, every item", ["query", "workers", "--collapse"]),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per command")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="research-bench-"))
    index = work / "index"
    shutil.copytree(args.index, index)  # derived files (terms, watches) start absent ...
    clusters = args.index.with_name(args.index.name + ".clusters.npz")
    if clusters.exists():  # ... but the clusters are made by indexing, so they come along
        shutil.copy(clusters, index.with_name(index.name + ".clusters.npz"))
    rows = []
    try:
        for title, command in COMMANDS:
            started = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "newsearch.search", *command, "--index", str(index)],
                    capture_output=True,
                    timeout=args.timeout,
                )
                code, lines = done.returncode, done.stdout.count(b"\n")
            except subprocess.TimeoutExpired:
                code, lines = -1, 0  # stopped: not finished within --timeout
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # CPU time: less load-bound
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            rows.append({"command": title, "seconds": round(seconds, 2), "cpu": round(cpu, 2),
                         "exit": code, "output_lines": lines})  # fmt: skip
            print(f"{args.label:>6} {seconds:8.2f} s  cpu {cpu:8.2f} s  exit {code}  "
                  f"{lines:>7} lines  {title}", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"index": str(args.index), "label": args.label, "rows": rows}))


if __name__ == "__main__":
    main()
