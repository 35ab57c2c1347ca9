"""One measured step in a fresh process (build, query, cold, add); prints its figures as JSON."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import peak_rss_mb, status_mb


def build(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.engines import create

    engine = create(args.engine)
    before = status_mb("VmRSS")
    started = time.perf_counter()
    cpu = _cpu()
    count = engine.build(args.corpus, args.source or [args.corpus], args.index)
    seconds = time.perf_counter() - started
    cpu_seconds = _cpu() - cpu
    return {
        "docs": count,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "docs_per_s": round(count / seconds, 1) if seconds else None,
        "docs_per_cpu_s": round(count / cpu_seconds, 1) if cpu_seconds else None,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of the children it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def session(args: argparse.Namespace) -> None:
    """A searcher that answers one query per line of stdin, so a coordinator can interleave
    engines query by query (each in its own process). Replies one JSON line per request:

    * ``{"mode": "faceted" | "top10", "words": [...]}`` -> wall and CPU seconds, total
    * ``{"mode": "stats"}`` -> the process's memory
    The first line printed reports opening the index and answering ``--first`` words.
    """
    from benchmarks.engines import create

    engine = create(args.engine)
    started, cpu = time.perf_counter(), time.process_time()
    engine.open(args.index)
    engine.faceted(args.first)  # opening is lazy in some engines: the first query pays for it
    _reply(
        {
            "open_and_first_query_ms": round((time.perf_counter() - started) * 1000, 2),
            "open_and_first_query_cpu_ms": round((time.process_time() - cpu) * 1000, 2),
        }
    )
    for line in sys.stdin:
        request = json.loads(line)
        mode = request["mode"]
        if mode == "stats":
            _reply({"rss_mb": status_mb("VmRSS"), "peak_rss_mb": status_mb("VmHWM")})
            continue
        ask = engine.top10 if mode == "top10" else engine.faceted
        t0, c0 = time.perf_counter(), time.process_time()
        answer = ask(request["words"])
        wall, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        _reply({"wall": wall, "cpu": cpu_s, "total": answer.total})
    engine.close()


def _reply(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def query(args: argparse.Namespace) -> dict[str, Any]:
    """Latencies of one long-lived searcher.

    First every query once (top-10 + facets), new to the process: the first-ask figures, and
    the warm-up. Then ``repeat`` passes asking each query in both modes, the mode asked first
    alternating, so neither mode profits from caches the other filled.
    """
    from benchmarks.engines import create
    from benchmarks.measure import summary_ms
    from benchmarks.queries import load

    queries = load(args.queries)
    engine = create(args.engine)
    started = time.perf_counter()
    engine.open(args.index)
    engine.faceted(queries[0])  # opening is lazy in some engines: the first query pays for it
    first = time.perf_counter() - started
    timings: dict[str, list[float]] = {"first_ask": [], "top10": [], "faceted": []}
    totals: list[int] = []
    for words in queries[1:]:
        t0 = time.perf_counter()
        answer = engine.faceted(words)
        timings["first_ask"].append(time.perf_counter() - t0)
        totals.append(answer.total)
    for rep in range(args.repeat):
        for number, words in enumerate(queries):
            modes = ("top10", "faceted") if (number + rep) % 2 == 0 else ("faceted", "top10")
            for mode in modes:
                ask = engine.top10 if mode == "top10" else engine.faceted
                t0 = time.perf_counter()
                ask(words)
                timings[mode].append(time.perf_counter() - t0)
    return {
        "method": "first-ask pass, then interleaved modes",
        "open_and_first_query_ms": round(first * 1000, 1),
        "first_ask": summary_ms(timings["first_ask"]),
        "top10": summary_ms(timings["top10"]),
        "faceted": summary_ms(timings["faceted"]),
        "top10_has_facets": engine.top10_has_facets,
        "mean_matches": round(sum(totals) / len(totals), 1) if totals else 0,
        "zero_match_queries": sum(1 for t in totals if t == 0),
        "queries_asked": len(queries) + 2 * args.repeat * len(queries),
        "rss_mb": status_mb("VmRSS"),
        "peak_rss_mb": status_mb("VmHWM"),
    }


def cold(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.engines import create

    engine = create(args.engine)
    engine.open(args.index)
    answer = engine.faceted(args.words)
    return {"total": answer.total, "ids": answer.ids, "facets": answer.facets}


def add(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.engines import create

    engine = create(args.engine)
    started = time.perf_counter()
    count = engine.add(args.corpus, args.index)
    return {"added": count, "seconds": round(time.perf_counter() - started, 3)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    steps = parser.add_subparsers(dest="step", required=True)
    for name in ("build", "query", "cold", "add", "session"):
        step = steps.add_parser(name)
        step.add_argument("--engine", required=True)
        step.add_argument("--index", type=Path, required=True)
        if name in {"build", "add"}:
            step.add_argument("--corpus", type=Path, required=True)
        if name == "build":
            step.add_argument("--source", type=Path, action="append")
        if name == "query":
            step.add_argument("--queries", type=Path, required=True)
            step.add_argument("--repeat", type=int, default=3)
        if name == "cold":
            step.add_argument("words", nargs="+")
        if name == "session":
            step.add_argument("first", nargs="+")
    args = parser.parse_args(argv)
    if args.step == "session":
        session(args)
        return
    result = {"build": build, "query": query, "cold": cold, "add": add}[args.step](args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
