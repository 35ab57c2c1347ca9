"""Writing items to OpenSearch: upserts by stable id in bulk, and rebuilds switched in by alias."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from opensearchpy.helpers import streaming_bulk

from newsearch.index.build import IndexReport, Progress, _path_of, _real
from newsearch.index.item import Item, Problem
from newsearch.index.os_client import (
    MappingConflictError,
    check_health,
    cluster_errors,
    connect,
    reason,
)
from newsearch.index.os_mapping import (
    CLUSTER,
    READ_ORDER,
    document,
    mappings,
    settings,
    text_of,
)

if TYPE_CHECKING:
    from newsearch.index.corpus import ReadResult

CHUNK = 500  # items per bulk request
SCAN_PAGE = 2_000  # items per page when every item is read back (near-duplicate grouping)
WRITE_TIMEOUT = 300.0  # seconds
RETRIES = 8  # per chunk, on 429 (back-pressure), with exponential backoff
_STATES = {"created": "added", "updated": "updated", "noop": "unchanged"}


class OpenSearchStore:
    """The items of one newsearch index on a cluster: an alias over a concrete index."""

    def __init__(
        self,
        url: str,
        index: str,
        *,
        shards: int = 1,
        replicas: int = 1,
        client: OpenSearch | None = None,
    ) -> None:
        self.url = url
        self.alias = index
        self.shards = shards
        self.replicas = replicas
        # a bulk request of CHUNK items, or the refresh after a load, may take long on a busy
        # cluster: give writes more time than searches
        self.client = client or connect(url, timeout=WRITE_TIMEOUT)

    # -- the index and its alias ----------------------------------------------------------

    def _template(self) -> None:
        self.client.indices.put_index_template(
            name=f"{self.alias}-template",
            body={
                "index_patterns": [f"{self.alias}-v*"],
                "template": {
                    "settings": settings(shards=self.shards, replicas=self.replicas),
                    "mappings": mappings(),
                },
                "_meta": {"description": "newsearch items (generated; do not edit)"},
            },
        )

    def current(self) -> str | None:
        """The concrete index behind the name, if any (the name itself when it is no alias)."""
        if self.client.indices.exists_alias(name=self.alias):
            found = self.client.indices.get_alias(name=self.alias)
            return str(sorted(found)[-1])
        if self.client.indices.exists(index=self.alias):
            return self.alias
        return None

    def _new_index(self) -> str:
        self._template()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.alias}-v{stamp}"
        self.client.indices.create(index=name)  # settings and mappings from the template
        return name

    def _check_mapping(self, name: str) -> None:
        """Put our mapping on an existing index; a field of another type is a conflict."""
        try:
            self.client.indices.put_mapping(index=name, body=mappings())
        except os_errors.RequestError as exc:
            raise MappingConflictError(
                f"the OpenSearch index {self.alias!r} at {self.url} already exists with fields "
                f"newsearch cannot use ({reason(exc)})"
            ) from None

    def _switch(self, new: str, old: str | None) -> None:
        actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": self.alias}}]
        if old is not None and old != self.alias:
            actions.insert(0, {"remove": {"index": old, "alias": self.alias}})
        if old == self.alias:  # a concrete index had the name: it goes in the same request
            actions.append({"remove_index": {"index": old}})
        self.client.indices.update_aliases(body={"actions": actions})
        if old is not None and old != self.alias:
            self.client.indices.delete(index=old)

    # -- writing --------------------------------------------------------------------------

    def build(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        rebuild: bool = False,
        prune: bool = False,
        on_file: Callable[[ReadResult], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        confirm: Callable[[int, int], bool] | None = None,
        files: list[Path] | None = None,
    ) -> IndexReport:
        """Read ``paths`` and upsert every item by its id; report added/updated/unchanged.

        Every bulk request of :data:`CHUNK` items is acknowledged on its own, so an
        interrupted run keeps what was acknowledged and the same command goes on from there.
        ``rebuild`` fills a new index and switches the name over to it only when it is
        complete, so searches never see a half-built index; when the old index held more
        items than the rebuild read, ``confirm(removed, kept)`` must agree first (no
        ``confirm``: agreed). Items of the files read that those files no longer hold are
        counted as ``stale``; ``prune`` removes them. ``on_progress`` hears how far the
        reading has got (items sent, items acknowledged, bytes read) about ten times a second.
        """
        from newsearch.index.corpus import discover

        started = time.perf_counter()
        found, problems = (list(files), []) if files is not None else discover(paths)
        with cluster_errors(self.url, self.alias):
            self.client.info()  # reachable at all?
            old = self.current()
            if old is not None:
                check_health(self.client, self.url, self.alias)
            if old is not None and not rebuild:
                self._check_mapping(old)
                target = old
            else:
                target = self._new_index()
                # a fresh index is searched by nobody yet: refresh only at the end
                self.client.indices.put_settings(
                    index=target, body={"index": {"refresh_interval": "-1"}}
                )
            interrupted = False
            complete: set[str] = set()
            seen: dict[str, str] = {}
            try:
                counts, failed = self._write(
                    target,
                    found,
                    problems,
                    on_file,
                    fresh=target != old,
                    seen=seen,
                    complete=complete,
                    on_progress=on_progress,
                )
            except _Interrupted as stop:
                counts, failed, interrupted = stop.counts, stop.failed, True
            self.client.indices.refresh(index=target)
            stale, removed = 0, 0
            if not interrupted and target == old:
                stale, removed = self._stale(target, seen, complete, prune)
            if not interrupted:
                self._group(target)
            self.client.indices.put_settings(
                index=target, body={"index": {"refresh_interval": None}}
            )
            self.client.indices.refresh(index=target)
            refused = 0
            if target != old and interrupted and old is not None:
                self.client.indices.delete(index=target)  # the old index stays in place
            elif target != old:
                kept = int(self.client.count(index=target)["count"])
                before = int(self.client.count(index=old)["count"]) if old is not None else 0
                removed = max(0, before - kept)
                if removed > kept and confirm is not None and not confirm(removed, kept):
                    self.client.indices.delete(index=target)
                    refused, removed = removed, 0
                else:
                    self._switch(target, old)
            self._mark_updated()
            total = int(self.client.count(index=self.alias)["count"])
        read = {str(f) for f in found}
        unread = sum(
            1 for p in problems if p.severity == "error" and not p.line and p.path not in read
        )
        return IndexReport(
            added=counts["added"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            duplicates=counts["duplicates"],
            skipped=counts["skipped"],
            files=len(found),
            failed_files=failed + unread,
            seconds=time.perf_counter() - started,
            total=total,
            problems=tuple(problems),
            interrupted=interrupted,
            committed=counts["added"] + counts["updated"],
            removal_refused=refused,
            stale=stale,
            removed=removed,
        )

    def _stale(
        self, target: str, seen: dict[str, str], complete: set[str], prune: bool
    ) -> tuple[int, int]:
        """Items of the files read (without an error) that were not read again: how many,
        and how many were removed (all of them with ``prune``, else none)."""
        gone: list[str] = []
        for hit in self._scan(target, ["id", "source_line"]):
            source = hit["_source"]
            item_id = str(source["id"])
            if item_id in seen:
                continue
            if _real(_path_of(str(source.get("source_line") or ""))) in complete:
                gone.append(item_id)
        if not prune or not gone:
            return len(gone), 0
        removals = ({"_op_type": "delete", "_index": target, "_id": i} for i in gone)
        removed = sum(ok for ok, _ in self._bulk(removals))
        self.client.indices.refresh(index=target)
        return len(gone), removed

    def _group(self, target: str) -> int:
        """Group the index's near-duplicates as the embedded index does (index/duplicates.py:
        MinHash and LSH over titles and summaries, items taken in reading order, a cluster
        named by its first item) and write each item's cluster where it changed. Items alone
        hold none. Returns how many items were changed."""
        from newsearch.index.duplicates import group

        held: dict[str, str | None] = {}
        records: list[tuple[str, str, str]] = []
        for hit in self._scan(target, ["id", "title", "summary", CLUSTER]):
            source = hit["_source"]
            item_id = str(source["id"])
            held[item_id] = source.get(CLUSTER)
            records.append((item_id, text_of(source, "title"), text_of(source, "summary")))
        clusters = group(records)
        changes = (
            {"_op_type": "update", "_index": target, "_id": item_id, "doc": {CLUSTER: wanted}}
            for item_id, before in held.items()
            if (wanted := clusters.of.get(item_id)) != before
        )
        changed = sum(ok for ok, _ in self._bulk(changes))
        return changed

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> Iterator[tuple[bool, dict[str, Any]]]:
        """Bulk requests of CHUNK actions, retried with backoff on 429: (ok, result) of each."""
        yield from streaming_bulk(
            self.client,
            actions,
            chunk_size=CHUNK,
            max_retries=RETRIES,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=False,
        )

    def _scan(self, target: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        """Every document of ``target`` in reading order (file's name, line, id), a page at a
        time from one point in time."""
        pit = self.client.create_pit(index=target, params={"keep_alive": "2m"})["pit_id"]
        after: list[Any] | None = None
        try:
            while True:
                body: dict[str, Any] = {
                    "size": SCAN_PAGE,
                    "sort": [{name: "asc"} for name in READ_ORDER] + [{"id": "asc"}],
                    "pit": {"id": pit, "keep_alive": "2m"},
                    "track_total_hits": False,
                    "_source": fields,
                }
                if after is not None:
                    body["search_after"] = after
                page = self.client.search(body=body)["hits"]["hits"]
                yield from page
                if len(page) < SCAN_PAGE:
                    return
                after = page[-1]["sort"]
        finally:
            with contextlib.suppress(os_errors.TransportError):
                self.client.delete_pit(body={"pit_id": [pit]})

    def _mark_updated(self) -> None:
        """Note the time of this write in the index's metadata (``stats().updated``)."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        body = {"_meta": {**mappings()["_meta"], "updated": now}}
        self.client.indices.put_mapping(index=self.alias, body=body)

    def _write(
        self,
        target: str,
        found: list[Path],
        problems: list[Problem],
        on_file: Callable[[ReadResult], None] | None,
        *,
        fresh: bool,
        seen: dict[str, str],
        complete: set[str],
        on_progress: Callable[[Progress], None] | None = None,
    ) -> tuple[dict[str, int], int]:
        from newsearch.index.corpus import stream_path
        from newsearch.index.tagging import tag

        counts = {"added": 0, "updated": 0, "unchanged": 0, "duplicates": 0, "skipped": 0}
        failed = 0
        sources: dict[str, str] = {}
        started = time.perf_counter()
        total_bytes = sum(p.stat().st_size for p in found if p.is_file())
        done_bytes = 0
        shown = 0.0

        def progress(position: int, final: bool = False) -> None:
            nonlocal shown
            now = time.perf_counter()
            if on_progress is None or (not final and now - shown < 0.1):
                return
            shown = now
            on_progress(
                Progress(
                    items=len(seen),
                    committed=counts["added"] + counts["updated"] + counts["unchanged"],
                    bytes_done=done_bytes + position,
                    bytes_total=total_bytes,
                    seconds=now - started,
                    final=final,
                )
            )

        def items() -> Iterator[Item]:
            nonlocal failed, done_bytes
            for path in found:
                result, raws = stream_path(path)
                for raw in raws:
                    progress(result.position)
                    item = tag(raw)
                    if item.id in seen:
                        counts["duplicates"] += 1
                        problems.append(
                            Problem(str(path), raw.line, f"same item as {seen[item.id]}; kept once")
                        )
                        continue
                    seen[item.id] = item.source
                    yield item
                problems.extend(result.problems)
                counts["skipped"] += sum(
                    1 for p in result.problems if p.line and p.severity != "note"
                )
                failed += result.failed
                if not result.failed and not any(p.severity == "error" for p in result.problems):
                    complete.add(_real(str(path)))
                with contextlib.suppress(OSError):
                    done_bytes += path.stat().st_size
                progress(0)
                if on_file is not None:
                    on_file(result)

        def actions() -> Iterator[dict[str, Any]]:
            for item in items():
                sources[item.id] = item.source
                if fresh:  # nothing to compare with: a plain write is cheaper than an update
                    yield {
                        "_op_type": "index",
                        "_index": target,
                        "_id": item.id,
                        "_source": document(item),
                    }
                    continue
                yield {
                    "_op_type": "update",
                    "_index": target,
                    "_id": item.id,
                    "doc": document(item),
                    "doc_as_upsert": True,
                    "detect_noop": True,
                    "retry_on_conflict": 3,
                }

        try:
            self._send(target, actions(), sources, counts, problems)
            progress(0, final=True)
        except KeyboardInterrupt:
            raise _Interrupted(counts, failed) from None
        return counts, failed + sum(1 for p in problems if "was not indexed" in p.message)

    def _send(
        self,
        target: str,
        actions: Iterator[dict[str, Any]],
        sources: dict[str, str],
        counts: dict[str, int],
        problems: list[Problem],
    ) -> None:
        for ok, info in self._bulk(actions):
            result = info.get("update") or info.get("index") or {}
            item_id = str(result.get("_id", ""))
            if ok:
                counts[_STATES.get(str(result.get("result")), "updated")] += 1
                sources.pop(item_id, None)
                continue
            source = sources.pop(item_id, "")
            path, _, line = source.rpartition(":")
            error = result.get("error") or result.get("exception") or "unknown error"
            if isinstance(error, dict):
                error = error.get("reason") or error.get("type")
            problems.append(
                Problem(
                    path or source,
                    int(line) if line.isdigit() else 0,
                    f"item {item_id} was not indexed: {error} (status {result.get('status')}); "
                    "run the same command again to add it",
                    severity="error",
                )
            )


class _Interrupted(Exception):
    """Ctrl-C during a load: what was acknowledged so far."""

    def __init__(self, counts: dict[str, int], failed: int) -> None:
        super().__init__("interrupted")
        self.counts, self.failed = counts, failed
