"""Write the graded judgments of a judged query set (heldout/, fresh/) from the items' facts alone.

Each set's queries were written by reading the items and their facts, and judged by these rules
before any ranking was run on them. A condition "a|b" holds when either holds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import holds  # noqa: E402


def holds_any(condition: str, facts: dict[str, object]) -> bool:
    return any(holds(part, facts) for part in condition.split("|"))


def grade(query: dict[str, object], facts: dict[str, object]) -> int:
    if all(holds_any(c, facts) for c in query["need"]):  # type: ignore[attr-defined]
        return 2
    for partial in query.get("partial", []):  # type: ignore[attr-defined]
        if all(holds_any(c, facts) for c in partial):
            return 1
    return 0


def main(folder: Path) -> None:
    facts = [
        json.loads(line)
        for name in ("facts.jsonl", "builtin-facts.jsonl")
        for line in (HERE / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    queries = [
        json.loads(line)
        for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    judged: dict[str, dict[str, int]] = {}
    for query in queries:
        grades = {str(f["title"]): value for f in facts if (value := grade(query, f))}
        judged[str(query["id"])] = grades
        twos = sum(1 for v in grades.values() if v == 2)
        print(f"{query['id']} {query['text']!r}: {twos} relevant, {len(grades) - twos} partly")
    with (folder / "qrels.json").open("w", encoding="utf-8") as out:
        json.dump(judged, out, ensure_ascii=False, indent=1, sort_keys=True)
        out.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not (HERE / sys.argv[1] / "queries.jsonl").is_file():
        sys.exit("usage: python tests/judged/judge.py heldout|fresh")
    main(HERE / sys.argv[1])
