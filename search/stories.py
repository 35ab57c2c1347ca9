"""Stories: search results with near-duplicate versions shown once, counted per item or story."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsearch.index.duplicates import THRESHOLD, Clusters, group
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest
from newsearch.search.results import FACET_NAMES, FacetValue, Hit

CACHE_VERSION = 1


def cache_path(index_dir: Path) -> Path:
    """The cluster file beside an index: ``<index>.clusters.json``."""
    return index_dir.with_name(index_dir.name + ".clusters.json")


class ClusterFile:
    """The clusters of one index, computed once per commit and kept beside the index.

    The file names the commit fingerprint it was made for; after any commit the clusters are
    made again from the titles and summaries of every item.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, engine: SearchBackend, fingerprint: str) -> Clusters:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if (
                data.get("version") == CACHE_VERSION
                and data.get("fingerprint") == fingerprint
                and data.get("threshold") == THRESHOLD
            ):
                return Clusters({str(k): str(v) for k, v in data["clusters"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        hits = engine.export(SearchRequest("", sort="oldest", limit=1))
        clusters = group((hit.id, hit.title, hit.summary) for hit in hits)
        self._save(clusters, fingerprint)
        return clusters

    def _save(self, clusters: Clusters, fingerprint: str) -> None:
        data = {
            "version": CACHE_VERSION,
            "fingerprint": fingerprint,
            "threshold": THRESHOLD,
            "clusters": clusters.of,
        }
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".clusters-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only place: the clusters are made again next time


@dataclass(frozen=True)
class Story:
    """The first-ranked version of a story, and the ids of all its versions in the index."""

    hit: Hit
    cluster: str
    versions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The hit's stable JSON, extended with ``cluster``, ``versions`` and ``version_ids``."""
        return {
            **self.hit.to_dict(),
            "cluster": self.cluster,
            "versions": len(self.versions),
            "version_ids": list(self.versions),
        }


def stories(engine: SearchBackend, request: SearchRequest, clusters: Clusters) -> Iterator[Story]:
    """Every match in the requested order, each story once (at its best-ranked version)."""
    members = clusters.members()
    seen: set[str] = set()
    for hit in engine.export(request):
        cluster = clusters.cluster(hit.id)
        if cluster in seen:
            continue
        seen.add(cluster)
        yield Story(hit, cluster, tuple(members.get(cluster, [hit.id])))


@dataclass(frozen=True)
class StoryCounts:
    """Matches counted per item and per story, with facet counts in the chosen unit."""

    items: int
    stories: int
    unit: str  # "items" or "stories"
    facets: dict[str, tuple[FacetValue, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "stories": self.stories,
            "counted": self.unit,
            "facets": {
                name: [v.to_dict() for v in self.facets.get(name, ())] for name in FACET_NAMES
            },
        }


def counts(
    engine: SearchBackend, request: SearchRequest, clusters: Clusters, collapse: bool
) -> StoryCounts:
    """How many items and stories match, and facets counting items, or stories (``collapse``).

    A story counts once for a value when any of its matching versions carries it.
    """
    per_story: dict[str, set[tuple[str, str]]] = {}
    tallies: Counter[tuple[str, str]] = Counter()
    items = 0
    for hit in engine.export(request):
        items += 1
        values = _values(hit)
        if collapse:
            per_story.setdefault(clusters.cluster(hit.id), set()).update(values)
        else:
            per_story.setdefault(clusters.cluster(hit.id), set())
            tallies.update(values)
    if collapse:
        for values in per_story.values():
            tallies.update(values)
    facets: dict[str, tuple[FacetValue, ...]] = {}
    for name in FACET_NAMES:
        found = [(value, n) for (field, value), n in tallies.items() if field == name]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        facets[name] = tuple(FacetValue(value, n) for value, n in found)
    return StoryCounts(items, len(per_story), "stories" if collapse else "items", facets)


def _values(hit: Hit) -> set[tuple[str, str]]:
    out = {("topic", t) for t in hit.topics} | {("country", c) for c in hit.countries}
    out |= {("region", r) for r in hit.regions}
    if hit.date:
        out.add(("year", hit.date[:4]))
    return out
