"""Two versions of newsearch on one index, queries and cold starts interleaved.

    python -m benchmarks.versions --index DIR --queries FILE --before SRC [--after SRC]
    python -m benchmarks.versions --corpus FILE --before SRC [--after SRC]   # indexing

``SRC`` is a folder holding a ``newsearch`` package (``newsearch/index``, ``newsearch/search``,
``newsearch/webui``), e.g. made from another commit with ``git archive``; without ``--after``
the installed newsearch is the second version. Both answer the same queries in their own
processes, asked in turn (the version asked first rotating), so the machine's load falls on
both alike; wall and CPU time are reported with the load average.

With ``--corpus``, both versions index the same corpus file into new indexes, side by side
(started together, so they share the machine's load): items per CPU second, commits, peak
memory and index size of each.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import interleave, web
from benchmarks.measure import load_average
from benchmarks.queries import load

_BUILD = """
import json, resource, sys, time
from pathlib import Path
from newsearch.index.store import IndexStore
started, cpu = time.perf_counter(), time.process_time()
report = IndexStore(Path(sys.argv[2])).build([Path(sys.argv[1])])
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"items": report.added, "commits": report.commits, "seconds": round(seconds, 2),
  "cpu_seconds": round(cpu, 2), "items_per_cpu_s": round(report.added / cpu, 1),
  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def indexing(corpus: Path, versions: dict[str, Path | None]) -> dict[str, Any]:
    """Both versions index ``corpus`` at the same time, each into a new folder."""
    folder = Path(tempfile.mkdtemp(prefix="newsearch-versions-"))
    result: dict[str, Any] = {"load_before": load_average()}
    try:
        running = {
            name: subprocess.Popen(
                [sys.executable, "-c", _BUILD, str(corpus), str(folder / name)],
                env=interleave._env(source),
                stdout=subprocess.PIPE,
                text=True,
            )
            for name, source in versions.items()
        }
        for name, process in running.items():
            out, _ = process.communicate()
            figures = json.loads(out.strip().splitlines()[-1])
            figures["index_mb"] = round(
                sum(f.stat().st_size for f in (folder / name).iterdir() if f.is_file()) / 1e6, 1
            )
            result[name] = figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["load_after"] = load_average()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--corpus", type=Path, help="compare indexing this corpus file instead")
    parser.add_argument("--before", type=Path, required=True, help="older version's source")
    parser.add_argument("--after", type=Path, help="newer version's source (default: installed)")
    parser.add_argument("--count", type=int, default=100, help="queries to ask")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    versions: dict[str, Path | None] = {"before": args.before, "after": args.after}
    if args.corpus:
        report = json.dumps(indexing(args.corpus, versions), indent=1)
        if args.out:
            args.out.write_text(report, encoding="utf-8")
        print(report)
        return
    if not (args.index and args.queries):
        parser.error("--index and --queries are needed (or --corpus)")
    asked = load(args.queries)[: args.count]
    indexes = dict.fromkeys(versions, args.index)
    sources = {name: ("newsearch", path) for name, path in versions.items()}
    result: dict[str, Any] = {"load_before": load_average()}
    result["query"] = interleave.queries(indexes, asked, args.repeat, sources)  # type: ignore[arg-type]
    command = [*web.newsearch_command(), "query", "--index", str(args.index)]
    commands = {
        name: [[*command, *words, "--format", "json"] for words in asked[: args.cold_runs + 1]]
        for name in versions
    }
    result["cold"] = interleave.cold(
        commands,
        args.cold_runs,
        timeout=300,
        sources={k: v for k, v in versions.items() if v is not None},
    )
    result["load_after"] = load_average()
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
