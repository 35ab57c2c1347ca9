"""Run the benchmark suite: every engine, every size, figures to JSON and docs/performance.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # run as `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpus, machine, queries, report, shared, web
from benchmarks.engines import ENGINES, available
from benchmarks.measure import folder_bytes, load_average

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "corpus"


def log(message: str) -> None:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def worker(step: str, *args: str, timeout: float) -> dict[str, Any]:
    """Run one measured step in a fresh Python process; its JSON, or {'error': ...}."""
    command = [sys.executable, "-m", "benchmarks.worker", step, *args]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"{step} took longer than {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": f"{step} failed: {done.stderr.strip()[-600:]}"}
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def cold(
    engine: str, index: Path, asked: list[list[str]], runs: int, timeout: float
) -> dict[str, Any]:
    """Wall time of whole fresh processes answering one faceted query (median of ``runs``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times: list[float] = []
    for number in range(runs + 1):  # the first run only warms the page cache
        words = asked[number % len(asked)]
        if engine == "newsearch":
            command = [
                *web.newsearch_command(),
                "query",
                "--index",
                str(index),
                *words,
                "--format",
                "json",
            ]
        else:
            command = [sys.executable, "-m", "benchmarks.worker", "cold", "--engine", engine]
            command += ["--index", str(index), *words]
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        elapsed = time.perf_counter() - started
        if done.returncode not in {0, 1} or not done.stdout.strip():
            return {"error": f"cold query failed: {done.stderr.strip()[-600:]}"}
        if number:
            times.append(elapsed)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "runs": len(times),
    }


def prepare(label: str, args: argparse.Namespace) -> tuple[Path, list[Path], Path]:
    """The corpus file the peers read, what newsearch indexes, and 100 new items to add."""
    if label == "shared":
        data = shared.convert(args.shared, args.data)
        return (
            data,
            [args.shared],
            corpus.extra(sum(1 for _ in corpus.read(data)), 100, args.seed, args.data),
        )
    size = int(label)
    return (
        corpus.ensure(size, args.seed, args.data),
        [corpus.ensure(size, args.seed, args.data)],
        corpus.extra(size, 100, args.seed, args.data),
    )


def measure_engine(
    name: str,
    label: str,
    data: Path,
    source: list[Path],
    added: Path,
    query_file: Path,
    asked: list[list[str]],
    items: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    index = args.data / "indexes" / label / name
    if index.exists():
        shutil.rmtree(index)
    index.parent.mkdir(parents=True, exist_ok=True)
    budget = max(600.0, items * 0.05)
    log(f"{label}: {name}: indexing {items} items")
    build_args = ["--engine", name, "--index", str(index), "--corpus", str(data)]
    for path in source:
        build_args += ["--source", str(path)]
    built = worker("build", *build_args, timeout=budget)
    if "error" in built:
        return {"error": built["error"]}
    out: dict[str, Any] = {"build": built, "index_bytes": folder_bytes(index)}
    log(f"{label}: {name}: {built['docs_per_s']} docs/s; querying")
    out["query"] = worker(
        "query",
        "--engine",
        name,
        "--index",
        str(index),
        "--queries",
        str(query_file),
        "--repeat",
        str(args.repeat),
        timeout=budget,
    )
    log(f"{label}: {name}: cold queries")
    out["cold"] = cold(name, index, asked, args.cold_runs, timeout=300)
    if name == "newsearch" and args.web_seconds > 0:
        log(f"{label}: {name}: web API")
        out["web"] = web.load(index, asked, clients=args.web_clients, seconds=args.web_seconds)
    log(f"{label}: {name}: adding 100 items")
    out["add"] = worker(
        "add", "--engine", name, "--index", str(index), "--corpus", str(added), timeout=budget
    )
    if not args.keep_indexes:
        shutil.rmtree(index, ignore_errors=True)
    return out


def run_size(label: str, args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    log(f"{label}: preparing the corpus")
    data, source, added = prepare(label, args)
    records = list(corpus.read(data))
    items = len(records)
    asked = queries.sample(records, args.queries, args.seed)
    del records
    query_file = args.data / f"queries-{label}.json"
    queries.save(asked, query_file)
    result: dict[str, Any] = {
        "size": label,
        "items": items,
        "seed": args.seed,
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "load_before": load_average(),
        "queries": {"count": len(asked), "repeat": args.repeat, "first": asked[:5]},
        "cold_runs": args.cold_runs,
        **info,
        "engines": {},
        "skipped": {},
    }
    for name in args.engines:
        reason = available(name)
        if reason:
            result["skipped"][name] = reason
            log(f"{label}: {name}: skipped ({reason})")
            continue
        result["engines"][name] = measure_engine(
            name, label, data, source, added, query_file, asked, items, args
        )
    result["load_after"] = load_average()
    result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="shared,1000,10000",
        help="comma-separated item counts, and 'shared' for the real shared corpus",
    )
    parser.add_argument("--queries", type=int, default=100, help="distinct queries per size")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=report.RESULTS_DIR)
    parser.add_argument("--data", type=Path, default=corpus.DATA_DIR)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--web-clients", type=int, default=4)
    parser.add_argument("--web-seconds", type=float, default=10.0, help="0 skips the web API")
    parser.add_argument("--keep-indexes", action="store_true")
    parser.add_argument("--doc", type=Path, default=report.DOC, help="Markdown page to write")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in args.engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engines: {', '.join(unknown)}; known: {', '.join(ENGINES)}")
    args.data = args.data.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine.describe()
    print(machine.render(info), flush=True)
    for label in (s.strip() for s in args.sizes.split(",") if s.strip()):
        if label == "shared" and not args.shared.is_dir():
            log(f"shared: skipped (no corpus at {args.shared})")
            continue
        result = run_size(label, args, info)
        path = args.out / f"size-{label}.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        print(report.text(result), flush=True)
        log(f"{label}: wrote {path}")
        if not args.no_doc:
            report.write_doc(args.out, args.doc)
    if not args.no_doc:
        log(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
