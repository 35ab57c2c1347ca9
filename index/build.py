"""Indexing runs: read, tag, write and commit in batches, with progress and a report."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsearch.index.documents import document
from newsearch.index.errors import (
    IndexDamagedError,
    NewsearchError,
)
from newsearch.index.interrupt import InterruptGuard
from newsearch.index.item import Item, Problem, RawItem, item_id
from newsearch.index.whoosh_compat import Storage, unlocked_writer

if TYPE_CHECKING:
    from newsearch.index.corpus import ReadResult
    from newsearch.index.store import (
        IndexStore,  # reading and tagging load only when indexing, not when searching
    )


COUNTS = ("added", "updated", "unchanged", "duplicates", "skipped")
BATCH_ITEMS = 2000  # items per commit while indexing ...
BATCH_SECONDS = 5.0  # ... or seconds per commit, whichever comes first, ...
COMMIT_SHARE = 0.2  # ... but a batch lasts long enough that commits take at most this share


@dataclass(frozen=True)
class IndexReport:
    """What an indexing run did: counts, the problems found (file:line), and how long it took."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: int = 0  # blocks and records that were not items
    files: int = 0
    failed_files: int = 0
    seconds: float = 0.0
    total: int = 0  # items in the index after the run
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    interrupted: bool = False
    committed: int = 0  # items written by this run that were committed (batches)
    commits: int = 0  # batches committed
    removed: int = 0  # items deleted: by --prune, or by a rebuild
    stale: int = 0  # items of the files read that those files no longer hold (kept)
    removal_refused: int = 0  # items a rebuild would have removed, kept as it was not confirmed

    @property
    def ok(self) -> bool:
        return self.failed_files == 0 and not self.interrupted and not self.removal_refused

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "files": self.files,
            "failed_files": self.failed_files,
            "total": self.total,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "committed": self.committed,
            "commits": self.commits,
            "removed": self.removed,
            "stale": self.stale,
            "removal_refused": self.removal_refused,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class Progress:
    """How far an indexing run has got: items read and committed, bytes read, time taken."""

    items: int
    committed: int
    bytes_done: int
    bytes_total: int
    seconds: float
    final: bool = False

    @property
    def rate(self) -> float:
        """Items read per second."""
        return self.items / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, estimated from the bytes still to read; None while unknown."""
        if not self.bytes_total or not self.bytes_done or self.seconds <= 0:
            return None
        left = max(0, self.bytes_total - self.bytes_done)
        return left * self.seconds / self.bytes_done


class Run:
    """One indexing run with the write lock held: read, tag, write and commit in batches."""

    def __init__(
        self,
        store: IndexStore,
        storage: Storage,
        found: list[Path],
        problems: list[Problem],
        *,
        guard: InterruptGuard,
        started: float,
        on_file: Callable[[ReadResult], None] | None,
        on_progress: Callable[[Progress], None] | None,
        batch_items: int,
        batch_seconds: float,
    ) -> None:
        self.store = store
        self.storage = storage
        self.found = found
        self.problems = problems
        self.guard = guard
        self.started = started
        self.on_file = on_file
        self.on_progress = on_progress
        self.batch_items = batch_items
        self.batch_seconds = batch_seconds
        self.counts = dict.fromkeys(COUNTS, 0)
        self.failed = 0
        self.seen: dict[str, str] = {}
        self.pending = 0  # items written to the batch in flight
        self.committed = 0  # items of this run committed so far
        self.commits = 0
        self.ix: Any = None
        self.writer: Any = None
        self.searcher: Any = None
        self.clear = False  # the next commit clears the old items
        self.compact = False  # the last commit merges every segment into one
        self.batch_started = time.monotonic()
        self.last_commit = 0.0  # wall seconds the last commit took
        self.bytes_total = 0
        self.bytes_done = 0
        self.last_progress = 0.0
        self.complete: set[str] = set()  # files read without an error: their stale items count

    # -- the run --------------------------------------------------------------------------

    def go(
        self, *, rebuild: bool, prune: bool, confirm: Callable[[int, int], bool] | None
    ) -> IndexReport:
        from newsearch.index.corpus import stream_path
        from newsearch.index.tagging import tag

        store = self.store
        store.clean_leftovers(self.storage)
        self.ix, self.clear = store.open_for_writing(self.storage, rebuild)
        for path in self.found:
            with contextlib.suppress(OSError):
                self.bytes_total += path.stat().st_size
        try:
            if not self.clear:
                with _damage(store):
                    self.searcher = self.ix.searcher()
            for path in self.found:
                result, raws = stream_path(path)  # records one at a time: any file size
                for raw in raws:
                    self.guard.check()  # a Ctrl-C is acted on here, between items
                    read_as = raw_digest(raw)
                    if not self._unchanged(raw, read_as):
                        self._take(tag(raw), path, read_as)
                    if self.pending and self._due():
                        self._commit()
                    self._progress(result.position)
                self.problems.extend(result.problems)
                self.counts["skipped"] += sum(
                    1 for p in result.problems if p.line and p.severity != "note"
                )
                self.failed += result.failed
                if not result.failed and not any(p.severity == "error" for p in result.problems):
                    self.complete.add(_real(str(path)))
                with contextlib.suppress(OSError):
                    self.bytes_done += path.stat().st_size
                self._progress(0)
                if self.on_file is not None:
                    self.on_file(result)
            self.guard.check()
            removed, stale, refused = self._removals(rebuild, prune, confirm)
            self.compact = rebuild and bool(removed)
            self.clear = self.clear or (rebuild and bool(removed) and not self.seen)  # emptied
            if self.pending or removed or (self.clear and rebuild):
                self._commit(delete=removed, final=True)
        except KeyboardInterrupt:
            # Ctrl-C: what was read so far is committed, and the report says so
            self._commit_quietly()
            return self._report(interrupted=True)
        except BaseException:
            self._cancel()
            with contextlib.suppress(Exception):  # a full disk: leave no partial segment
                store.clean_leftovers(self.storage)
            raise
        finally:
            if self.searcher is not None:
                with contextlib.suppress(Exception):
                    self.searcher.close()
        return self._report(
            removed=len(removed), stale=stale - len(removed), removal_refused=refused
        )

    def _unchanged(self, raw: RawItem, read_as: str) -> bool:
        """Whether the index holds this record as it was read and tagged before (then it
        need not be tagged again: a re-run goes through what it committed quickly)."""
        if self.searcher is None:
            return False
        key = item_id(raw.title, raw.date, raw.url)
        if key in self.seen:
            return False
        with _damage(self.store):
            docnum = self.searcher.document_number(id=key)
            if docnum is None:
                return False
            stored = self.searcher.stored_fields(docnum)
        if not str(stored.get("digest") or "").endswith(f" {read_as}"):
            return False
        self.seen[key] = str(stored.get("source", ""))
        self.counts["unchanged"] += 1
        return True

    def _take(self, item: Item, path: Path, read_as: str = "") -> None:
        if item.id in self.seen:
            self.counts["duplicates"] += 1
            self.problems.append(
                Problem(
                    str(path),
                    _line_of(item.source),
                    f"same item as {self.seen[item.id]}; kept once",
                )
            )
            return
        self.seen[item.id] = item.source
        if self.searcher is None:
            state = "added"
        else:
            with _damage(self.store):
                state = _state(self.searcher, item)
        self.counts[state] += 1
        if state == "unchanged":
            return
        writer = self._writer()
        method = writer.add_document if state == "added" else writer.update_document
        try:
            method(**document(item, read_as))
        except OSError as exc:
            raise self.store.write_error(exc, self.committed) from None
        self.pending += 1

    def _due(self) -> bool:
        """Whether the batch in flight is to be committed now: it holds ``batch_items`` items,
        or it has run ``batch_seconds`` and long enough that committing takes at most
        ``COMMIT_SHARE`` of the run's time (commits grow with the index and slow down on a
        busy machine; without this, a run under load spent most of its time committing
        batches of a few dozen items)."""
        if self.pending >= self.batch_items:
            return True
        wait = max(self.batch_seconds, self.last_commit * (1 - COMMIT_SHARE) / COMMIT_SHARE)
        return time.monotonic() - self.batch_started >= wait

    def _writer(self) -> Any:
        if self.writer is None:
            try:
                # the lock is already held; separate segment files keep readers from loading
                # a whole compound file into memory
                writer = unlocked_writer(self.ix, compound=False, limitmb=256)
            except OSError as exc:
                raise self.store.write_error(exc, self.committed) from None
            self.writer = writer
            self.batch_started = time.monotonic()
        return self.writer

    def _commit(self, delete: frozenset[int] | set[int] = frozenset(), final: bool = False) -> None:
        """Commit the batch in flight (and delete ``delete``); Ctrl-C waits until it is done."""
        from whoosh.writing import CLEAR  # loaded when writing, not by every search

        writer = self._writer()
        for docnum in delete:
            writer.delete_document(docnum)
        began = time.monotonic()
        self.guard.hold()
        try:
            with _damage(self.store):
                try:
                    if self.clear:
                        writer.commit(mergetype=CLEAR)
                    elif final and self.compact:  # a rebuild leaves no replaced segment behind
                        writer.commit(optimize=True)
                    else:  # small segments are merged as they come (a log-structured merge),
                        # so a long import on a busy machine does not leave hundreds of them
                        writer.commit(merge=True)
                except OSError as exc:
                    raise self.store.write_error(exc, self.committed) from None
        except BaseException:
            self.writer = None
            raise
        finally:
            self.guard.watch()
        self.writer = None
        self.clear = False
        self.committed += self.pending
        self.pending = 0
        self.commits += 1
        with _damage(self.store):
            if self.searcher is not None:
                self.searcher.close()
            self.searcher = self.ix.searcher()
        self._clusters()
        self.last_commit = time.monotonic() - began

    def _clusters(self) -> None:
        """Bring the near-duplicate clusters beside the index up to the last commit."""
        from newsearch.index.duplicates import update

        try:
            update(self.store.path, self.ix)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # the items are committed; only their grouping waits
            self.problems.append(
                Problem(
                    str(self.store.path),
                    0,
                    f"near-duplicate clusters not updated ({type(exc).__name__}: {exc}); "
                    "the next `newsearch index` run makes them",
                )
            )

    def _commit_quietly(self) -> None:
        """After Ctrl-C: commit the batch in flight if there is one, else give it up."""
        if not self.pending:
            self._cancel()
            return
        try:
            self._commit()
        except KeyboardInterrupt:
            self._cancel()

    def _cancel(self) -> None:
        if self.writer is not None:
            _cancel(self.writer)
            self.writer = None
        self.pending = 0

    def _progress(self, position: int) -> None:
        if self.on_progress is None:
            return
        now = time.perf_counter()
        if position and now - self.last_progress < 0.1:
            return
        self.last_progress = now
        self.on_progress(
            Progress(
                items=sum(self.counts[k] for k in ("added", "updated", "unchanged")),
                committed=self.committed,
                bytes_done=self.bytes_done + position,
                bytes_total=self.bytes_total,
                seconds=now - self.started,
            )
        )

    def _removals(
        self, rebuild: bool, prune: bool, confirm: Callable[[int, int], bool] | None
    ) -> tuple[set[int], int, int]:
        """Documents to delete, how many are stale, and how many a refused rebuild kept."""
        if self.searcher is None:
            return set(), 0, 0
        stale: set[int] = set()
        others: set[int] = set()
        real: dict[str, str] = {}
        with _damage(self.store):
            reader = self.searcher.reader()
            for docnum, fields in reader.iter_docs():
                if fields.get("id") in self.seen:
                    continue
                where = _path_of(str(fields.get("source", "")))
                if where not in real:
                    real[where] = _real(where)
                (stale if real[where] in self.complete else others).add(docnum)
        if rebuild:
            removed = stale | others
            kept = len(self.seen)
            if len(removed) > kept and confirm is not None and not confirm(len(removed), kept):
                return set(), len(stale), len(removed)
            return removed, len(stale) + len(others), 0
        return (stale if prune else set()), len(stale), 0

    def _report(self, **extra: Any) -> IndexReport:
        try:
            total = int(self.ix.doc_count())
        except Exception:
            total = self.store.committed_total()
        if self.commits:
            self.problems.extend(self.store.write_extras(self.ix))
        elif not extra.get("interrupted"):
            self._clusters()  # an index made before its clusters gets them
        return self.store.report(
            self.counts,
            self.found,
            self.problems,
            failed=self.failed,
            started=self.started,
            total=total,
            committed=self.committed,
            commits=self.commits,
            **extra,
        )


def _line_of(source: str) -> int:
    head, _, tail = source.rpartition(":")
    return int(tail) if head and tail.isdigit() else 0


def _path_of(source: str) -> str:
    head, _, tail = source.rpartition(":")
    return head if head and tail.isdigit() else source


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def _state(searcher: Any, item: Item) -> str:
    docnum = searcher.document_number(id=item.id)
    if docnum is None:
        return "added"
    stored = searcher.stored_fields(docnum)
    digest = str(stored.get("digest") or "").split(" ")[0]
    return "unchanged" if digest == item.digest() else "updated"


_TAGGERS = ("dates", "item", "tagging", "places", "topics", "language", "analysis")


@functools.cache
def _taggers() -> bytes:
    """What reading and tagging depend on: the code of the readers and taggers and their data
    (any change to them makes every item be tagged again)."""
    here = Path(__file__).parent
    paths = [here / f"{name}.py" for name in _TAGGERS] + sorted((here / "corpus").glob("*.py"))
    paths += sorted((here / "data").glob("*.json"))
    digest = hashlib.sha256()
    for path in paths:
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.digest()


def raw_digest(raw: RawItem) -> str:
    """A hash of a record as read (every field, its file and line) and of the taggers."""
    digest = hashlib.sha256(_taggers())
    digest.update(repr(dataclasses.astuple(raw)).encode("utf-8", "surrogatepass"))
    return "r" + digest.hexdigest()[:20]


def _cancel(writer: Any) -> None:
    """Give up a writer's uncommitted segment; its files are removed by the next run."""
    with contextlib.suppress(Exception):
        writer.cancel()


@contextlib.contextmanager
def _damage(store: IndexStore) -> Iterator[None]:
    """Errors reading the existing index while writing become IndexDamagedError."""
    try:
        yield
    except (NewsearchError, KeyboardInterrupt, OSError):
        raise
    except Exception as exc:
        raise IndexDamagedError(
            f"the index at {store.path} is damaged ({type(exc).__name__}: {exc})"
        ) from None
