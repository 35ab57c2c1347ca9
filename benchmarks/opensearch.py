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
from benchmarks.measure import summary_ms
from benchmarks.queries import sample
from newsearch.index.os_store import OpenSearchStore
from newsearch.index.store import IndexStore
from newsearch.search.backend import BackendConfig, SearchBackend, open_backend
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from opensearch_cluster import Cluster

RESULTS = Path(__file__).with_name("results")
DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
NOTE = """
Read with care: the machine's load average was 8-15 on its 2 cores during this run (other work
shared them), so absolute figures are several times worse than on a quiet machine, and the two
engines' indexing phases did not see the same load. Both index through the same readers and
tagger in Python, which dominates indexing at this size. A search on the cluster is an HTTP
round trip, `dfs_query_then_fetch` over 3 shards, seven facet aggregations and highlighting on
three JVM nodes sharing 2 cores with the client: at 2,000 items that fixed cost dominates. The
100,000-item run did not fit in the time available under this load; rerun
`python -m benchmarks.opensearch --size 100000` on a quiet machine.
"""
BEGIN, END = "<!-- opensearch -->", "<!-- /opensearch -->"


def _requests(words: list[list[str]]) -> dict[str, list[SearchRequest]]:
    plain = [SearchRequest(" ".join(w), limit=10) for w in words]
    filtered = [
        SearchRequest(" ".join(w), Filters.build(region=["Africa", "Americas"]), limit=10)
        for w in words
    ]
    phrases = [SearchRequest(f'"{" ".join(w[:2])}"', limit=10) for w in words if len(w) > 1]
    return {"words": plain, "words + region filter": filtered, "phrases": phrases}


def _time(engine: SearchBackend, requests: list[SearchRequest], repeat: int) -> dict[str, float]:
    for request in requests[:5]:
        engine.search(request)  # warm-up
    seconds = []
    for _ in range(repeat):
        for request in requests:
            started = time.perf_counter()
            engine.search(request)
            seconds.append(time.perf_counter() - started)
    return summary_ms(seconds)


def _export_rate(engine: SearchBackend) -> float:
    started = time.perf_counter()
    count = sum(1 for _ in engine.export(SearchRequest("", sort="newest")))
    return count / (time.perf_counter() - started)


def run(size: int, queries: int, repeat: int, shards: int, data: Path) -> dict[str, Any]:
    corpus = ensure(size, directory=data)
    records = list(read(corpus))
    words = sample(records, queries, 7)
    requests = _requests(words)
    result: dict[str, Any] = {
        "size": size,
        "queries": queries,
        "repeat": repeat,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "engines": {},
    }
    whoosh_dir = data / f"bench-whoosh-{size}"
    if whoosh_dir.exists():
        import shutil

        shutil.rmtree(whoosh_dir)
    started = time.perf_counter()
    report = IndexStore(whoosh_dir).build([corpus])
    elapsed = time.perf_counter() - started
    with open_backend(BackendConfig(), whoosh_dir) as whoosh:
        result["engines"]["whoosh"] = {
            "index_seconds": elapsed,
            "docs_per_second": report.total / elapsed,
            "latency_ms": {name: _time(whoosh, r, repeat) for name, r in requests.items()},
            "export_per_second": _export_rate(whoosh),
        }
    print(json.dumps(result["engines"]["whoosh"], indent=1), flush=True)
    cluster = Cluster(nodes=3, heap=os.environ.get("NEWSEARCH_BENCH_OPENSEARCH_HEAP", "1536m"))
    try:
        cluster.start()
        store = OpenSearchStore(cluster.url, "bench", shards=shards, replicas=1)
        started = time.perf_counter()
        report = store.build([corpus], rebuild=True)
        elapsed = time.perf_counter() - started
        cluster.wait_health("green")
        config = BackendConfig("opensearch", cluster.url, "bench")
        with open_backend(config, data) as other:
            result["engines"]["opensearch"] = {
                "nodes": 3,
                "shards": shards,
                "replicas": 1,
                "heap": cluster.heap,
                "index_seconds": elapsed,
                "docs_per_second": report.total / elapsed,
                "latency_ms": {name: _time(other, r, repeat) for name, r in requests.items()},
                "export_per_second": _export_rate(other),
            }
    finally:
        cluster.close()
    print(json.dumps(result["engines"]["opensearch"], indent=1), flush=True)
    return result


def markdown(result: dict[str, Any]) -> str:
    w, o = result["engines"]["whoosh"], result["engines"]["opensearch"]
    lines = [
        f"### Whoosh and a 3-node OpenSearch cluster, {result['size']:,} synthetic items",
        "",
        f"One machine ({result['machine']['cpus']} cores, shared), one run: the cluster's three "
        f"nodes in one JVM ({o['heap']} heap) on the same cores as the client; "
        f"{o['shards']} primary shards, {o['replicas']} replica. "
        f"{result['queries']} queries x {result['repeat']} passes; every request counts all "
        "facets (topic, country, region, year, language, kind, source).",
        "",
        "| figure | Whoosh | OpenSearch | OpenSearch / Whoosh |",
        "|---|---|---|---|",
        f"| indexing, items/s | {w['docs_per_second']:,.0f} | {o['docs_per_second']:,.0f} | "
        f"{o['docs_per_second'] / w['docs_per_second']:.2f} |",
    ]
    for name in w["latency_ms"]:
        for stat in ("p50", "p95"):
            a, b = w["latency_ms"][name][f"{stat}_ms"], o["latency_ms"][name][f"{stat}_ms"]
            lines.append(f"| {name}, {stat} ms | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    lines.append(
        f"| export, items/s | {w['export_per_second']:,.0f} | {o['export_per_second']:,.0f} | "
        f"{o['export_per_second'] / w['export_per_second']:.2f} |"
    )
    return "\n".join(lines) + "\n" + NOTE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=100_000, help="synthetic items")
    parser.add_argument("--queries", type=int, default=50, help="distinct queries")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes")
    parser.add_argument("--shards", type=int, default=3, help="primary shards on the cluster")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="corpus and index folder")
    args = parser.parse_args(argv)
    result = run(args.size, args.queries, args.repeat, args.shards, args.data)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"opensearch-{args.size}.json").write_text(json.dumps(result, indent=1) + "\n")
    section = markdown(result)
    print(section)
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
