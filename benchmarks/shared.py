"""The real shared corpus as JSON Lines records, so the peers index the items newsearch reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.corpus import DATA_DIR, write

SHARED_CORPUS = Path("/work/shared/corpus")


def records(folder: Path) -> list[dict[str, Any]]:
    """newsearch's own reader and tagger over ``folder``, as records of the JSON Lines shape."""
    from newsearch.index.corpus import discover, read_path
    from newsearch.index.tagging import tag

    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    found, _ = discover([folder])
    for path in found:
        for raw in read_path(path).items:
            item = tag(raw)
            if item.id in seen:
                continue
            seen.add(item.id)
            out.append(
                {
                    "title": item.title,
                    "summary": item.summary,
                    "body": item.body,
                    "date": item.date.isoformat() if item.date else "",
                    "url": item.url or "",
                    "topics": list(item.topics),
                    "countries": list(item.countries),
                    "label": item.label or "",
                    "language": item.language,
                }
            )
    return out


def convert(folder: Path = SHARED_CORPUS, directory: Path = DATA_DIR) -> Path:
    """Write the shared corpus as JSON Lines (rewritten every time: the corpus may change)."""
    path = directory / "shared-corpus.jsonl"
    write(path, iter(records(folder)))
    return path
