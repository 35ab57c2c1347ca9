"""Near-duplicates: items whose titles and summaries are nearly the same, grouped by MinHash."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from newsearch.index.analysis import fold

if TYPE_CHECKING:  # datasketch pulls in SciPy: imported only when items are signed
    from datasketch import MinHash

# Two items are versions of one story when the estimated Jaccard similarity of their feature
# sets (the words and two-word sequences of title and summary, lowercased and accent-folded)
# is at least THRESHOLD. 0.5 keeps a title changed by a word or a summary cut by half
# together, and keeps apart different stories on the same subject (which share a third of
# their words or less). Chosen before the labelled pairs were first measured.
THRESHOLD = 0.5
PERMUTATIONS = 128
SEED = 1
# LSH: the signature is cut into BANDS bands of ROWS values; two items sharing one whole band
# are candidates (the banding datasketch chooses for a threshold of 0.5 and 128 permutations).
BANDS, ROWS = 25, 5
TRIES = 4  # members of one candidate cluster compared with a new item before giving up on it
BUCKET_CLUSTERS = 64  # clusters one bucket keeps: a band shared by more says nothing
FILE_VERSION = 2
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

Ints = npt.NDArray[np.int64]


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


@functools.cache
def _template() -> MinHash:
    from datasketch import MinHash

    return MinHash(num_perm=PERMUTATIONS, seed=SEED)


def signature_values(title: str, summary: str) -> npt.NDArray[np.uint32] | None:
    """The MinHash values of an item (None when it has neither title nor summary words)."""
    found = features(title, summary)
    if not found:
        return None
    sketch = _template().copy()
    sketch.update_batch(list(found))
    values: npt.NDArray[np.uint32] = sketch.hashvalues.astype(np.uint32)
    return values


class Grouper:
    """Clusters grown one item at a time: LSH buckets hold one member per cluster, and a new
    item joins every candidate cluster one of whose members it resembles (Jaccard estimate at
    least ``threshold``); clusters it joins become one."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.signatures = np.zeros((0, PERMUTATIONS), dtype=np.uint32)
        self.count = 0
        self.parent: list[int] = []
        self.buckets: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]

    def find(self, row: int) -> int:
        parent = self.parent
        root = row
        while parent[root] != root:
            root = parent[root]
        while parent[row] != root:
            parent[row], row = root, parent[row]
        return root

    def _store(self, values: npt.NDArray[np.uint32]) -> int:
        if self.count == len(self.signatures):
            grown = np.zeros((max(1024, 2 * self.count), PERMUTATIONS), dtype=np.uint32)
            grown[: self.count] = self.signatures[: self.count]
            self.signatures = grown
        row = self.count
        self.signatures[row] = values
        self.count += 1
        self.parent.append(row)
        return row

    def add(self, values: npt.NDArray[np.uint32]) -> int:
        """Take one item's signature; return its row."""
        row = self._store(values)
        keys = [values[b * ROWS : (b + 1) * ROWS].tobytes() for b in range(BANDS)]
        candidates: dict[int, list[int]] = {}
        for band, key in enumerate(keys):
            for member in self.buckets[band].get(key, ()):
                found = candidates.setdefault(self.find(member), [])
                if len(found) < TRIES and member not in found:
                    found.append(member)
        if candidates:
            sigs = self.signatures
            for members in candidates.values():
                for member in members:
                    if np.count_nonzero(sigs[member] == values) >= self.threshold * PERMUTATIONS:
                        self._union(row, member)
                        break
        root = self.find(row)
        for band, key in enumerate(keys):
            bucket = self.buckets[band].setdefault(key, [])
            if len(bucket) < BUCKET_CLUSTERS and all(self.find(m) != root for m in bucket):
                bucket.append(row)
        return row

    def _union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the oldest row is the root: a cluster keeps its first item's id
            self.parent[max(ra, rb)] = min(ra, rb)

    def roots(self) -> Ints:
        return np.array([self.find(r) for r in range(self.count)], dtype=np.int64)


@dataclass(frozen=True)
class Clusters:
    """Item id -> its cluster (the first item's id in it); items alone are left out."""

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
    """Cluster ``(id, title, summary)`` records as indexing does: near-identical items join one
    cluster (the grouping measured on the labelled pairs)."""
    grouper = Grouper(threshold)
    ids: list[str] = []
    seen: set[str] = set()
    for item_id, title, summary in records:
        values = signature_values(title, summary)
        if item_id in seen or values is None:
            continue
        seen.add(item_id)
        grouper.add(values)
        ids.append(item_id)
    roots = grouper.roots()
    sizes = np.bincount(roots, minlength=len(ids))
    return Clusters(
        {ids[r]: ids[int(roots[r])] for r in range(len(ids)) if sizes[roots[r]] > 1}, threshold
    )


# -- the cluster file beside an index, brought up to date by every indexing commit -----------


def cluster_path(index_dir: Path) -> Path:
    """The cluster file beside an index: ``<index>.clusters.npz``."""
    return index_dir.with_name(index_dir.name + ".clusters.npz")


@dataclass
class _State:
    """What the cluster file holds: one row per item version read, and where each segment's
    documents are among the rows."""

    ids: list[str]
    keys: list[str]  # the digest of each row's title and summary
    alive: list[bool]
    grouper: Grouper
    segments: dict[str, Ints]  # segment id -> row of each of its documents (-1: none)
    generation: int = -1


_STATES: dict[str, _State] = {}  # per index path, kept across the commits of one run


def _text_key(title: str, summary: str) -> str:
    import hashlib

    return hashlib.sha1(f"{title}\x00{summary}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _load(path: Path) -> _State | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if (
                meta.get("version") != FILE_VERSION
                or meta.get("threshold") != THRESHOLD
                or meta.get("permutations") != PERMUTATIONS
            ):
                return None
            ids = [str(x) for x in data["ids"]]
            keys = [str(x) for x in data["keys"]]
            alive = [bool(x) for x in data["alive"]]
            roots = data["roots"].astype(np.int64)
            sigs = np.array(data["signatures"], dtype=np.uint32)
            seg_rows = data["segment_rows"].astype(np.int64)
            names = [str(x) for x in data["segment_names"]]
            lengths = [int(x) for x in data["segment_lengths"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not (len(ids) == len(keys) == len(alive) == len(roots) == len(sigs)):
        return None
    grouper = Grouper()
    grouper.signatures = sigs if len(sigs) else grouper.signatures
    grouper.count = len(ids)
    grouper.parent = [int(r) for r in roots]
    for row in range(len(ids)):
        if alive[row] and grouper.parent[row] >= 0:
            _bucket(grouper, row)
        elif grouper.parent[row] < 0:
            grouper.parent[row] = row
    segments: dict[str, Ints] = {}
    start = 0
    for name, length in zip(names, lengths, strict=True):
        segments[name] = seg_rows[start : start + length]
        start += length
    return _State(ids, keys, alive, grouper, segments, int(meta.get("generation", -1)))


def _generation_of(path: Path) -> int | None:
    """The commit a cluster file covers (None: no usable file)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if meta.get("version") != FILE_VERSION or meta.get("threshold") != THRESHOLD:
        return None
    return int(meta.get("generation", -1))


def _bucket(grouper: Grouper, row: int) -> None:
    values = grouper.signatures[row]
    root = grouper.find(row)
    for band in range(BANDS):
        key = values[band * ROWS : (band + 1) * ROWS].tobytes()
        bucket = grouper.buckets[band].setdefault(key, [])
        if len(bucket) < BUCKET_CLUSTERS and all(grouper.find(m) != root for m in bucket):
            bucket.append(row)


def _save(path: Path, state: _State, segment_order: list[str]) -> None:
    grouper = state.grouper
    roots = grouper.roots()
    roots[~np.array(state.alive, dtype=bool)] = -1
    parts = [state.segments[name] for name in segment_order]
    meta = {
        "version": FILE_VERSION,
        "threshold": THRESHOLD,
        "permutations": PERMUTATIONS,
        "generation": state.generation,
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".clusters-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                meta=np.array(json.dumps(meta)),
                ids=np.array(state.ids, dtype=str),
                keys=np.array(state.keys, dtype=str),
                alive=np.array(state.alive, dtype=bool),
                roots=roots.astype(np.int32),
                signatures=grouper.signatures[: grouper.count],
                segment_rows=(
                    np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)
                ),
                segment_names=np.array(segment_order, dtype=str),
                segment_lengths=np.array([len(p) for p in parts], dtype=np.int64),
            )
        os.chmod(tmp, 0o644)  # readable as the index is, not only by its owner
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def update(index_dir: Path, ix: Any) -> None:
    """Bring the clusters beside an index up to its last commit: the documents of segments not
    seen before are read (only their titles and summaries) and grouped with the stored
    signatures; items deleted or changed leave their clusters.

    Called by indexing after each commit. Its cost follows the new documents, except when an
    item that had versions was changed or removed: then the clusters are grown again from the
    stored signatures (no item is read again).
    """
    path = cluster_path(Path(index_dir))
    key = str(Path(index_dir).resolve())
    generation = int(ix.latest_generation())
    state = _STATES.get(key)
    on_disk = _generation_of(path)
    if state is not None and on_disk != state.generation:
        state = None  # the file changed (or went) since: it is what counts
    if state is None:
        if on_disk == generation:
            return  # the file already covers this commit
        state = _load(path)
    if state is not None and state.generation == generation and path.exists():
        _STATES[key] = state
        return
    if state is None:
        state = _State([], [], [], Grouper(), {})
    by_key = {(state.ids[r], state.keys[r]): r for r in range(len(state.ids)) if state.alive[r]}
    reader = ix.reader()
    try:
        leaves = [(leaf, base) for leaf, base in reader.leaf_readers() if leaf.segment()]
        order: list[str] = []
        segments: dict[str, Ints] = {}
        live_parts: list[Ints] = []
        for leaf, _ in leaves:
            name = str(leaf.segment().segment_id())
            order.append(name)
            rows = state.segments.get(name)
            if rows is None or len(rows) != leaf.doc_count_all():
                rows = _read_segment(leaf, state, by_key)
            segments[name] = rows
            deleted = leaf.deleted_docs_set or ()
            live = rows.copy()
            if deleted:
                live[np.fromiter(deleted, dtype=np.int64)] = -1
            live_parts.append(live[live >= 0])
    finally:
        reader.close()
    living = np.zeros(len(state.ids), dtype=bool)
    for part in live_parts:
        living[part] = True
    died = [int(r) for r in np.nonzero(np.array(state.alive, dtype=bool) & ~living)[0]]
    live_rows = int(living.sum())
    state.segments = segments
    for r in died:
        state.alive[r] = False
    grouper = state.grouper
    if died:
        roots = grouper.roots()
        sizes = np.bincount(roots, minlength=grouper.count)
        if any(sizes[roots[r]] > 1 for r in died) or len(died) > live_rows:
            state = _regrouped(state)
    state.generation = generation
    _STATES[key] = state
    _save(path, state, order)


def _read_segment(leaf: Any, state: _State, by_key: dict[tuple[str, str], int]) -> Ints:
    deleted = leaf.deleted_docs_set or set()
    rows = np.full(leaf.doc_count_all(), -1, dtype=np.int64)
    for doc in range(leaf.doc_count_all()):
        if doc in deleted:
            continue
        fields = leaf.stored_fields(doc)
        item_id = str(fields.get("id", ""))
        title, summary = str(fields.get("title") or ""), str(fields.get("summary") or "")
        text_key = _text_key(title, summary)
        row = by_key.get((item_id, text_key))
        if row is None:
            values = signature_values(title, summary)
            if values is None:
                values = np.zeros(PERMUTATIONS, dtype=np.uint32)
                row = state.grouper._store(values)  # nothing to compare: alone
            else:
                row = state.grouper.add(values)
            state.ids.append(item_id)
            state.keys.append(text_key)
            state.alive.append(True)
            by_key[(item_id, text_key)] = row
        rows[doc] = row
    return rows


def _regrouped(state: _State) -> _State:
    """The clusters grown again from the living rows' stored signatures (rows renumbered)."""
    keep = [r for r in range(len(state.ids)) if state.alive[r]]
    new_row = np.full(max(1, len(state.ids)), -1, dtype=np.int64)
    grouper = Grouper(state.grouper.threshold)
    old = state.grouper.signatures
    for r in keep:
        values = old[r]
        if int(values.max(initial=0)) == 0:
            new_row[r] = grouper._store(values)
        else:
            new_row[r] = grouper.add(values)
    segments = {}
    for name, rows in state.segments.items():
        mapped = np.where(rows >= 0, new_row[np.maximum(rows, 0)], -1)
        segments[name] = mapped
    return _State(
        [state.ids[r] for r in keep],
        [state.keys[r] for r in keep],
        [True] * len(keep),
        grouper,
        segments,
        state.generation,
    )


# -- reading the clusters for searching ---------------------------------------------------


@dataclass(frozen=True)
class ClusterView:
    """The clusters of one index snapshot, per document number.

    ``labels[doc]`` names the document's cluster (documents the file does not cover, in
    segments committed without it, are each their own); ``sizes[label]`` counts its living
    versions.
    """

    labels: Ints
    sizes: Ints
    ids: tuple[str, ...]  # row -> item id; labels below len(ids) are rows of cluster roots
    rows_alive: npt.NDArray[np.bool_]
    roots: Ints
    covered: bool  # every segment of the snapshot is covered by the file

    def cluster(self, doc: int) -> str | None:
        """The cluster's id (its first item's id); None for a document the file lacks."""
        label = int(self.labels[doc])
        return self.ids[label] if label < len(self.ids) else None

    def versions(self, doc: int) -> int:
        return int(self.sizes[int(self.labels[doc])])

    @functools.cached_property
    def _root_rows(self) -> dict[str, int]:
        rows = np.nonzero((self.roots == np.arange(len(self.roots))) & self.rows_alive)[0]
        return {self.ids[int(r)]: int(r) for r in rows}

    def members(self, cluster: str) -> list[str]:
        """The ids of every living version in cluster ``cluster`` (empty: no such cluster)."""
        root = self._root_rows.get(cluster)
        if root is None:
            return []
        order, sorted_roots = self._by_root
        start, end = np.searchsorted(sorted_roots, [root, root + 1])
        return [self.ids[int(r)] for r in np.sort(order[start:end])]

    @functools.cached_property
    def _by_root(self) -> tuple[Ints, Ints]:
        """Living rows ordered by their cluster, and those clusters (to slice one out)."""
        living = np.nonzero(self.rows_alive & (self.roots >= 0))[0]
        order = living[np.argsort(self.roots[living], kind="stable")]
        return order, self.roots[order]

    def member_ids(self, doc: int) -> list[str]:
        """The ids of every living version of a document's story (itself included)."""
        label = int(self.labels[doc])
        return self.members(self.ids[label]) if label < len(self.ids) else []


def view(index_dir: Path, leaves: list[tuple[Any, int]], size: int) -> ClusterView:
    """The clusters for a snapshot whose segments are ``leaves`` (``size`` documents)."""
    path = cluster_path(Path(index_dir))
    rows = np.full(size, -1, dtype=np.int64)
    covered = False
    ids: tuple[str, ...] = ()
    roots = np.zeros(0, dtype=np.int64)
    alive = np.zeros(0, dtype=bool)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("version") == FILE_VERSION and meta.get("threshold") == THRESHOLD:
                names = [str(x) for x in data["segment_names"]]
                lengths = [int(x) for x in data["segment_lengths"]]
                seg_rows = data["segment_rows"].astype(np.int64)
                starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
                where = {n: (int(starts[i]), lengths[i]) for i, n in enumerate(names)}
                covered = True
                for leaf, base in leaves:
                    found = where.get(str(leaf.segment().segment_id()))
                    if found is None or found[1] != leaf.doc_count_all():
                        covered = False
                        continue
                    rows[base : base + found[1]] = seg_rows[found[0] : found[0] + found[1]]
                ids = tuple(str(x) for x in data["ids"])
                roots = data["roots"].astype(np.int64)
                alive = data["alive"].astype(bool)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        covered = False
    count = len(ids)
    known = rows >= 0
    labels = np.where(known, roots[np.maximum(rows, 0)] if count else 0, count + np.arange(size))
    labels = np.where(labels < 0, count + np.arange(size), labels)
    live_roots = roots[alive & (roots >= 0)] if count else roots
    sizes = np.ones(count + size, dtype=np.int64)
    if count:
        sizes[:count] = np.bincount(live_roots, minlength=count)
    return ClusterView(labels.astype(np.int64), sizes, ids, alive, roots, covered)
