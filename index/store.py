"""Index storage: create, open, lock and write the Whoosh index, and its metadata."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import functools
import hashlib
import json
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.util import random_name
from whoosh.util.filelock import try_for
from whoosh.writing import CLEAR

from newsearch.index.analysis import SEPARATOR, STEM_TABLE, StemTable, mark, synonyms
from newsearch.index.errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
    NewsearchError,
)
from newsearch.index.fields import item_fields
from newsearch.index.item import Item, Problem, RawItem, item_id
from newsearch.index.schema import SCHEMA_VERSION, UNDATED, UNDATED_LAST, build_schema

if TYPE_CHECKING:  # reading and tagging load only when indexing, not when searching
    from newsearch.index.corpus import ReadResult

META_FILE = "newsearch.json"
INDEX_NAME = "MAIN"

_TOC = re.compile(rf"^_{INDEX_NAME}_\d+\.toc$")  # a committed table of contents
_TOC_TEMP = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\..+$")  # one being written
_SEGMENT = re.compile(rf"^{INDEX_NAME}_[0-9a-z]+\.[A-Za-z0-9_.]+$")
_META_TEMP = ".meta-"
_STEM_TEMP = f".{STEM_TABLE}.tmp"
_OPEN_ATTEMPTS = 5
_SIZES = ".sizes.json"  # beside a segment's files: their sizes when it was committed
_COUNTS = ("added", "updated", "unchanged", "duplicates", "skipped")
BATCH_ITEMS = 2000  # items per commit while indexing ...
BATCH_SECONDS = 5.0  # ... or seconds per commit, whichever comes first


def default_index_dir() -> Path:
    """The per-user data directory the index lives in when no other location is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsearch" / "index"


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


def document(item: Item, read_as: str = "") -> dict[str, Any]:
    """The Whoosh document for an item: marked text for the analyzer, original text stored.

    ``read_as`` (see :func:`raw_digest`) is stored after the item's digest, so a later run that
    reads the same record with the same taggers knows it unchanged without tagging it again.
    """
    lang = item.language
    key = int(item.date.strftime("%Y%m%d")) if item.date else None
    doc: dict[str, Any] = {
        "id": item.id,
        "title": mark(item.title, lang),
        "_stored_title": item.title,
        "summary": mark(item.summary, lang),
        "_stored_summary": item.summary,
        "body": mark(item.body, lang),
        "_stored_body": item.body,
        "tags": f" {SEPARATOR} ".join((*item.topics, *item.countries, *item.regions)),
        "spell": f"{item.title} {item.summary}",
        "country_name": list(item.countries),
        "date": key if key is not None else UNDATED,
        "date_asc": _ascending_key(key, item.date_precision) if key is not None else UNDATED_LAST,
        "published": item.date.isoformat() if item.date else "",
        "source": source_file(item.source),  # the facet: the file's name
        "_stored_source": item.source,  # shown: "file:line"
        "evidence": json.dumps([e.to_dict() for e in item.evidence], ensure_ascii=False),
        "digest": f"{item.digest()} {read_as}".rstrip(),
    }
    for spec in item_fields():  # the attributes indexed as they are (index/fields.py)
        value = getattr(item, spec.attribute or spec.name)
        doc[spec.name] = ",".join(value) if spec.multi else (value or "")
    if item.year:
        doc["year"] = str(item.year)
    return {k: v for k, v in doc.items() if v != "" or k.startswith("_stored_")}


def _ascending_key(key: int, precision: str | None) -> int:
    """``date_asc`` of a dated item: YYYYMMDD, with the day (and month) zero when the date is
    known only to the month (or year), so precision can be read back with the date, and an
    item known only by its year sorts before the days of that year."""
    if precision == "year":
        return key // 10000 * 10000
    if precision == "month":
        return key // 100 * 100
    return key


def source_file(source: str) -> str:
    """The name of the file in an item's source ("folder/dump.txt:12" -> "dump.txt")."""
    path = re.sub(r":\d+$", "", source)
    return Path(path).name or path


def item_from_stored(fields: dict[str, Any], *, evidence: bool = True) -> Item:
    """Rebuild an item from its stored fields: the one place they are read back.

    ``evidence=False`` leaves the evidence out, for hits, which never show it.
    """
    from newsearch.index.item import Evidence
    from newsearch.index.places import country_name

    published = fields.get("published") or ""
    reasons = json.loads(fields.get("evidence") or "[]") if evidence else []
    values: dict[str, Any] = {}  # the attributes stored as they are; absent: Item's default
    for spec in item_fields():
        if spec.multi:
            values[spec.attribute or spec.name] = _split(fields.get(spec.name))
        elif fields.get(spec.name):
            values[spec.attribute or spec.name] = fields[spec.name]
    codes = values.get("country_codes", ())
    return Item(
        id=fields["id"],
        title=fields.get("title", ""),
        summary=fields.get("summary", ""),
        body=fields.get("body", ""),
        date=dt.date.fromisoformat(published) if published else None,
        countries=tuple(fields.get("country_name") or (country_name(c) for c in codes)),
        source=fields.get("source", ""),
        evidence=tuple(Evidence(**e) for e in reasons),
        **values,
    )


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


class _FileIndex(whoosh_index.FileIndex):  # type: ignore[misc]
    """Whoosh's file index, with readers that are true snapshots of one generation.

    * whoosh-reloaded's ``reader(reuse=...)`` adds the old reader's segments to the new
      generation's list, so after a commit that merged or replaced segments (any rebuild, and
      many ordinary commits) ``searcher.refresh()`` returned the replaced items as well as
      their replacements. Here a new reader holds the new generation's segments only, and the
      old reader is closed, as ``refresh()`` promises.
    * A reader opens a segment's column files (stored fields, field lengths, sortable dates)
      only when first asked for them, and a commit deletes the files of the segments it
      replaced: a searcher opened before the commit then found no stored fields (a crash) and
      no field lengths (silently wrong scores). Here every column file is opened with the
      reader, so the files stay readable, deleted or not, for as long as the reader lives.
    * Each segment file's size, recorded when the segment was committed, is checked when a
      reader opens, so a truncated or deleted file is reported as damage then, rather than
      as a crash (or a wrong result) in the middle of a search.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sizes: dict[str, dict[str, int]] = {}  # segment id -> file -> size

    def reader(self, reuse: Any = None) -> Any:
        for attempt in range(_OPEN_ATTEMPTS):
            generation = self.latest_generation()
            try:
                fresh = self._open_reader()
                break
            except FileNotFoundError:
                # A commit removes the files of the generations before it; a reader that
                # started just before may miss one. Then there is a newer generation to read;
                # if there is not, the file is missing for good.
                if attempt + 1 == _OPEN_ATTEMPTS or self.latest_generation() == generation:
                    raise
        if reuse is not None:
            with contextlib.suppress(Exception):
                reuse.close()
        return fresh

    def _open_reader(self) -> Any:
        info = self._read_toc()
        fresh = self._reader(self.storage, info.schema, info.segments, info.generation)
        try:
            for leaf, _ in fresh.leaf_readers():
                if leaf.segment() is not None:  # None: an index without segments
                    self._check_sizes(leaf.segment())
                    _pin_columns(leaf)
        except BaseException:
            with contextlib.suppress(Exception):
                fresh.close()
            raise
        return fresh

    def _check_sizes(self, segment: Any) -> None:
        segment_id = segment.segment_id()
        sizes = self._sizes.get(segment_id)
        if sizes is None:
            try:
                with self.storage.open_file(f"{segment_id}{_SIZES}") as handle:
                    sizes = json.loads(handle.read().decode("utf-8"))["files"]
            except FileNotFoundError:
                return  # a segment written before sizes were recorded
            except (ValueError, KeyError, TypeError):
                raise SegmentDamagedError(f"{segment_id}{_SIZES} is not readable") from None
            self._sizes[segment_id] = sizes
        for name, size in sizes.items():
            try:
                actual = self.storage.file_length(name)
            except FileNotFoundError:
                raise FileNotFoundError(errno.ENOENT, "missing", name) from None
            if actual != size:
                raise SegmentDamagedError(
                    f"{name} is {actual} bytes long but was written with {size}"
                )


class SegmentDamagedError(IndexDamagedError):
    """A segment file is not as it was committed (cut short or grown)."""


def _write_sizes(storage: Any, segments: list[Any]) -> None:
    """Record each new segment's file sizes, in a file that belongs to the segment."""
    names = storage.list()
    for segment in segments:
        manifest = f"{segment.segment_id()}{_SIZES}"
        if manifest in names:
            continue
        prefix = f"{segment.segment_id()}."
        sizes = {
            name: storage.file_length(name)
            for name in names
            if name.startswith(prefix) and name != manifest
        }
        handle = storage.create_file(manifest)
        try:
            handle.write(json.dumps({"files": sizes}, sort_keys=True).encode("utf-8"))
        finally:
            handle.close()


def _pin_columns(leaf: Any) -> None:
    """Open every column file of a segment's reader now (see :class:`_FileIndex`)."""
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "_colfiles"):
        prefix = f"{leaf.segment().segment_id()}."
        pinned: set[str] = set()
        for name in perdoc._storage.list():
            if name.startswith(prefix) and name.endswith(".col"):
                fieldname = name[len(prefix) : -len(".col")]
                if fieldname not in perdoc._colfiles:
                    perdoc._colfiles[fieldname] = perdoc._get_column_file(fieldname)
                pinned.add(fieldname)
        perdoc.has_column = functools.partial(_has_column, frozenset(pinned), perdoc.has_column)


def _has_column(pinned: frozenset[str], has_column: Callable[[str], bool], fieldname: str) -> bool:
    return fieldname in pinned or has_column(fieldname)


class _Storage(FileStorage):  # type: ignore[misc]
    """A folder's storage that can close every file opened or created through it.

    Whoosh leaves files open when reading a damaged segment fails, and when a write fails
    half-way (a full disk); they would be closed only when collected, with a ResourceWarning.
    """

    def __init__(self, path: str, opened: list[Any] | None = None) -> None:
        super().__init__(path)
        self._opened: list[Any] | None = [] if opened is None else opened

    def _track(self, handle: Any) -> Any:
        if self._opened is not None:
            self._opened.append(handle)
        return handle

    def open_file(self, name: str, **kwargs: Any) -> Any:
        return self._track(super().open_file(name, **kwargs))

    def create_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._track(super().create_file(name, *args, **kwargs))

    def temp_storage(self, name: str | None = None) -> Any:
        folder = os.path.join(self.folder, name or f"{random_name()}.tmp")
        return _Storage(folder, self._opened).create()

    def keep(self) -> None:
        """The index opened: its files belong to it from now on."""
        self._opened = None

    def close_opened(self) -> None:
        for handle in self._opened or ():
            if not getattr(handle, "is_closed", False):
                with contextlib.suppress(Exception):
                    handle.close()
        if self._opened is not None:
            self._opened.clear()


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
        for _attempt in range(_OPEN_ATTEMPTS):
            storage = _Storage(str(self.path))
            generation = TOC._latest_generation(storage, INDEX_NAME)
            try:
                ix = _FileIndex(storage, indexname=INDEX_NAME)
                ix.doc_count()  # reads the table of contents and opens the segment files
                storage.keep()
                return ix
            except PermissionError as exc:
                error = IndexDamagedError(
                    f"cannot read the index at {self.path}: {exc.strerror}",
                    hint="check the permissions of the folder and its files",
                )
            except whoosh_index.EmptyIndexError:
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
                if TOC._latest_generation(storage, INDEX_NAME) != generation:
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
        guard = _InterruptGuard()
        try:
            guard.watch()
            from newsearch.index.corpus import discover

            found, problems = (list(files), []) if files is not None else discover(paths)
            storage = self._storage()
            lock = self._lock(storage, wait)
            try:
                run = _Run(
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
            return self._report(
                dict.fromkeys(_COUNTS, 0),
                found,
                problems,
                failed=0,
                started=started,
                total=self._committed_total(),
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
        return _Storage(str(self.path))

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

    def _write_extras(self, ix: Any) -> list[Problem]:
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

    def _committed_total(self) -> int:
        try:
            return int(self.open().doc_count()) if self.exists() else 0
        except NewsearchError:
            return 0

    def _report(
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

    def _write_error(self, exc: OSError, committed: int = 0) -> IndexWriteError:
        kept = (
            f"the {committed} item(s) of its earlier batches were committed, the batch being "
            "written was not"
            if committed
            else "nothing from this run was committed"
        )
        return IndexWriteError(
            f"could not write the index at {self.path}: {exc.strerror or exc}; {kept}"
        )

    def _open_for_writing(self, storage: Any, rebuild: bool) -> tuple[Any, bool]:
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
                    build_schema(), indexname=INDEX_NAME, indexclass=_FileIndex
                )
                return ix, False
            try:
                self.open()
            except IndexDamagedError:
                if not rebuild:
                    raise
                return self._empty_generation(storage), False
            ix = _FileIndex(storage, indexname=INDEX_NAME)
            version = self.meta().get("schema_version", SCHEMA_VERSION)
            if _shape(ix.schema) != _shape(build_schema()) or version != SCHEMA_VERSION:
                if not rebuild:
                    raise IndexDamagedError(
                        f"the index at {self.path} was built by a different version of "
                        "newsearch (its fields or their layout differ)"
                    )
                # Readers keep the old schema (and items) until the rebuild commits.
                return _FileIndex(storage, schema=build_schema(), indexname=INDEX_NAME), True
            return ix, False
        except OSError as exc:
            raise IndexWriteError(
                f"cannot create the index at {self.path}: {exc.strerror or exc}"
            ) from None

    def _empty_generation(self, storage: Any) -> Any:
        """Replace an unreadable index with an empty one, in one rename."""
        generation = TOC._latest_generation(storage, INDEX_NAME) + 1
        TOC(build_schema(), [], generation).write(storage, INDEX_NAME)
        return _FileIndex(storage, indexname=INDEX_NAME)

    def _clean_leftovers(self, storage: Any) -> None:
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
        try:
            toc = TOC.read(storage, INDEX_NAME)
        except Exception:
            return  # no index yet, or a damaged one: leave its files as they are
        whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)


def _shape(schema: Any) -> list[tuple[str, str]]:
    """A schema's field names and types: an index of another shape is rebuilt, not updated."""
    return [(name, type(schema[name]).__name__) for name in schema.names()]


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


class _Run:
    """One indexing run with the write lock held: read, tag, write and commit in batches."""

    def __init__(
        self,
        store: IndexStore,
        storage: _Storage,
        found: list[Path],
        problems: list[Problem],
        *,
        guard: _InterruptGuard,
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
        self.counts = dict.fromkeys(_COUNTS, 0)
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
        store._clean_leftovers(self.storage)
        self.ix, self.clear = store._open_for_writing(self.storage, rebuild)
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
                store._clean_leftovers(self.storage)
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
            raise self.store._write_error(exc, self.committed) from None
        self.pending += 1

    def _due(self) -> bool:
        return (
            self.pending >= self.batch_items
            or time.monotonic() - self.batch_started >= self.batch_seconds
        )

    def _writer(self) -> Any:
        if self.writer is None:
            try:
                # the lock is already held; separate segment files keep readers from loading
                # a whole compound file into memory
                writer = self.ix.writer(_lk=False, compound=False, limitmb=256)
            except OSError as exc:
                raise self.store._write_error(exc, self.committed) from None
            commit_toc = writer._commit_toc

            def record_sizes_then_commit(segments: list[Any]) -> None:
                _write_sizes(writer.storage, segments)  # part of the commit: before the rename
                commit_toc(segments)

            writer._commit_toc = record_sizes_then_commit
            self.writer = writer
            self.batch_started = time.monotonic()
        return self.writer

    def _commit(self, delete: frozenset[int] | set[int] = frozenset(), final: bool = False) -> None:
        """Commit the batch in flight (and delete ``delete``); Ctrl-C waits until it is done."""
        writer = self._writer()
        for docnum in delete:
            writer.delete_document(docnum)
        self.guard.hold()
        try:
            with _damage(self.store):
                try:
                    if self.clear:
                        writer.commit(mergetype=CLEAR)
                    elif final and self.compact:  # a rebuild leaves no replaced segment behind
                        writer.commit(optimize=True)
                    else:  # segments are merged by the run's last commit, not by every batch
                        writer.commit(merge=final)
                except OSError as exc:
                    raise self.store._write_error(exc, self.committed) from None
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
            total = self.store._committed_total()
        if self.commits:
            self.problems.extend(self.store._write_extras(self.ix))
        return self.store._report(
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


def _write_stem_table(path: Path) -> None:
    synonyms()  # so the table holds the stems a search for a synonym needs
    StemTable.write(path)


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


class _InterruptGuard:
    """Holds SIGINT back (main thread only) from :meth:`hold` to :meth:`release`.

    A SIGINT that arrives meanwhile is dropped: once a commit has started, finishing it is
    what leaves the index whole, and the run is reported as complete.
    """

    def __init__(self) -> None:
        self._previous: Any = None
        self._active = False
        self._interrupted = False

    def _install(self, handler: Callable[[int, Any], None]) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGINT)
        if previous is None:  # a handler not installed from Python: leave it alone
            return
        if not self._active:
            self._previous = previous
        signal.signal(signal.SIGINT, handler)
        self._active = True

    def watch(self) -> None:
        """Note a SIGINT instead of raising it wherever Python happens to be: a
        KeyboardInterrupt raised inside a finaliser (``__del__``) is swallowed and lost."""
        self._install(self._note)

    def _note(self, signum: int, frame: Any) -> None:
        self._interrupted = True

    def check(self) -> None:
        """Raise KeyboardInterrupt at a safe point if a SIGINT has been noted."""
        if self._interrupted:
            self._interrupted = False
            raise KeyboardInterrupt

    def hold(self) -> None:
        self._interrupted = False
        self._install(_ignore_signal)

    def release(self) -> None:
        """Put the previous handler back (a SIGINT noted after the last item is dropped: the
        run had finished its work by then)."""
        if self._active:
            signal.signal(signal.SIGINT, self._previous)
            self._active = False


def _ignore_signal(signum: int, frame: Any) -> None:
    """SIGINT while a commit finishes: nothing to do."""


__all__ = [
    "IndexReport",
    "IndexStore",
    "NewsearchError",
    "Progress",
    "default_index_dir",
    "document",
]
