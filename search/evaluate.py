"""Measure ranking on the judged collection: nDCG@10 and recall@50, next to a plain BM25."""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsearch.index.corpus import read_path, sample_paths
from newsearch.index.item import normalise_title
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest

DEPTH = 50  # how many results are read per query (recall@50)
CUTOFF = 10  # nDCG@10
FLOOR = 0.87  # the mean nDCG@10 newsearch is held to on the judged collection's main set
HELDOUT_FLOOR = 0.86  # and on its held-out queries
FRESH_FLOOR = 0.85  # and on its fresh queries

Ranker = Callable[[str], list[str]]  # query text -> normalised titles, best first


def default_collection() -> Path:
    """The judged collection of a source checkout (tests/judged), not shipped in wheels."""
    return Path(__file__).resolve().parent.parent / "tests" / "judged"


@dataclass(frozen=True)
class Query:
    """One judged query: its text, its kind, and the grade of each relevant item."""

    id: str
    kind: str
    text: str
    grades: dict[str, int]
    set: str = "main"  # "main" (the first collection), "heldout" or "fresh" (written later)


@dataclass
class Run:
    """The figures of one ranker: per query (nDCG@10, recall@50, hits) and their means."""

    name: str
    ndcg: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    similar_p5: float | None = None  # precision@5 of similar items

    def mean(self, values: dict[str, float], ids: Sequence[str] | None = None) -> float:
        chosen = [values[i] for i in (ids if ids is not None else list(values))]
        return sum(chosen) / len(chosen) if chosen else 0.0

    def zero(self, queries: Sequence[Query]) -> int:
        """Queries that answered nothing though the collection holds relevant items."""
        return sum(1 for q in queries if q.grades and not self.found[q.id])


SETS = ("main", "heldout", "fresh")  # a collection's own queries, then heldout/ and fresh/


def load_queries(folder: Path, sets: Sequence[str] = SETS) -> list[Query]:
    """The judged queries of ``folder`` (set "main") and of its ``heldout/`` and ``fresh/``."""
    out = []
    for name in sets:
        place = folder if name == "main" else folder / name
        if not (place / "qrels.json").is_file():
            continue
        qrels = json.loads((place / "qrels.json").read_text(encoding="utf-8"))
        for line in (place / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                grades = {normalise_title(t): g for t, g in qrels.get(record["id"], {}).items()}
                out.append(Query(record["id"], record["kind"], record["text"], grades, name))
    return out


def in_set(queries: Sequence[Query], name: str) -> list[Query]:
    return [q for q in queries if name == "all" or q.set == name]


def corpus_files(folder: Path) -> list[Path]:
    return [*sample_paths(), folder / "items.jsonl"]


def ndcg(ranked: Sequence[str], grades: dict[str, int], cutoff: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain (gain 2**grade - 1) at ``cutoff``."""

    def dcg(values: Sequence[int]) -> float:
        return float(sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values[:cutoff])))

    ideal = dcg(sorted(grades.values(), reverse=True))
    if not ideal:
        return 1.0 if not ranked else 0.0
    return dcg([grades.get(t, 0) for t in ranked]) / ideal


def recall(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    relevant = {t for t, g in grades.items() if g > 0}
    if not relevant:
        return 1.0
    return len(relevant & set(ranked[:depth])) / len(relevant)


def measure(name: str, ranker: Ranker, queries: Sequence[Query]) -> Run:
    run = Run(name)
    for query in queries:
        ranked = ranker(query.text)
        run.ndcg[query.id] = ndcg(ranked, query.grades)
        run.recall[query.id] = recall(ranked, query.grades)
        run.found[query.id] = len(ranked)
    return run


def newsearch_ranker(engine: Engine, **options: Any) -> Ranker:
    def rank(text: str) -> list[str]:
        result = engine.search(SearchRequest(text, limit=DEPTH, **options))
        return [normalise_title(hit.title) for hit in result.hits]

    return rank


def similar_judgments(folder: Path) -> dict[str, set[str]]:
    """Item -> the items like it: sharing a concept and the sector or the country (facts)."""
    facts = [
        json.loads(line)
        for name in ("facts.jsonl", "builtin-facts.jsonl")
        for line in (folder / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out: dict[str, set[str]] = {}
    for item in facts:
        if "builtin" in item:
            continue
        like = {
            normalise_title(other["title"])
            for other in facts
            if other is not item
            and set(item["concepts"]) & set(other["concepts"])
            and (
                (item["sector"] and item["sector"] == other["sector"])
                or (item["country"] and item["country"] == other["country"])
            )
        }
        if like:
            out[normalise_title(item["title"])] = like
    return out


def similar_precision(
    judged: dict[str, set[str]], similar: Callable[[str], list[str]], depth: int = 5
) -> float:
    """Mean share of the first ``depth`` similar items that are like the item (every 4th item)."""
    shares = []
    for number, (title, like) in enumerate(sorted(judged.items())):
        if number % 4:
            continue
        found = similar(title)[:depth]
        shares.append(sum(1 for t in found if t in like) / depth)
    return sum(shares) / len(shares) if shares else 0.0


def bm25_ranker(folder: Path, workdir: Path) -> Ranker:
    """Plain BM25 over title, summary and body as one text: Porter stemming, words ORed."""
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser

    schema = Schema(title=ID(stored=True), content=TEXT(analyzer=StemmingAnalyzer()))
    ix = whoosh_index.create_in(str(workdir), schema)
    writer = ix.writer()
    for path in corpus_files(folder):
        for raw in read_path(path).items:
            text = f"{raw.title}\n{raw.summary}\n{raw.body}"
            writer.add_document(title=normalise_title(raw.title), content=text)
    writer.commit()
    parser = QueryParser("content", schema, group=OrGroup)
    searcher = ix.searcher()

    def rank(text: str) -> list[str]:
        hits = searcher.search(parser.parse(text), limit=DEPTH)
        return [hit["title"] for hit in hits]

    def more_like(title: str) -> list[str]:
        """Whoosh's own more-like-this on the same text: the baseline for similar items."""
        docnum = searcher.document_number(title=title)
        if docnum is None:
            return []
        stored = texts.get(title, "")
        hits = searcher.more_like(docnum, "content", text=stored, top=DEPTH)
        return [hit["title"] for hit in hits]

    texts: dict[str, str] = {}
    for path in corpus_files(folder):
        for raw in read_path(path).items:
            texts[normalise_title(raw.title)] = f"{raw.title}\n{raw.summary}\n{raw.body}"
    rank.more_like = more_like  # type: ignore[attr-defined]
    return rank


def evaluate(
    folder: Path | None = None, sets: Sequence[str] = SETS
) -> tuple[list[Query], list[Run]]:
    """Index the collection in a temporary folder and measure newsearch and the BM25 baseline."""
    folder = folder or default_collection()
    queries = load_queries(folder, sets)
    with tempfile.TemporaryDirectory(prefix="newsearch-eval-") as tmp:
        root = Path(tmp)
        store = IndexStore(root / "index")
        store.build(corpus_files(folder))
        (root / "bm25").mkdir()
        plain = bm25_ranker(folder, root / "bm25")
        baseline = measure("bm25", plain, queries)
        judged = similar_judgments(folder)
        baseline.similar_p5 = similar_precision(judged, plain.more_like)  # type: ignore[attr-defined]
        with Engine(root / "index") as engine:
            ours = measure("newsearch", newsearch_ranker(engine), queries)
            ids = {}
            for hit in engine.export(SearchRequest("")):
                ids[normalise_title(hit.title)] = hit.id

            def similar(title: str) -> list[str]:
                return [normalise_title(h.title) for h in engine.similar(ids[title], 10)]

            ours.similar_p5 = similar_precision(judged, similar)
    return queries, [ours, baseline]


def report(queries: Sequence[Query], runs: Sequence[Run]) -> str:
    lines = []
    header = f"{'query':<5} {'kind':<8} {'text':<44}" + "".join(
        f" {run.name + ' nDCG@10':>17} {'R@50':>6}" for run in runs
    )
    lines.append(header)
    for q in queries:
        row = f"{q.id:<5} {q.kind:<8} {q.text[:44]:<44}"
        for run in runs:
            row += f" {run.ndcg[q.id]:>17.3f} {run.recall[q.id]:>6.3f}"
        lines.append(row)
    for name, chosen in groups(queries):
        kinds: dict[str, list[str]] = defaultdict(list)
        for q in chosen:
            kinds[q.kind].append(q.id)
        lines.append("")
        lines.append(f"set: {name}")
        for kind, ids in [*kinds.items(), ("MEAN", [q.id for q in chosen])]:
            row = f"{kind:<14} {f'({len(ids)} queries)':<44}"
            for run in runs:
                row += f" {run.mean(run.ndcg, ids):>17.3f} {run.mean(run.recall, ids):>6.3f}"
            lines.append(row)
    lines.append("")
    for run in runs:
        lines.append(f"{run.name}: {run.zero(queries)} queries answer nothing though relevant")
    for run in runs:
        if run.similar_p5 is not None:
            lines.append(f"{run.name}: similar items precision@5 {run.similar_p5:.3f}")
    return "\n".join(lines)


def groups(queries: Sequence[Query]) -> list[tuple[str, list[Query]]]:
    """Each query set on its own, then all of them together when there is more than one."""
    names = [name for name in SETS if any(q.set == name for q in queries)]
    out = [(name, in_set(queries, name)) for name in names]
    if len(names) > 1:
        out.append(("all", list(queries)))
    return out


def summary(run: Run, queries: Sequence[Query]) -> dict[str, Any]:
    """Means of one run over some queries: overall and per kind."""
    every = [q.id for q in queries]
    kinds = sorted({q.kind for q in queries})
    return {
        "queries_count": len(every),
        "mean_ndcg@10": round(run.mean(run.ndcg, every), 4),
        "mean_recall@50": round(run.mean(run.recall, every), 4),
        "zero_result_queries": run.zero(queries),
        "by_kind": {
            kind: {
                "ndcg@10": round(run.mean(run.ndcg, ids), 4),
                "recall@50": round(run.mean(run.recall, ids), 4),
            }
            for kind in kinds
            if (ids := [q.id for q in queries if q.kind == kind])
        },
    }


def as_json(queries: Sequence[Query], runs: Sequence[Run]) -> dict[str, Any]:
    kinds = sorted({q.kind for q in queries})
    return {
        run.name: {
            "mean_ndcg@10": round(run.mean(run.ndcg), 4),
            "mean_recall@50": round(run.mean(run.recall), 4),
            "zero_result_queries": run.zero(queries),
            "similar_precision@5": None if run.similar_p5 is None else round(run.similar_p5, 4),
            "sets": {name: summary(run, chosen) for name, chosen in groups(queries)},
            "by_kind": {
                kind: {
                    "ndcg@10": round(run.mean(run.ndcg, ids), 4),
                    "recall@50": round(run.mean(run.recall, ids), 4),
                }
                for kind in kinds
                if (ids := [q.id for q in queries if q.kind == kind])
            },
            "queries": {
                q.id: {"ndcg@10": round(run.ndcg[q.id], 4), "recall@50": round(run.recall[q.id], 4)}
                for q in queries
            },
        }
        for run in runs
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsearch.search.evaluate",
        description="nDCG@10 and recall@50 of newsearch on the judged collection, next to a "
        "plain BM25 baseline computed in the same run. Exit status 1 below the floor "
        f"({FLOOR} on the main set, {HELDOUT_FLOOR} on the held-out one, {FRESH_FLOOR} on the "
        "fresh one).",
    )
    parser.add_argument(
        "folder", nargs="?", type=Path, help="Judged collection (default: tests/judged)."
    )
    parser.add_argument("--format", choices=["text", "json"], default="text", help="Output.")
    parser.add_argument(
        "--set",
        choices=["all", *SETS],
        default="all",
        help="Which judged queries: the main, held-out or fresh set, or all of them (default).",
    )
    args = parser.parse_args(argv)
    folder = args.folder or default_collection()
    if not (folder / "qrels.json").is_file():
        print(f"no judged collection at {folder} (source checkouts have it)", file=sys.stderr)
        return 2
    queries, runs = evaluate(folder, SETS if args.set == "all" else (args.set,))
    if args.format == "json":
        print(json.dumps(as_json(queries, runs), indent=2))
    else:
        print(report(queries, runs))
    ours = runs[0]
    for name, floor in (("main", FLOOR), ("heldout", HELDOUT_FLOOR), ("fresh", FRESH_FLOOR)):
        ids = [q.id for q in queries if q.set == name]
        if ids and ours.mean(ours.ndcg, ids) < floor:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
