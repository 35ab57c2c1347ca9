"""Talking to an OpenSearch cluster: the client, its health, and its errors as domain errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newsearch.index.errors import NewsearchError, QueryError

if TYPE_CHECKING:  # the client library loads only when a cluster is used, not for every query
    from opensearchpy import OpenSearch
    from opensearchpy import exceptions as os_errors

DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_INDEX = "newsearch"


class ClusterUnavailableError(NewsearchError):
    """The OpenSearch cluster cannot be reached, or cannot serve the index (red)."""

    hint = (
        "check that the cluster is running and that --url (or $NEWSEARCH_OPENSEARCH_URL) "
        "points at it"
    )


class MappingConflictError(NewsearchError):
    """An index of that name exists with fields of another shape."""

    hint = (
        "choose another index name with --opensearch-index (or $NEWSEARCH_OPENSEARCH_INDEX), "
        "or delete that index if nothing else uses it"
    )


class QueryTooLargeError(QueryError):
    """A query (a word's vocabulary expansion in every language and field) has more clauses
    than the cluster allows."""

    hint = (
        "search with --no-expand (no vocabulary expansion), or raise the cluster's "
        "indices.query.bool.max_clause_count (a dynamic setting; 8192 holds every expansion "
        "of the ILO vocabulary)"
    )


def connect(url: str, *, timeout: float = 30.0) -> OpenSearch:
    """A client for the cluster at ``url`` (one attempt per request: errors surface quickly)."""
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=[url], timeout=timeout, max_retries=0, retry_on_timeout=False)


@contextlib.contextmanager
def cluster_errors(url: str, index: str) -> Iterator[None]:
    """Turn transport failures into :class:`ClusterUnavailableError` with the url in it."""
    from opensearchpy import exceptions as os_errors

    try:
        yield
    except os_errors.ConnectionTimeout:
        raise ClusterUnavailableError(
            f"the OpenSearch cluster at {url} did not answer in time"
        ) from None
    except os_errors.ConnectionError as exc:
        reason = str(getattr(exc, "info", "") or exc).split(":")[-1].strip() or "refused"
        raise ClusterUnavailableError(
            f"cannot reach the OpenSearch cluster at {url} ({reason})"
        ) from None
    except os_errors.TransportError as exc:
        if "too_many" in str(exc.info) and "clauses" in str(exc.info):
            raise QueryTooLargeError(
                f"the OpenSearch cluster at {url} refused the query: it has more clauses than "
                f"the cluster allows ({_reason(exc)})"
            ) from None
        if exc.status_code in {503, 500} or "no_shard_available" in str(exc.error):
            raise ClusterUnavailableError(
                f"the OpenSearch cluster at {url} cannot serve index {index!r} "
                f"({exc.error}: {_reason(exc)})"
            ) from None
        raise


def _reason(exc: os_errors.TransportError) -> str:
    info: Any = exc.info
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("reason") or error.get("type") or exc.error)
    return str(exc.error)


def reason(exc: os_errors.TransportError) -> str:
    """What the cluster said went wrong, in one line."""
    return _reason(exc)


def check_health(client: OpenSearch, url: str, index: str | None = None) -> str:
    """The cluster's (or index's) health; a red one raises :class:`ClusterUnavailableError`."""
    with cluster_errors(url, index or ""):
        if index is not None:
            health = client.cluster.health(index=index)
        else:
            health = client.cluster.health()
    status = str(health.get("status", "red"))
    if status == "red":
        where = f"index {index!r} on " if index else ""
        raise ClusterUnavailableError(
            f"{where}the OpenSearch cluster at {url} is red: some primary shards are not "
            f"assigned ({health.get('unassigned_shards', '?')} unassigned shards, "
            f"{health.get('number_of_nodes', '?')} nodes)",
            hint="wait for the missing nodes to rejoin (GET /_cluster/health), then try again",
        )
    return status
