"""Results as text: a terminal table per size, and docs/performance.md from every result file."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "performance.md"
ENGINE_ORDER = ("newsearch", "sqlite-fts5-numpy", "sqlite-fts5", "whoosh", "tantivy")
TITLES = {
    "newsearch": "newsearch",
    "sqlite-fts5-numpy": "FTS5 + NumPy facets",
    "sqlite-fts5": "SQLite FTS5",
    "whoosh": "plain Whoosh",
    "tantivy": "tantivy",
}
# Project targets at 100k items on a 2-core machine: (figure key, limit, higher is better).
TARGETS = (
    ("first_p95", 20.0, False),
    ("cold", 250.0, False),
    ("docs_per_s", 600.0, True),
    ("index_peak_mb", 300.0, False),
    ("index_mb", 350.0, False),
    ("web_rps", 150.0, True),
    ("web_p95", 150.0, False),
)


def _get(data: dict[str, Any], *path: str) -> float | None:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    if isinstance(node, int | float) and not (isinstance(node, float) and math.isnan(node)):
        return float(node)
    return None


@dataclass(frozen=True)
class Figure:
    """One row of the tables: how to read it from an engine's results, and which way is better."""

    key: str
    label: str
    read: Callable[[dict[str, Any]], float | None]
    higher_is_better: bool = False
    ratio: bool = True
    digits: int = 1


FIGURES = (
    Figure(
        "first_p50",
        "**first ask**: top-10 + facets, query new to the process, p50, ms",
        lambda e: _get(e, "query", "first_ask", "p50_ms"),
        digits=2,
    ),
    Figure(
        "first_p95",
        "**first ask**: top-10 + facets, query new to the process, p95, ms",
        lambda e: _get(e, "query", "first_ask", "p95_ms"),
        digits=2,
    ),
    Figure(
        "first_cpu_p95",
        "first ask, CPU time, p95, ms",
        lambda e: _get(e, "query", "first_ask", "cpu_p95_ms"),
        digits=2,
    ),
    Figure(
        "faceted_p50",
        "warm: top-10 + facets p50, ms",
        lambda e: _get(e, "query", "faceted", "p50_ms"),
        digits=2,
    ),
    Figure(
        "faceted_p95",
        "warm: top-10 + facets p95, ms",
        lambda e: _get(e, "query", "faceted", "p95_ms"),
        digits=2,
    ),
    Figure(
        "faceted_cpu_p95",
        "warm: top-10 + facets, CPU time, p95, ms",
        lambda e: _get(e, "query", "faceted", "cpu_p95_ms"),
        digits=2,
    ),
    Figure(
        "top10_p50", "warm: top-10 p50, ms", lambda e: _get(e, "query", "top10", "p50_ms"), digits=2
    ),
    Figure(
        "top10_p95", "warm: top-10 p95, ms", lambda e: _get(e, "query", "top10", "p95_ms"), digits=2
    ),
    Figure(
        "first_query",
        "open + first query in a fresh searcher, ms",
        lambda e: _get(e, "query", "open_and_first_query_ms"),
    ),
    Figure(
        "cold", "cold query in a fresh process (median), ms", lambda e: _get(e, "cold", "median_ms")
    ),
    Figure(
        "cold_cpu",
        "cold query, CPU time (median), ms",
        lambda e: _get(e, "cold", "cpu_median_ms"),
    ),
    Figure(
        "searcher_mb",
        "searcher memory (RSS) after the queries, MB",
        lambda e: _get(e, "query", "rss_mb"),
    ),
    Figure("docs_per_s", "indexing, docs/s", lambda e: _get(e, "build", "docs_per_s"), True),
    Figure(
        "docs_per_cpu_s",
        "indexing, docs per CPU second",
        lambda e: _get(e, "build", "docs_per_cpu_s"),
        True,
    ),
    Figure("index_s", "indexing, s", lambda e: _get(e, "build", "seconds"), digits=2),
    Figure(
        "index_mb",
        "index size, MB",
        lambda e: None if (b := _get(e, "index_bytes")) is None else b / 1e6,
    ),
    Figure(
        "index_peak_mb", "indexing peak memory (RSS), MB", lambda e: _get(e, "build", "peak_rss_mb")
    ),
    Figure("web_rps", "web API requests/s", lambda e: _get(e, "web", "requests_per_s"), True),
    Figure("web_p50", "web API p50, ms", lambda e: _get(e, "web", "latency", "p50_ms")),
    Figure("web_p95", "web API p95, ms", lambda e: _get(e, "web", "latency", "p95_ms")),
    Figure(
        "web_cheap_p95",
        "web API, plain queries only, p95, ms",
        lambda e: _get(e, "web", "plain_latency", "p95_ms"),
    ),
    Figure(
        "web_cpu",
        "web server CPU seconds per 100 requests",
        lambda e: _get(e, "web", "server_cpu_per_100"),
        digits=2,
    ),
    Figure("web_mb", "web server memory (RSS), MB", lambda e: _get(e, "web", "server_rss_mb")),
    Figure("add100", "adding 100 items, s", lambda e: _get(e, "add", "seconds"), digits=2),
    Figure(
        "matches",
        "mean matches per query",
        lambda e: _get(e, "query", "mean_matches"),
        ratio=False,
        digits=0,
    ),
)


def _number(value: float | None, digits: int) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "–"
    return f"{ours / theirs:.2f}"


def engines_of(result: dict[str, Any]) -> list[str]:
    present = result.get("engines", {})
    return [name for name in ENGINE_ORDER if name in present and "error" not in present[name]]


def table(result: dict[str, Any]) -> str:
    """The Markdown table of one size: every figure for every engine, and newsearch ÷ each peer."""
    names = engines_of(result)
    peers = [n for n in names if n != "newsearch"]
    data = result["engines"]
    head = ["figure", "better", *(TITLES[n] for n in names)]
    head += [f"newsearch ÷ {TITLES[p]}" for p in peers if "newsearch" in names]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fig in FIGURES:
        values = {n: fig.read(data[n]) for n in names}
        if all(v is None for v in values.values()):
            continue
        row = [fig.label, "higher" if fig.higher_is_better else "lower"]
        if not fig.ratio:
            row[1] = ""
        row += [_number(values[n], fig.digits) for n in names]
        if "newsearch" in names:
            row += [_ratio(values["newsearch"], values[p]) if fig.ratio else "" for p in peers]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def notes(result: dict[str, Any]) -> list[str]:
    out: list[str] = []
    data = result.get("engines", {})
    query = result.get("queries", {})
    methods = {e.get("query", {}).get("method") for e in data.values() if "query" in e}
    repeat = query.get("repeat")
    passes = f"{repeat} pass{'es' if repeat != 1 else ''}"
    if methods == {None}:
        asked = f"{query.get('count')} queries, {passes} per mode"
    else:
        asked = f"{query.get('count')} queries: each once (new to the process), then {passes}"
        asked += " in both modes"
    out.append(
        f"{asked}; cold query: median of {result.get('cold_runs')} fresh processes; "
        f"load average before/after: {result.get('load_before')} / {result.get('load_after')}."
    )
    if methods == {None}:
        out.append(
            "older query order: one pass of top-10 over the queries, then one of top-10 + facets; "
            "the top-10 pass was the first time each query was asked (per-query caches cold), "
            "so for newsearch, whose two figures are the same call, the difference between them "
            "is the cost of a query new to the process."
        )
    interleaved = [e["query"] for e in data.values() if "load_before" in e.get("query", {})]
    if interleaved:
        out.append(
            "engines interleaved query by query (each in its own process, the engine asked "
            "first rotating from query to query), and cold runs likewise; CPU time is the "
            "searching process's own (user + system); load average over the query phase: "
            f"{interleaved[0]['load_before']} / {interleaved[0]['load_after']}."
        )
    code = result.get("code") or {}
    if code.get("commit"):
        changed = len(code.get("changed") or ())
        out.append(
            f"code measured: commit {code['commit']}"
            + (f" with {changed} files changed in index/, search/, webui/" if changed else "")
            + "."
        )
    ns = data.get("newsearch", {})
    if ns.get("query", {}).get("top10_has_facets"):
        out.append(
            "newsearch cannot answer without counting facets (Engine.search always does), so its "
            "top-10 figures are the same call as its top-10 + facets figures; it also builds "
            "highlighted snippets for the 10 hits, which the peers do not."
        )
    web = ns.get("web", {})
    if "skipped" in web:
        out.append(f"web API not measured: {web['skipped']}.")
    elif web:
        out.append(
            f"web API: {web.get('clients')} client threads for {web.get('seconds')} s against "
            f"`newsearch serve` ({web.get('server_threads')} server threads) on 127.0.0.1, "
            f"{web.get('mix', 'the benchmark queries')}; the clients run on the same 2 cores "
            "as the server, so they take CPU the server would otherwise have; load average "
            f"before/after: {web.get('load_before')} / {web.get('load_after')}."
        )
    for name, reason in result.get("skipped", {}).items():
        out.append(f"{TITLES.get(name, name)} not measured: {reason}.")
    for name, engine in data.items():
        if "error" in engine:
            out.append(f"{TITLES.get(name, name)} failed: {engine['error']}")
    return out


def targets(result: dict[str, Any]) -> str:
    ns = result.get("engines", {}).get("newsearch")
    if not ns or "error" in ns:
        return ""
    figures = {f.key: f for f in FIGURES}
    lines = ["| target | limit | newsearch | met |", "|---|---|---|---|"]
    for key, limit, higher in TARGETS:
        value = figures[key].read(ns)
        met = "–"
        if value is not None:
            met = "yes" if (value >= limit if higher else value <= limit) else "no"
        sign = "≥" if higher else "≤"
        lines.append(f"| {figures[key].label} | {sign} {limit:g} | {_number(value, 2)} | {met} |")
    return "\n".join(lines)


def _label(result: dict[str, Any]) -> str:
    if result.get("size") == "shared":
        return f"Shared corpus ({result.get('items')} real items)"
    return f"{int(result.get('items') or 0):,} synthetic items"


def _order(result: dict[str, Any]) -> tuple[int, int]:
    return (0 if result.get("size") == "shared" else 1, int(result.get("items") or 0))


def load_results(directory: Path = RESULTS_DIR) -> list[dict[str, Any]]:
    results = []
    for path in sorted(directory.glob("size-*.json")):
        try:
            results.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(results, key=_order)


def markdown(results: list[dict[str, Any]]) -> str:
    parts = [
        "# Performance",
        "",
        "newsearch measured side by side with the engines a user might pick instead, on the same "
        "corpus and the same queries, in the same run. Generated by `python -m benchmarks.run` "
        "(see `benchmarks/README.md`); rerun it to refresh this page.",
        "",
        "## Method",
        "",
        "- **Corpus**: a seeded synthetic news corpus (title 8-14 words, summary 30-60, body "
        "200-400; Zipf-distributed words with labour-news phrases woven in; 12 topics, 60 "
        "countries in 5 regions, dates over 25 years, about 3% French and 3% Spanish items), and "
        "the real shared corpus. Every engine stores title, summary and body.",
        "- **Queries**: AND queries of 1-3 words drawn (seeded) from the titles and summaries of "
        "the corpus, the same list for every engine. Top-10 means the ten best hits with their "
        "stored fields plus the exact number of matches; facets are counts of topic, country, "
        "region and year over all matches. The headline is the **first ask**: each query asked "
        "once, new to every process, so no engine profits from a cache of its own answers to "
        "that query. Then each query is asked again in both modes (warm), the mode asked first "
        "alternating. Engines are interleaved query by query, the engine asked first rotating, "
        "so a burst of load from other users of the machine falls on all of them alike; wall "
        "and CPU time are both recorded.",
        "- **Peers**: SQLite FTS5 (stdlib, `tokenize='porter'`, `bm25()` with the same field "
        "weights, facets by `GROUP BY` over a join table); FTS5 + NumPy facets (the same "
        "table, the matching row numbers counted by `numpy.bincount` over facet arrays loaded "
        "at open, as newsearch counts them); plain Whoosh as its documentation shows it "
        "(`StemmingAnalyzer`, `MultifieldParser`; the ten best from a block-quality top-10 "
        "search, the facets from one unscored `groupedby` pass with `FieldFacet`s and `Count`); "
        "tantivy where installed (`en_stem`, terms aggregations on fast fields).",
        "- **Processes**: indexing, querying and adding run each in a fresh process per engine, "
        "so memory figures are that process's: peak RSS (VmHWM) while indexing, RSS after "
        "all queries for the searcher. Cold query is the wall time of a whole fresh process "
        "(`newsearch query --index DIR ... --format json`; for peers a Python process that opens "
        "the index and runs one faceted query).",
        "- **Ratios** are newsearch ÷ peer: below 1 means newsearch is faster or smaller, except "
        "for rows where higher is better (docs/s, requests/s), where above 1 means newsearch wins.",
        "- **Noise**: the machine is shared (2 cores); the load average before and after each "
        "size and each phase is given. With a load above 2, wall times include waiting for a "
        "core: compare the CPU-time rows then. Differences under ~20% between runs are not "
        "meaningful. An import used to commit every 5 seconds of wall time, so on a busy "
        "machine it wrote many small segments (55 for 10,000 items at a load of 13) and spent "
        "most of its time committing them; a batch now also lasts at least four times as long "
        "as the last commit took (commits at most a fifth of the time), whatever the load.",
        "",
    ]
    if results:
        first = results[-1]
        machine = first.get("machine", {})
        versions = first.get("versions", {})
        parts += [
            "## Machine",
            "",
            f"- {machine.get('cpus')} CPUs ({machine.get('cpu_model')}), "
            f"{machine.get('memory_gib')} GiB, {machine.get('platform')}",
            "- " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
            "",
        ]
    for result in results:
        parts += [f"## {_label(result)}", "", f"Measured {result.get('finished', '?')}.", ""]
        parts += [table(result), ""]
        parts += [f"- {line}" for line in notes(result)]
        parts.append("")
        if int(result.get("items") or 0) >= 100_000:
            parts += ["Targets at this size:", "", targets(result), ""]
    if not results:
        parts += ["No results yet: run `python -m benchmarks.run`.", ""]
    parts += versions_section(RESULTS_DIR)
    return "\n".join(parts)


VERSION_ROWS = (
    ("first ask p50, ms", ("query", "first_ask", "p50_ms")),
    ("first ask p95, ms", ("query", "first_ask", "p95_ms")),
    ("first ask CPU p50, ms", ("query", "first_ask", "cpu_p50_ms")),
    ("first ask CPU p95, ms", ("query", "first_ask", "cpu_p95_ms")),
    ("warm top-10 + facets p95, ms", ("query", "faceted", "p95_ms")),
    ("warm top-10 + facets CPU p95, ms", ("query", "faceted", "cpu_p95_ms")),
    ("open + first query, ms", ("query", "open_and_first_query_ms")),
    ("open + first query CPU, ms", ("query", "open_and_first_query_cpu_ms")),
    ("cold `newsearch query` (median), ms", ("cold", "median_ms")),
    ("cold `newsearch query` CPU (median), ms", ("cold", "cpu_median_ms")),
)


def versions_section(directory: Path) -> list[str]:
    """Tables of ``benchmarks.versions`` runs saved as ``versions-SIZE.json``."""
    parts: list[str] = []
    for path in sorted(directory.glob("versions-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        size = path.stem.split("-", 1)[1]
        if "items_per_cpu_s" in data.get("before", {}):
            parts += _indexing_versions(size, data)
            continue
        parts += [
            f"## Before and after, {size} items (`benchmarks.versions`)",
            "",
            "The previous version and this one on the same index, their queries and cold "
            "starts interleaved; load average before/after: "
            f"{data.get('load_before')} / {data.get('load_after')}.",
            "",
            "| figure | before | after | after ÷ before |",
            "|---|---|---|---|",
        ]
        for label, (part, *path_keys) in VERSION_ROWS:
            values = [_get(data.get(part, {}).get(v, {}), *path_keys) for v in ("before", "after")]
            parts.append(
                f"| {label} | {_number(values[0], 1)} | {_number(values[1], 1)} | "
                f"{_ratio(values[1], values[0])} |"
            )
        parts.append("")
        for part in ("query", "cold"):
            for version in ("before", "after"):
                error = data.get(part, {}).get(version, {}).get("error")
                if error:
                    last = str(error).strip().splitlines()[-1]
                    parts.append(f"- {version}, {part}: no figures ({last}).")
        if parts[-1] != "":
            parts.append("")
    return parts


INDEXING_ROWS = (
    ("items indexed", "items"),
    ("commits", "commits"),
    ("seconds (wall)", "seconds"),
    ("CPU seconds", "cpu_seconds"),
    ("items per CPU second", "items_per_cpu_s"),
    ("peak memory, MB", "peak_rss_mb"),
    ("index size, MB", "index_mb"),
)


def _indexing_versions(size: str, data: dict[str, Any]) -> list[str]:
    """The table of a ``benchmarks.versions --corpus`` run (both versions indexing at once)."""
    parts = [
        f"## Before and after indexing, {size} items (`benchmarks.versions --corpus`)",
        "",
        "The previous version and this one indexing the same corpus file side by side (started "
        "together, so they share the machine's load); load average before/after: "
        f"{data.get('load_before')} / {data.get('load_after')}.",
        "",
        "| figure | before | after | after ÷ before |",
        "|---|---|---|---|",
    ]
    for label, key in INDEXING_ROWS:
        values = [_get(data.get(v, {}), key) for v in ("before", "after")]
        parts.append(
            f"| {label} | {_number(values[0], 1)} | {_number(values[1], 1)} | "
            f"{_ratio(values[1], values[0])} |"
        )
    parts.append("")
    return parts


def text(result: dict[str, Any]) -> str:
    """A plain-text rendering for the terminal (the Markdown table with its notes)."""
    return "\n".join([_label(result), table(result), *notes(result)])


KEPT = ("<!-- opensearch -->", "<!-- /opensearch -->")  # a section another benchmark writes


def write_doc(directory: Path = RESULTS_DIR, doc: Path = DOC) -> Path:
    """Rewrite the page from the result files, keeping the OpenSearch benchmark's section."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    kept = ""
    if doc.exists():
        old = doc.read_text(encoding="utf-8")
        start, end = old.find(KEPT[0]), old.find(KEPT[1])
        if 0 <= start < end:
            kept = "\n" + old[start : end + len(KEPT[1])] + "\n"
    doc.write_text(markdown(load_results(directory)) + kept, encoding="utf-8")
    return doc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write docs/performance.md from result files.")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    print(f"wrote {write_doc(args.results, args.doc)}")


if __name__ == "__main__":
    main()
