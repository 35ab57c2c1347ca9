"""One index folder: open it, lock it for writing, keep its metadata, start indexing runs."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.util.filelock import try_for

from newsearch.index.analysis import STEM_TABLE, StemTable, synonyms
from newsearch.index.build import BATCH_ITEMS, BATCH_SECONDS, COUNTS, IndexReport, Progress, Run
from newsearch.index.documents import document, item_from_stored
from newsearch.index.errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
    NewsearchError,
)
from newsearch.index.interrupt import InterruptGuard
from newsearch.index.item import Problem
from newsearch.index.schema import SCHEMA_VERSION, build_schema
from newsearch.index.whoosh_compat import (
    INDEX_NAME,
    OPEN_ATTEMPTS,
    EmptyIndexError,
    FileIndex,
    SegmentDamagedError,
    Storage,
    clean_uncommitted,
    latest_generation,
    write_empty_generation,
)

if TYPE_CHECKING:  # reading and tagging load only when indexing, not when searching
    from newsearch.index.corpus import ReadResult


META_FILE = "newsearch.json"

_TOC = re.compile(rf"^_{INDEX_NAME}_\d+\.toc$")  # a committed table of contents
_TOC_TEMP = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\..+$")  # one being written
_SEGMENT = re.compile(rf"^{INDEX_NAME}_[0-9a-z]+\.[A-Za-z0-9_.]+$")
_META_TEMP = ".meta-"
_STEM_TEMP = f".{STEM_TABLE}.tmp"


def default_index_dir() -> Path:
    """The per-user data directory the index lives in when no other location is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsearch" / "index"


class IndexStore:
    """One index folder: the Whoosh index plus a small JSON file of metadata.

    Writing is done in batches, each all or nothing. The write lock is taken before anything
    in the folder changes and held until the run's last file is written; a batch's items
    become visible in one step, when Whoosh renames its new table of contents into place, so a
    process killed at any point leaves the index as its last batch committed it. Ctrl-C
    commits the batch in flight; Ctrl-C during a commit lets the commit finish.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @property
    def meta_path(self) -> Path:
        return self.path / META_FILE

    def exists(self) -> bool:
        """Whether the folder holds an index, readable or not (a damaged one counts)."""
        try:
            names = os.listdir(self.path)
        except FileNotFoundError:
            return False
        except NotADirectoryError:
            return False
        except OSError:
            return self.path.is_dir()  # there, but unreadable: open() says why
        return any(_TOC.match(name) or _SEGMENT.match(name) for name in names)

    def open(self) -> Any:
        """Open the index for reading; missing or damaged indexes raise a domain error."""
        if not self.exists():
            raise IndexMissingError(f"no index at {self.path}")
        try:
            os.listdir(self.path)
        except PermissionError as exc:
            raise IndexDamagedError(
                f"cannot read the index folder {self.path}: {exc.strerror}",
                hint="check the permissions of the folder and its files",
            ) from None
        error: IndexDamagedError | None = None
        for _attempt in range(OPEN_ATTEMPTS):
            storage = Storage(str(self.path))
            generation = latest_generation(storage)
            try:
                ix = FileIndex(storage, indexname=INDEX_NAME)
                ix.doc_count()  # reads the table of contents and opens the segment files
                storage.keep()
                return ix
            except PermissionError as exc:
                error = IndexDamagedError(
                    f"cannot read the index at {self.path}: {exc.strerror}",
                    hint="check the permissions of the folder and its files",
                )
            except EmptyIndexError:
                error = IndexDamagedError(
                    f"the index at {self.path} is damaged: its table of contents "
                    f"(_{INDEX_NAME}_N.toc) is missing"
                )
            except FileNotFoundError as exc:
                # A commit removes the files of the generations before it (see reader()).
                error = IndexDamagedError(
                    f"the index at {self.path} is damaged: "
                    f"{Path(exc.filename or '?').name} is missing"
                )
                if latest_generation(storage) != generation:
                    continue
            except SegmentDamagedError as exc:
                error = IndexDamagedError(f"the index at {self.path} is damaged: {exc.message}")
            except Exception as exc:
                error = IndexDamagedError(
                    f"the index at {self.path} is damaged ({type(exc).__name__}: {exc})"
                )
            finally:
                storage.close_opened()
            break
        assert error is not None
        raise error

    def meta(self) -> dict[str, Any]:
        try:
            data = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_meta(self, ix: Any) -> None:
        """``updated`` dates the feed and the stats; ``schema_version`` tells an index of an
        older layout, which is rebuilt rather than updated."""
        meta = {
            "schema_version": SCHEMA_VERSION,
            "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=_META_TEMP)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(meta, handle)
            os.replace(tmp, self.meta_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # -- writing --------------------------------------------------------------------------

    def build(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        rebuild: bool = False,
        prune: bool = False,
        wait: float = 0.0,
        on_file: Callable[[ReadResult], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        confirm: Callable[[int, int], bool] | None = None,
        files: list[Path] | None = None,
        batch_items: int = BATCH_ITEMS,
        batch_seconds: float = BATCH_SECONDS,
    ) -> IndexReport:
        """Read ``paths`` and add, update or keep each item, committing in batches.

        A batch is committed every ``batch_items`` items or ``batch_seconds`` seconds,
        whichever comes first, so a killed run loses at most the batch in flight and the same
        command run again goes on from there (items already committed are unchanged). Ctrl-C
        commits the items read so far and reports the run as interrupted.

        Items that the files read in this run held before but no longer hold are counted as
        ``stale``; ``prune`` removes them. ``rebuild`` leaves the index holding exactly the
        items read: the others are removed in the last commit, after ``confirm(removed, kept)``
        agrees when the run would remove more items than it keeps (no ``confirm``: agreed).
        ``wait`` is how long to wait for another process's write lock before
        :class:`IndexLockedError`.
        """
        started = time.perf_counter()
        found: list[Path] = []
        problems: list[Problem] = []
        guard = InterruptGuard()
        try:
            guard.watch()
            from newsearch.index.corpus import discover

            found, problems = (list(files), []) if files is not None else discover(paths)
            storage = self._storage()
            lock = self._lock(storage, wait)
            try:
                run = Run(
                    self,
                    storage,
                    found,
                    problems,
                    guard=guard,
                    started=started,
                    on_file=on_file,
                    on_progress=on_progress,
                    batch_items=max(1, batch_items),
                    batch_seconds=batch_seconds,
                )
                return run.go(rebuild=rebuild, prune=prune, confirm=confirm)
            finally:
                storage.close_opened()  # after a failure Whoosh may have left some open
                with contextlib.suppress(Exception):
                    lock.release()
        except KeyboardInterrupt:  # before the lock was taken: nothing was written
            return self.report(
                dict.fromkeys(COUNTS, 0),
                found,
                problems,
                failed=0,
                started=started,
                total=self.committed_total(),
                interrupted=True,
            )
        finally:
            guard.release()

    def _storage(self) -> Any:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexWriteError(
                f"cannot create the index folder {self.path}: {exc.strerror or exc}"
            ) from None
        return Storage(str(self.path))

    def _lock(self, storage: Any, wait: float) -> Any:
        """Take the index's write lock (the one Whoosh's own writers use).

        It is an ``flock`` on ``MAIN_WRITELOCK``: the kernel drops it when its holder exits,
        however it exits, so a killed run never leaves the index locked.
        """
        lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
        try:
            acquired = try_for(lock.acquire, timeout=wait, delay=0.05)
        except OSError as exc:
            raise IndexWriteError(
                f"cannot lock the index at {self.path} for writing: {exc.strerror or exc}"
            ) from None
        if not acquired:
            waited = f" (waited {wait:g} s)" if wait else ""
            raise IndexLockedError(
                f"the index at {self.path} is being updated by another process{waited}"
            )
        return lock

    def write_extras(self, ix: Any) -> list[Problem]:
        """The files beside the committed index; failing them leaves the items committed."""
        out: list[Problem] = []
        writes: tuple[tuple[str, Callable[[], None]], ...] = (
            (STEM_TABLE, lambda: _write_stem_table(self.path / STEM_TABLE)),
            (META_FILE, lambda: self._write_meta(ix)),
        )
        for name, write in writes:
            try:
                write()
            except Exception as exc:
                reason = exc.strerror if isinstance(exc, OSError) else None
                out.append(
                    Problem(
                        str(self.path / name),
                        0,
                        "the items were committed, but this file beside the index could not "
                        f"be updated ({reason or type(exc).__name__})",
                    )
                )
        return out

    def committed_total(self) -> int:
        try:
            return int(self.open().doc_count()) if self.exists() else 0
        except NewsearchError:
            return 0

    def report(
        self,
        counts: dict[str, int],
        found: list[Path],
        problems: list[Problem],
        *,
        failed: int,
        started: float,
        total: int,
        interrupted: bool = False,
        **extra: Any,
    ) -> IndexReport:
        read = {str(f) for f in found}
        unread = sum(
            1 for p in problems if p.severity == "error" and not p.line and p.path not in read
        )
        return IndexReport(
            **counts,
            files=len(found),
            failed_files=failed + unread,
            seconds=time.perf_counter() - started,
            total=total,
            problems=tuple(problems),
            interrupted=interrupted,
            **extra,
        )

    def write_error(self, exc: OSError, committed: int = 0) -> IndexWriteError:
        kept = (
            f"the {committed} item(s) of its earlier batches were committed, the batch being "
            "written was not"
            if committed
            else "nothing from this run was committed"
        )
        return IndexWriteError(
            f"could not write the index at {self.path}: {exc.strerror or exc}; {kept}"
        )

    def open_for_writing(self, storage: Any, rebuild: bool) -> tuple[Any, bool]:
        """The index to write to (called with the lock held), and whether its first commit
        must clear the old items (a rebuild of an index built by another version).

        A rebuild keeps the old items readable until it commits; only when the old index
        cannot be read at all does it start from an empty generation at once.
        """
        try:
            if not any(_TOC.match(name) for name in storage.list()):
                if self.exists() and not rebuild:
                    self.open()  # segment files without a table of contents: damaged
                ix = storage.create_index(
                    build_schema(), indexname=INDEX_NAME, indexclass=FileIndex
                )
                return ix, False
            try:
                self.open()
            except IndexDamagedError:
                if not rebuild:
                    raise
                return self._empty_generation(storage), False
            ix = FileIndex(storage, indexname=INDEX_NAME)
            version = self.meta().get("schema_version", SCHEMA_VERSION)
            if _shape(ix.schema) != _shape(build_schema()) or version != SCHEMA_VERSION:
                if not rebuild:
                    raise IndexDamagedError(
                        f"the index at {self.path} was built by a different version of "
                        "newsearch (its fields or their layout differ)"
                    )
                # Readers keep the old schema (and items) until the rebuild commits.
                return FileIndex(storage, schema=build_schema(), indexname=INDEX_NAME), True
            return ix, False
        except OSError as exc:
            raise IndexWriteError(
                f"cannot create the index at {self.path}: {exc.strerror or exc}"
            ) from None

    def _empty_generation(self, storage: Any) -> Any:
        """Replace an unreadable index with an empty one, in one rename."""
        write_empty_generation(storage, build_schema())
        return FileIndex(storage, indexname=INDEX_NAME)

    def clean_leftovers(self, storage: Any) -> None:
        """Remove what a killed run left behind (called with the lock held).

        Half-written tables of contents and metadata, and segment files no committed
        generation refers to. Whoosh's own commit does the same for the segments it replaces.
        """
        try:
            names = storage.list()
        except OSError:
            return
        for name in names:
            if _TOC_TEMP.match(name) or name.startswith((_META_TEMP, _STEM_TEMP)):
                with contextlib.suppress(OSError):
                    storage.delete_file(name)
        clean_uncommitted(storage)


def _shape(schema: Any) -> list[tuple[str, str]]:
    """A schema's field names and types: an index of another shape is rebuilt, not updated."""
    return [(name, type(schema[name]).__name__) for name in schema.names()]


def _write_stem_table(path: Path) -> None:
    synonyms()  # so the table holds the stems a search for a synonym needs
    StemTable.write(path)


__all__ = [
    "BATCH_ITEMS",
    "BATCH_SECONDS",
    "INDEX_NAME",
    "META_FILE",
    "IndexReport",
    "IndexStore",
    "NewsearchError",
    "Progress",
    "default_index_dir",
    "document",
    "item_from_stored",
]
