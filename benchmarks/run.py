"""Run the benchmark suite: every engine, every size, figures to JSON and docs/performance.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # run as `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpus, interleave, machine, queries, report, shared, web
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


def cold_commands(engine: str, index: Path, asked: list[list[str]], runs: int) -> list[list[str]]:
    """One fresh-process command per cold run (run 0 warms the page cache)."""
    out = []
    for number in range(runs + 1):
        words = asked[number % len(asked)]
        if engine == "newsearch":
            command = [*web.newsearch_command(), "query", "--index", str(index), *words]
            out.append([*command, "--format", "json"])
        else:
            command = [sys.executable, "-m", "benchmarks.worker", "cold", "--engine", engine]
            out.append([*command, "--index", str(index), *words])
    return out


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


def build_engine(
    name: str, label: str, data: Path, source: list[Path], items: int, args: argparse.Namespace
) -> tuple[Path, dict[str, Any]]:
    index = args.data / "indexes" / label / name
    if index.exists():
        shutil.rmtree(index)
    index.parent.mkdir(parents=True, exist_ok=True)
    log(f"{label}: {name}: indexing {items} items")
    build_args = ["--engine", name, "--index", str(index), "--corpus", str(data)]
    for path in source:
        build_args += ["--source", str(path)]
    built = worker("build", *build_args, timeout=max(3600.0, items * 0.2))  # busy machines
    if "error" in built:
        return index, {"error": built["error"]}
    log(f"{label}: {name}: {built['docs_per_s']} docs/s ({built.get('docs_per_cpu_s')} per CPU s)")
    return index, {"build": built, "index_bytes": folder_bytes(index)}


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
    indexes: dict[str, Path] = {}
    for name in args.engines:
        reason = available(name)
        if reason:
            result["skipped"][name] = reason
            log(f"{label}: {name}: skipped ({reason})")
            continue
        index, built = build_engine(name, label, data, source, items, args)
        result["engines"][name] = built
        if "error" not in built:
            indexes[name] = index
    log(f"{label}: queries, engines interleaved: {', '.join(indexes)}")
    asked_figures = interleave.queries(indexes, asked, args.repeat)
    log(f"{label}: cold queries, engines interleaved")
    cold_figures = interleave.cold(
        {n: cold_commands(n, i, asked, args.cold_runs) for n, i in indexes.items()},
        args.cold_runs,
        timeout=300,
    )
    for name in indexes:
        result["engines"][name]["query"] = asked_figures.get(name, {"error": "not run"})
        result["engines"][name]["cold"] = cold_figures.get(name, {"error": "not run"})
    if "newsearch" in indexes and args.web_seconds > 0:
        log(f"{label}: newsearch: web API, {args.web_clients} clients")
        result["engines"]["newsearch"]["web"] = web.load(
            indexes["newsearch"], asked, clients=args.web_clients, seconds=args.web_seconds
        )
    for name, index in indexes.items():
        log(f"{label}: {name}: adding 100 items")
        result["engines"][name]["add"] = worker(
            "add", "--engine", name, "--index", str(index), "--corpus", str(added),
            timeout=max(600.0, items * 0.05),
        )  # fmt: skip
        if not args.keep_indexes:
            shutil.rmtree(index, ignore_errors=True)
    result["load_after"] = load_average()
    result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="shared,10000,100000",
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
    parser.add_argument("--web-clients", type=int, default=20)
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
