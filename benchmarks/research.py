"""Times of the research commands (kwic, trend, terms, stories, watch, full export) on one index.

Each command runs once in a fresh process, as a user runs it, with its output sent to a pipe
and counted. Usage: python -m benchmarks.research --index DIR [--label 10k]
"""

from __future__ import annotations

import argparse
import json
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
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="research-bench-"))
    index = work / "index"
    shutil.copytree(args.index, index)  # derived files (terms, clusters, watches) start absent
    rows = []
    try:
        for title, command in COMMANDS:
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "newsearch.search", *command, "--index", str(index)],
                capture_output=True,
            )
            seconds = time.perf_counter() - started
            lines = done.stdout.count(b"\n")
            rows.append({"command": title, "seconds": round(seconds, 2), "exit": done.returncode,
                         "output_lines": lines})  # fmt: skip
            print(f"{args.label:>6} {seconds:8.2f} s  exit {done.returncode}  {lines:>7} lines  "
                  f"{title}", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"index": str(args.index), "label": args.label, "rows": rows}))


if __name__ == "__main__":
    main()
