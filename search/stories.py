"""Stories: search results with near-duplicate versions shown once, counted per item or story."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from newsearch.index.duplicates import ClusterView
from newsearch.index.errors import ItemNotFoundError
from newsearch.search.columns import Bools, Ints
from newsearch.search.results import FACET_NAMES, FacetValue, Hit

if TYPE_CHECKING:
    from newsearch.search.backend import SearchBackend
    from newsearch.search.engine import SearchRequest

VERSIONS_SHOWN = 20  # versions listed under a story on the page and in the terminal
R = TypeVar("R", bound=tuple[Any, ...])


# -- what the engine asks when it collapses a search -----------------------------------------


def first_per_cluster(ranked: Sequence[R], labels: Ints) -> list[R]:
    """The ranked ``(doc, ...)`` entries, each cluster once: at its best-ranked version."""
    seen: set[int] = set()
    out: list[R] = []
    for entry in ranked:
        label = int(labels[entry[0]])
        if label not in seen:
            seen.add(label)
            out.append(entry)
    return out


def story_totals(labels: Ints, full: Bools, partial: Bools) -> tuple[int, int]:
    """Stories among the full matches, and stories only partial matches reach."""
    whole = np.unique(labels[full])
    some = np.setdiff1d(np.unique(labels[partial]), whole, assume_unique=True)
    return len(whole), len(some)


def with_cluster(hit: Hit, view: ClusterView, doc: int) -> Hit:
    """The hit with its cluster and the number of versions of its story."""
    cluster = view.cluster(doc)
    if cluster is None:
        return hit
    return dataclasses.replace(hit, cluster=cluster, versions=view.versions(doc))


# -- stories: a story and its versions ----------------------------------------------------


@dataclass(frozen=True)
class Story:
    """The first-ranked version of a story, and the ids of all its versions in the index."""

    hit: Hit
    cluster: str
    versions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The hit's stable JSON (``cluster`` and ``versions`` included), with
        ``version_ids``."""
        return {
            **self.hit.to_dict(),
            "cluster": self.cluster,
            "versions": len(self.versions),
            "version_ids": list(self.versions),
        }


def _members(engine: SearchBackend, cluster: str) -> list[str]:
    """The ids of a story's versions (both backends group near-duplicates as they index)."""
    return list(engine.clusters().members(cluster))


def story_of(engine: SearchBackend, hit: Hit) -> Story:
    """A hit with the ids of its story's versions (itself only when it has none)."""
    cluster = hit.cluster or hit.id
    members = _members(engine, cluster) if (hit.versions or 1) > 1 else []
    return Story(hit, cluster, tuple(members or [hit.id]))


def stories(engine: SearchBackend, request: SearchRequest) -> Iterator[Story]:
    """Every match in the requested order, each story once (at its best-ranked version)."""
    seen: set[str] = set()
    for hit in engine.export(request):
        cluster = hit.cluster or hit.id
        if cluster in seen:
            continue
        seen.add(cluster)
        yield story_of(engine, hit)


@dataclass(frozen=True)
class Version:
    """Another version of a story, as listed under it."""

    id: str
    title: str
    date: str | None
    source: str


def other_versions(engine: SearchBackend, hit: Hit, limit: int = VERSIONS_SHOWN) -> list[Version]:
    """The other versions of a hit's story (at most ``limit``), oldest id first."""
    if (hit.versions or 1) <= 1 or hit.cluster is None:
        return []
    out: list[Version] = []
    for item_id in _members(engine, hit.cluster):
        if item_id == hit.id:
            continue
        if len(out) >= limit:
            break
        try:
            item = engine.get(item_id)
        except ItemNotFoundError:
            continue  # removed since: not a version any more
        date = item.date.isoformat() if item.date else None
        out.append(Version(item.id, item.title, date, item.source))
    return out


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


def counts(engine: SearchBackend, request: SearchRequest, collapse: bool) -> StoryCounts:
    """How many items and stories match, and facets counting items, or stories (``collapse``).

    A story counts once for a value when any of its matching versions carries it.
    """
    items = engine.search(dataclasses.replace(request, limit=0, page=1, collapse=False))
    told = engine.search(dataclasses.replace(request, limit=0, page=1, collapse=True))
    facets = told.facets if collapse else items.facets
    return StoryCounts(items.total, told.total, "stories" if collapse else "items", facets)
