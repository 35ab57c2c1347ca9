"""Kill an import with SIGKILL at random moments, again and again, then let it finish.

    python -m benchmarks.kills [--items 20000] [--kills 20] [--seed 1] [--batch 2000]

A 20,000-item corpus (JSON Lines, 20 files) is indexed by a child process that reports its
progress (items read, items committed) on a pipe. At a random moment the child is killed with
SIGKILL; the index is then checked: it must open and answer a search (else it counts as damaged),
hold no item twice, and have lost at most the batch in flight: the items the child had read
(by its last report) that are not in the index. The same import is started again, and killed
again, ``--kills`` times; a last run must then finish with every item exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, os, sys
from pathlib import Path
from newsearch.index.store import IndexStore

def report(progress):
    line = json.dumps({"items": progress.items, "committed": progress.committed})
    os.write(1, (line + "\\n").encode())

files = sorted(Path(sys.argv[2]).glob("*.jsonl"))
os.write(1, b'{"ready": true}\\n')
result = IndexStore(sys.argv[1]).build(files, on_progress=report, batch_items=int(sys.argv[3]))
os.write(1, (json.dumps({"done": result.to_dict()["total"]}) + "\\n").encode())
"""

WORDS = [
    "forced",
    "labour",
    "child",
    "workers",
    "fishing",
    "migrant",
    "Indonesia",
    "Peru",
    "Qatar",
    "domestic",
    "wage",
    "union",
    "strike",
    "garment",
    "factory",
    "safety",
    "inspection",
    "recruitment",
    "debt",
    "bondage",
    "trafficking",
]


def write_corpus(folder: Path, items: int, files: int = 20) -> None:
    rng = random.Random(7)
    per = items // files
    for number in range(files):
        lines = []
        for i in range(number * per, (number + 1) * per):
            words = " ".join(rng.choice(WORDS) for _ in range(12))
            lines.append(
                json.dumps(
                    {
                        "title": f"Report {i}: {words[:60]}",
                        "summary": f"{words} {words}.",
                        "date": f"20{10 + i % 15}-{1 + i % 12:02d}",
                        "url": f"https://example.org/k/{i}",
                    }
                )
            )
        (folder / f"part{number:02d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(index: Path) -> tuple[int, int, str]:
    """(items, duplicates, damage) of the index as the kill left it."""
    from newsearch.index.errors import NewsearchError
    from newsearch.index.store import IndexStore
    from newsearch.search.engine import Engine

    if not IndexStore(index).exists():
        return 0, 0, ""
    try:
        ix = IndexStore(index).open()
        with ix.searcher() as searcher:
            ids = [fields["id"] for fields in searcher.all_stored_fields()]
        with Engine(index) as engine:
            found = engine.count("")
            engine.count("forced labour")
    except (NewsearchError, Exception) as exc:
        return 0, 0, f"{type(exc).__name__}: {exc}"
    damage = "" if found == len(set(ids)) else f"counted {found}, stored {len(set(ids))}"
    return len(set(ids)), len(ids) - len(set(ids)), damage


def run(index: Path, corpus: Path, batch: int, kill_after: float | None) -> dict[str, int]:
    """One import; killed ``kill_after`` seconds after it starts reading (None: not killed)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(index), str(corpus), str(batch)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    last = {"items": 0, "committed": 0}
    buffer = b""
    deadline: float | None = None
    outcome = {"killed": 0}
    try:
        while True:
            timeout = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    message = json.loads(line)
                    if message.get("ready") and kill_after is not None:
                        deadline = time.monotonic() + kill_after
                    elif "items" in message:
                        last = message
                    elif "done" in message:
                        outcome["done"] = message["done"]
            if deadline is not None and time.monotonic() >= deadline:
                os.kill(proc.pid, signal.SIGKILL)
                outcome["killed"] = 1
                break
    finally:
        proc.wait()
        proc.stdout.close()
    outcome.update(last)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--most", type=float, default=12.0, help="latest kill, seconds")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp, "corpus"), Path(tmp, "index")
        corpus.mkdir()
        write_corpus(corpus, args.items)
        damaged = duplicates = 0
        worst_loss = 0
        started = time.perf_counter()
        before = 0
        for number in range(1, args.kills + 1):
            after = rng.uniform(0.5, args.most)
            outcome = run(index, corpus, args.batch, after)
            items, doubled, damage = check(index)
            read = outcome["items"]  # items the killed run had read by its last report
            lost = max(0, read - items) if outcome["killed"] else 0
            worst_loss = max(worst_loss, lost)
            damaged += bool(damage)
            duplicates += doubled
            print(
                f"kill {number:2d} at {after:5.1f} s: index {before:6,} -> {items:6,} items, "
                f"read {read:6,} by the last report, lost {lost:5,}, duplicates {doubled}"
                + (f", DAMAGED: {damage}" if damage else "")
                + ("" if outcome["killed"] else " (finished before the kill)"),
                flush=True,
            )
            before = items
        outcome = run(index, corpus, args.batch, None)
        items, doubled, damage = check(index)
        print(
            f"\nfinal run: {items:,} items of {args.items:,}, {doubled} duplicates"
            + (f", DAMAGED: {damage}" if damage else "")
        )
        print(
            f"{args.kills} kills: {damaged} damaged indexes, at most {worst_loss:,} items lost "
            f"by one kill (batch: {args.batch:,} items or 5 s), {duplicates} duplicates after "
            f"kills, {doubled} after the re-run; {time.perf_counter() - started:.0f} s in all"
        )
        ok = not damaged and not duplicates and not doubled and items == args.items
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
