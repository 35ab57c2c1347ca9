"""One search interface, two backends: the embedded Whoosh index or an OpenSearch cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from newsearch.index.item import Item
from newsearch.index.os_client import DEFAULT_INDEX, DEFAULT_URL
from newsearch.search.budget import Limits
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.periods import PeriodCounts
from newsearch.search.query import Parsed
from newsearch.search.results import Hit, SearchResult, Stats

BACKENDS = ("whoosh", "opensearch")


class StoryClusters(Protocol):
    """The near-duplicate clusters of an index (index/duplicates.py groups them on either
    backend)."""

    def members(self, cluster: str) -> list[str]:
        """The ids of every version in cluster ``cluster``, first-read first (empty: none)."""
        ...


@runtime_checkable
class SearchBackend(Protocol):
    """What the CLI, the search page and the research commands ask of an engine, whichever
    holds the items."""

    backend: str  # "whoosh" or "opensearch": named in provenance records

    @property
    def data_dir(self) -> Path:
        """A local folder for what research keeps between runs (term counts, clusters)."""
        ...

    def filters(self, **values: Any) -> Filters: ...

    def parse(self, text: str) -> Parsed: ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def export(self, request: SearchRequest) -> Iterator[Hit]: ...

    def items(self, request: SearchRequest, *, evidence: bool = True) -> Iterator[Item]:
        """Every matching item whole, in the order of :meth:`export`, streamed."""
        ...

    def count(self, text: str, filters: Filters | None = None) -> int: ...

    def counted(self, request: SearchRequest) -> int: ...

    def get(self, item_id: str) -> Item: ...

    def similar(self, item_id: str, limit: int = 10) -> list[Hit]: ...

    def stats(self) -> Stats: ...

    def period_counts(self, request: SearchRequest, unit: str = "year") -> PeriodCounts: ...

    def clusters(self) -> StoryClusters:
        """The index's near-duplicate clusters (the versions of each story)."""
        ...

    def sample(self, size: int) -> tuple[Item, ...]:
        """At most ``size`` items spread over the index (the same tuple while the index is
        unchanged): what key terms compare with when the corpus counts are not kept."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> SearchBackend: ...

    def __exit__(self, *exc: object) -> None: ...


@dataclass(frozen=True)
class BackendConfig:
    """Which backend holds the items, and where: read once at an entry point."""

    kind: str = "whoosh"
    url: str = DEFAULT_URL
    index: str = DEFAULT_INDEX

    @property
    def opensearch(self) -> bool:
        return self.kind == "opensearch"

    @classmethod
    def resolve(
        cls,
        kind: str | None = None,
        url: str | None = None,
        index: str | None = None,
        environ: Any = None,
    ) -> BackendConfig:
        """Flag, then $NEWSEARCH_BACKEND / _OPENSEARCH_URL / _OPENSEARCH_INDEX, then default."""
        env = os.environ if environ is None else environ
        return cls(
            kind=kind or env.get("NEWSEARCH_BACKEND") or "whoosh",
            url=url or env.get("NEWSEARCH_OPENSEARCH_URL") or DEFAULT_URL,
            index=index or env.get("NEWSEARCH_OPENSEARCH_INDEX") or DEFAULT_INDEX,
        )


def open_backend(
    config: BackendConfig, index_dir: str | os.PathLike[str] | Path, limits: Limits | None = None
) -> SearchBackend:
    """The engine for ``config``: Whoosh on ``index_dir`` (each search within ``limits``), or
    OpenSearch at ``config.url``."""
    if config.opensearch:
        from newsearch.search.os_engine import OpenSearchEngine

        # research caches of a cluster's index are kept beside the local index folder
        local = Path(index_dir).parent / f"opensearch-{config.index}"
        return OpenSearchEngine(config.url, config.index, data_dir=local)
    from newsearch.search.engine import Engine

    return Engine(index_dir, limits)
