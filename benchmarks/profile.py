"""Where newsearch spends its time: cProfile over opening, querying or indexing, hottest first."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.queries import load


def _print(profile: cProfile.Profile, top: int, wall: float) -> None:
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(top)
        print(f"--- by {key} (wall {wall * 1000:.0f} ms) ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:20000])


def profile_open(index: Path, top: int) -> None:
    """The first query of a fresh Engine: opening the index, caches, parsing, searching."""
    from newsearch.search.engine import Engine, SearchRequest

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    Engine(index).search(SearchRequest("forced labour", limit=10))
    profile.disable()
    _print(profile, top, time.perf_counter() - started)


def profile_queries(index: Path, queries: Path, top: int, repeat: int) -> None:
    """Warm queries on one long-lived Engine (the first query is left out)."""
    from newsearch.search.engine import Engine, SearchRequest

    engine = Engine(index)
    asked = load(queries)
    engine.search(SearchRequest(" ".join(asked[0]), limit=10))
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(repeat):
        for words in asked:
            engine.search(SearchRequest(" ".join(words), limit=10))
    profile.disable()
    _print(profile, top, time.perf_counter() - started)


def profile_index(corpus: Path, top: int) -> None:
    """Indexing a corpus file into a new, temporary index."""
    from newsearch.index.store import IndexStore

    folder = Path(tempfile.mkdtemp(prefix="newsearch-profile-"))
    try:
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        IndexStore(folder / "index").build([corpus])
        profile.disable()
        _print(profile, top, time.perf_counter() - started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=("open", "query", "index"))
    parser.add_argument("--index", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    if args.what == "open" and args.index:
        profile_open(args.index, args.top)
    elif args.what == "query" and args.index and args.queries:
        profile_queries(args.index, args.queries, args.top, args.repeat)
    elif args.what == "index" and args.corpus:
        profile_index(args.corpus, args.top)
    else:
        parser.error("open needs --index; query needs --index and --queries; index needs --corpus")


if __name__ == "__main__":
    main()
