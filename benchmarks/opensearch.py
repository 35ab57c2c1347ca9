"""Whoosh and a 3-node OpenSearch cluster in one run: indexing throughput, query and facet latency.

    python -m benchmarks.opensearch --size 100000 --queries 50 --repeat 3

The cluster is started here from Maven dependencies (tests/opensearch_cluster.py), on
127.0.0.1, in one JVM; both engines answer the same requests through newsearch's one search
interface (facets are always counted), so the figures compare the backends as a user meets them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.corpus import DATA_DIR, ensure, read
from benchmarks.measure import load_average, summary_ms
from benchmarks.queries import sample
from newsearch.index.build import Progress
from newsearch.index.os_store import OpenSearchStore
from newsearch.index.store import IndexStore
from newsearch.search.backend import BackendConfig, SearchBackend, open_backend
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from opensearch_cluster import Cluster

RESULTS = Path(__file__).with_name("results")
DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- opensearch -->", "<!-- /opensearch -->"
TICKS = os.sysconf("SC_CLK_TCK")


def _requests(words: list[list[str]]) -> dict[str, list[SearchRequest]]:
    # as `newsearch query` asks: each story once
    plain = [SearchRequest(" ".join(w), limit=10, grouped=True) for w in words]
    filtered = [
        SearchRequest(
            " ".join(w), Filters.build(region=["Africa", "Americas"]), limit=10, grouped=True
        )
        for w in words
    ]
    phrases = [
        SearchRequest(f'"{" ".join(w[:2])}"', limit=10, grouped=True) for w in words if len(w) > 1
    ]
    # facets alone: every item counted in every facet, no hits
    facets = [
        SearchRequest("", Filters.build(year=[str(2000 + n % 25)]), limit=0)
        for n in range(len(words))
    ]
    return {
        "words": plain,
        "words + region filter": filtered,
        "phrases": phrases,
        "facets only": facets,
    }


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of process ``pid`` so far; 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


class Clock:
    """Wall seconds, this process's CPU seconds and the cluster JVM's CPU seconds."""

    def __init__(self, jvm: int | None) -> None:
        self.jvm = jvm
        self.wall, self.cpu, self.jvm_cpu = time.perf_counter(), time.process_time(), _cpu(jvm)

    def read(self) -> dict[str, float]:
        return {
            "wall_s": round(time.perf_counter() - self.wall, 4),
            "cpu_s": round(time.process_time() - self.cpu, 4),
            "cluster_cpu_s": round(_cpu(self.jvm) - self.jvm_cpu, 4),
        }


def _latency(
    engine: SearchBackend, requests: dict[str, list[SearchRequest]], repeat: int, jvm: int | None
) -> dict[str, Any]:
    """Per kind of request: the first ask of a freshly opened engine (wall and CPU), then
    ``repeat`` timed passes (percentiles of wall, mean CPU per request)."""
    out: dict[str, Any] = {}
    for name, asked in requests.items():
        clock = Clock(jvm)
        engine.search(asked[0])
        first = clock.read()
        seconds, cpu, jvm_cpu = [], 0.0, 0.0
        for _ in range(repeat):
            for request in asked:
                clock = Clock(jvm)
                engine.search(request)
                took = clock.read()
                seconds.append(took["wall_s"])
                cpu += took["cpu_s"]
                jvm_cpu += took["cluster_cpu_s"]
        out[name] = {
            "first": first,
            **summary_ms(seconds),
            "cpu_ms_mean": round(1000 * cpu / len(seconds), 3),
            "cluster_cpu_ms_mean": round(1000 * jvm_cpu / len(seconds), 3),
        }
    return out


def _export_rate(engine: SearchBackend) -> float:
    started = time.perf_counter()
    count = sum(1 for _ in engine.export(SearchRequest("", sort="newest")))
    return count / (time.perf_counter() - started)


def run(
    size: int,
    queries: int,
    repeat: int,
    shards: int,
    data: Path,
    *,
    corpus: Path | None = None,
    whoosh_index: Path | None = None,
    url: str | None = None,
    jvm_pid: int | None = None,
) -> dict[str, Any]:
    """Index ``size`` items into Whoosh (or open the copy of an index of the same corpus,
    ``whoosh_index``) and into a 3-node cluster (started here, or the one at ``url``), then ask
    both the same requests."""
    corpus = corpus or ensure(size, directory=data)
    records = list(read(corpus))
    words = sample(records, queries, 7)
    requests = _requests(words)
    result: dict[str, Any] = {
        "size": size,
        "queries": queries,
        "repeat": repeat,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_start": load_average(),
        "engines": {},
    }
    whoosh: dict[str, Any] = {"indexed_here": whoosh_index is None}
    if whoosh_index is None:
        whoosh_index = data / f"bench-whoosh-{size}"
        if whoosh_index.exists():
            import shutil

            shutil.rmtree(whoosh_index)
        clock = Clock(None)
        report = IndexStore(whoosh_index).build([corpus])
        took = clock.read()
        whoosh.update(indexing=took, docs_per_second=report.total / took["wall_s"])
        whoosh["load_after_indexing"] = load_average()
    with open_backend(BackendConfig(), whoosh_index) as engine:
        stats = engine.stats()
        whoosh["items"], whoosh["size_bytes"] = stats.items, stats.size_bytes
        whoosh["latency"] = _latency(engine, requests, repeat, None)
        whoosh["export_per_second"] = _export_rate(engine)
    whoosh["load_after"] = load_average()
    result["engines"]["whoosh"] = whoosh
    print(json.dumps(whoosh, indent=1), flush=True)
    cluster: Cluster | None = None
    try:
        if url is None:
            cluster = Cluster(
                nodes=3, heap=os.environ.get("NEWSEARCH_BENCH_OPENSEARCH_HEAP", "1536m")
            )
            cluster.start()
            url = cluster.url
            jvm_pid = cluster.process.pid if cluster.process is not None else None
        store = OpenSearchStore(url, "bench", shards=shards, replicas=1)
        clock = Clock(jvm_pid)
        shown = [0.0]

        def heard(progress: Progress) -> None:  # a line every 30 s: how far the load has got
            if progress.final or progress.seconds - shown[0] >= 30:
                shown[0] = progress.seconds
                print(
                    f"opensearch: {progress.items:,} items read, {progress.committed:,} "
                    f"acknowledged, {progress.seconds:.0f} s, load {load_average()}",
                    flush=True,
                )

        report = store.build([corpus], rebuild=True, on_progress=heard)
        took = clock.read()
        other: dict[str, Any] = {
            "nodes": 3,
            "shards": shards,
            "replicas": 1,
            "heap": cluster.heap
            if cluster is not None
            else os.environ.get("NEWSEARCH_BENCH_OPENSEARCH_HEAP", "?"),
            "indexing": took,
            "docs_per_second": report.total / took["wall_s"],
            "load_after_indexing": load_average(),
        }
        config = BackendConfig("opensearch", url, "bench")
        with open_backend(config, data) as engine:
            stats = engine.stats()
            other["items"], other["size_bytes"] = stats.items, stats.size_bytes
            other["segments"] = stats.segments
            other["latency"] = _latency(engine, requests, repeat, jvm_pid)
            other["export_per_second"] = _export_rate(engine)
        other["load_after"] = load_average()
    finally:
        if cluster is not None:
            cluster.close()
    result["engines"]["opensearch"] = other
    print(json.dumps(other, indent=1), flush=True)
    return result


def markdown(result: dict[str, Any], note: str = "") -> str:
    w, o = result["engines"]["whoosh"], result["engines"]["opensearch"]
    lines = [
        f"### Whoosh and a 3-node OpenSearch cluster, {result['size']:,} synthetic items",
        "",
        f"One machine ({result['machine']['cpus']} cores, shared), one run: the cluster's three "
        f"nodes in one JVM ({o['heap']} heap) on the same cores as the client; "
        f"{o['shards']} primary shards, {o['replicas']} replica. "
        f"{result['queries']} queries x {result['repeat']} passes; every request counts all "
        "facets (topic, country, region, year, language, kind, source) and lists each story "
        "once. CPU: the client process's, and the cluster JVM's beside it. Load average "
        f"(1, 5, 15 min) at the start {result['load_start']}, after Whoosh "
        f"{w['load_after']}, after the cluster's indexing {o['load_after_indexing']}, at the "
        f"end {o['load_after']}.",
        "",
        "| figure | Whoosh | OpenSearch | OpenSearch / Whoosh |",
        "|---|---|---|---|",
    ]
    if "indexing" in w:
        lines.append(
            f"| indexing, items/s (wall) | {w['docs_per_second']:,.0f} | "
            f"{o['docs_per_second']:,.0f} | {o['docs_per_second'] / w['docs_per_second']:.2f} |"
        )
        lines.append(
            f"| indexing, CPU s (client + cluster) | {w['indexing']['cpu_s']:,.0f} | "
            f"{o['indexing']['cpu_s']:,.0f} + {o['indexing']['cluster_cpu_s']:,.0f} | |"
        )
    else:
        lines.append(
            f"| indexing, items/s (wall) | (index copied) | {o['docs_per_second']:,.0f} | |"
        )
        lines.append(
            f"| indexing, CPU s (client + cluster) | | {o['indexing']['cpu_s']:,.0f} + "
            f"{o['indexing']['cluster_cpu_s']:,.0f} | |"
        )
    for name in w["latency"]:
        a, b = w["latency"][name], o["latency"][name]
        fa, fb = a["first"], b["first"]
        lines.append(
            f"| {name}: first ask, ms wall (CPU) | {1000 * fa['wall_s']:.0f} "
            f"({1000 * fa['cpu_s']:.0f}) | {1000 * fb['wall_s']:.0f} ({1000 * fb['cpu_s']:.0f} "
            f"+ cluster {1000 * fb['cluster_cpu_s']:.0f}) | {fb['wall_s'] / fa['wall_s']:.2f} |"
        )
        for stat in ("p50", "p95"):
            x, y = a[f"{stat}_ms"], b[f"{stat}_ms"]
            lines.append(f"| {name}: {stat} ms wall | {x:.1f} | {y:.1f} | {y / x:.2f} |")
        lines.append(
            f"| {name}: mean CPU ms per request | {a['cpu_ms_mean']:.1f} | "
            f"{b['cpu_ms_mean']:.1f} + cluster {b['cluster_cpu_ms_mean']:.1f} | "
            f"{(b['cpu_ms_mean'] + b['cluster_cpu_ms_mean']) / a['cpu_ms_mean']:.2f} |"
        )
    lines.append(
        f"| export, items/s | {w['export_per_second']:,.0f} | {o['export_per_second']:,.0f} | "
        f"{o['export_per_second'] / w['export_per_second']:.2f} |"
    )
    lines.append(
        f"| index size, bytes per item (OpenSearch: primaries) | "
        f"{w['size_bytes'] / w['items']:,.0f} | {o['size_bytes'] / o['items']:,.0f} | "
        f"{(o['size_bytes'] / o['items']) / (w['size_bytes'] / w['items']):.2f} |"
    )
    return "\n".join(lines) + "\n" + (f"\n{note.strip()}\n" if note.strip() else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=100_000, help="synthetic items")
    parser.add_argument("--queries", type=int, default=50, help="distinct queries")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes")
    parser.add_argument("--shards", type=int, default=3, help="primary shards on the cluster")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="corpus and index folder")
    parser.add_argument("--corpus", type=Path, help="the corpus file (default: generated)")
    parser.add_argument(
        "--whoosh-index", type=Path, help="a Whoosh index of the corpus to query (not indexed here)"
    )
    parser.add_argument("--url", help="a running 3-node cluster (default: started here)")
    parser.add_argument("--jvm-pid", type=int, help="the running cluster's JVM, for its CPU time")
    parser.add_argument("--note", default="", help="a paragraph written under the table")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md alone")
    args = parser.parse_args(argv)
    result = run(
        args.size,
        args.queries,
        args.repeat,
        args.shards,
        args.data,
        corpus=args.corpus,
        whoosh_index=args.whoosh_index,
        url=args.url,
        jvm_pid=args.jvm_pid,
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"opensearch-{args.size}.json").write_text(json.dumps(result, indent=1) + "\n")
    section = markdown(result, args.note)
    print(section)
    if not args.no_doc:
        write_section(section)


def write_section(section: str, doc: Path = DOC) -> None:
    """Put the figures in docs/performance.md between their markers (appended the first time;
    `python -m benchmarks.run` rewrites the page: run this again after it)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    block = f"{BEGIN}\n## OpenSearch\n\n{section}{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
