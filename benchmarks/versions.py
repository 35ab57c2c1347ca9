"""Two versions of newsearch on one index, queries and cold starts interleaved.

    python -m benchmarks.versions --index DIR --queries FILE --before SRC [--after SRC]

``SRC`` is a folder holding a ``newsearch`` package (``newsearch/index``, ``newsearch/search``,
``newsearch/webui``), e.g. made from another commit with ``git archive``; without ``--after``
the installed newsearch is the second version. Both answer the same queries in their own
processes, asked in turn (the version asked first rotating), so the machine's load falls on
both alike; wall and CPU time are reported with the load average.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks import interleave, web
from benchmarks.measure import load_average
from benchmarks.queries import load


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--before", type=Path, required=True, help="older version's source")
    parser.add_argument("--after", type=Path, help="newer version's source (default: installed)")
    parser.add_argument("--count", type=int, default=100, help="queries to ask")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    asked = load(args.queries)[: args.count]
    versions: dict[str, Path | None] = {"before": args.before, "after": args.after}
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
