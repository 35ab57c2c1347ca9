"""Near-duplicates: items whose titles and summaries are nearly the same, grouped by MinHash."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from newsearch.index.analysis import fold

if TYPE_CHECKING:  # datasketch loads SciPy (seconds): only when grouping
    from datasketch import MinHash

# Two items are versions of one story when the estimated Jaccard similarity of their feature
# sets (the words and two-word sequences of title and summary, lowercased and accent-folded)
# is at least THRESHOLD. 0.5 keeps a title changed by a word or a summary cut by half
# together, and keeps apart different stories on the same subject (which share a third of
# their words or less). Chosen before the labelled pairs were first measured.
THRESHOLD = 0.5
PERMUTATIONS = 128
SEED = 1
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def features(title: str, summary: str) -> set[bytes]:
    """Words and adjacent word pairs of the title and summary, case- and accent-folded."""
    found: set[bytes] = set()
    for text in (title, summary):
        tokens = [fold(w.lower()) for w in _WORD.findall(text)]
        found.update(t.encode("utf-8") for t in tokens)
        found.update(f"{a} {b}".encode() for a, b in pairwise(tokens))
    return found


def signature(title: str, summary: str) -> MinHash:
    from datasketch import MinHash

    sketch = MinHash(num_perm=PERMUTATIONS, seed=SEED)
    sketch.update_batch(list(features(title, summary)))
    return sketch


@dataclass(frozen=True)
class Clusters:
    """Item id -> its cluster (the smallest id in it); items alone are left out."""

    of: dict[str, str]
    threshold: float = THRESHOLD

    def cluster(self, item_id: str) -> str:
        return self.of.get(item_id, item_id)

    def members(self) -> dict[str, list[str]]:
        """Cluster -> its items, for the clusters of two items or more."""
        out: dict[str, list[str]] = {}
        for item_id, cluster in self.of.items():
            out.setdefault(cluster, []).append(item_id)
        return {k: sorted(v) for k, v in out.items()}


def group(records: Iterable[tuple[str, str, str]], threshold: float = THRESHOLD) -> Clusters:
    """Cluster ``(id, title, summary)`` records: near-identical items join one cluster.

    Candidates come from MinHash LSH; an item joins a cluster when its estimated Jaccard
    similarity with the first candidate met from that cluster is at least ``threshold``.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
    sketches: dict[str, MinHash] = {}
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while parent.get(item, item) != item:
            parent[item] = parent.get(parent[item], parent[item])
            item = parent[item]
        return item

    for item_id, title, summary in records:
        if item_id in sketches or not (title.strip() or summary.strip()):
            continue
        sketch = signature(title, summary)
        tried: set[str] = set()  # clusters already compared: one member of each is enough
        for other in lsh.query(sketch):
            cluster = root(other)
            if cluster in tried or cluster == root(item_id):
                continue
            tried.add(cluster)
            if sketch.jaccard(sketches[other]) >= threshold:
                a = root(item_id)
                parent[max(a, cluster)] = min(a, cluster)
        sketches[item_id] = sketch
        lsh.insert(item_id, sketch)
    members = {item: root(item) for item in parent} | {
        r: r for r in {root(item) for item in parent}
    }
    return Clusters({k: v for k, v in members.items()}, threshold)
