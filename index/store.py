"""Index storage: create, open, lock and write the Whoosh index, and its metadata."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
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
from newsearch.index.item import Item, Problem
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

    @property
    def ok(self) -> bool:
        return self.failed_files == 0 and not self.interrupted

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
            "problems": [p.to_dict() for p in self.problems],
        }


def document(item: Item) -> dict[str, Any]:
    """The Whoosh document for an item: marked text for the analyzer, original text stored."""
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
        "topic": ",".join(item.topics),
        "country": ",".join(item.country_codes),
        "country_name": list(item.countries),
        "region": ",".join(item.regions),
        "label": item.label or "",
        "kind": item.kind,
        "kicker": item.kicker or "",
        "listed_under": item.listed_under or "",
        "language": item.language,
        "date": key if key is not None else UNDATED,
        "date_asc": key if key is not None else UNDATED_LAST,
        "published": item.date.isoformat() if item.date else "",
        "date_precision": item.date_precision or "",
        "source": item.source,
        "evidence": json.dumps([e.to_dict() for e in item.evidence], ensure_ascii=False),
        "digest": item.digest(),
    }
    if item.year:
        doc["year"] = str(item.year)
    if item.url:
        doc["url"] = item.url
    return {k: v for k, v in doc.items() if v != "" or k.startswith("_stored_")}


def item_from_stored(fields: dict[str, Any]) -> Item:
    """Rebuild an item from its stored fields."""
    from newsearch.index.item import Evidence

    published = fields.get("published") or ""
    evidence = tuple(Evidence(**e) for e in json.loads(fields.get("evidence") or "[]"))
    return Item(
        id=fields["id"],
        title=fields.get("title", ""),
        summary=fields.get("summary", ""),
        body=fields.get("body", ""),
        date=dt.date.fromisoformat(published) if published else None,
        date_precision=fields.get("date_precision") or None,
        label=fields.get("label") or None,
        kind=fields.get("kind", "news"),
        kicker=fields.get("kicker") or None,
        listed_under=fields.get("listed_under") or None,
        topics=_split(fields.get("topic")),
        country_codes=_split(fields.get("country")),
        countries=tuple(fields.get("country_name") or ()),
        regions=_split(fields.get("region")),
        language=fields.get("language", "en"),
        url=fields.get("url") or None,
        source=fields.get("source", ""),
        evidence=evidence,
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

    Writing is all or nothing. The write lock is taken before anything in the folder changes
    and held until the run's last file is written; a run's items become visible in one step,
    when Whoosh renames its new table of contents into place, so a process killed at any
    point leaves the index as the previous run committed it. Ctrl-C while items are being
    read discards them; Ctrl-C during the commit lets the commit finish.
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
        with ix.searcher() as searcher:
            languages = sorted(t.decode() for t in searcher.lexicon("language"))
        meta = {
            "schema_version": SCHEMA_VERSION,
            "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "languages": languages,
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
        wait: float = 0.0,
        on_file: Callable[[ReadResult], None] | None = None,
        files: list[Path] | None = None,
    ) -> IndexReport:
        """Read ``paths`` and add, update or keep each item; one commit at the end.

        ``rebuild`` replaces the index's items with those read, still in one commit: until it
        commits, searches see the old items. ``wait`` is how long to wait for another
        process's write lock before :class:`IndexLockedError`.
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
                return self._build_locked(
                    storage,
                    found,
                    problems,
                    rebuild=rebuild,
                    on_file=on_file,
                    started=started,
                    guard=guard,
                )
            finally:
                storage.close_opened()  # after a failure Whoosh may have left some open
                with contextlib.suppress(Exception):
                    lock.release()
        except KeyboardInterrupt:  # only before the commit starts: it holds SIGINT back
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

    def _build_locked(
        self,
        storage: _Storage,
        found: list[Path],
        problems: list[Problem],
        *,
        rebuild: bool,
        on_file: Callable[[ReadResult], None] | None,
        started: float,
        guard: _InterruptGuard,
    ) -> IndexReport:
        from newsearch.index.corpus import stream_path
        from newsearch.index.tagging import tag

        self._clean_leftovers(storage)
        ix = self._open_for_writing(storage, rebuild)
        try:
            # the lock is already held; separate segment files keep readers from loading a
            # whole compound file into memory
            writer = ix.writer(_lk=False, compound=False, limitmb=256)
        except OSError as exc:
            raise self._write_error(exc) from None
        commit_toc = writer._commit_toc

        def record_sizes_then_commit(segments: list[Any]) -> None:
            _write_sizes(writer.storage, segments)  # part of the commit: before the rename
            commit_toc(segments)

        writer._commit_toc = record_sizes_then_commit
        counts = dict.fromkeys(_COUNTS, 0)
        failed = 0
        seen: dict[str, str] = {}
        try:
            with contextlib.ExitStack() as stack:
                searcher = None
                if not rebuild:
                    with _damage(self):
                        searcher = ix.searcher()
                    stack.callback(searcher.close)
                for path in found:
                    result, raws = stream_path(path)  # records one at a time: any file size
                    for raw in raws:
                        guard.check()  # a Ctrl-C is acted on here, between items
                        item = tag(raw)
                        if item.id in seen:
                            counts["duplicates"] += 1
                            problems.append(
                                Problem(
                                    str(path), raw.line, f"same item as {seen[item.id]}; kept once"
                                )
                            )
                            continue
                        seen[item.id] = item.source
                        state = "added" if searcher is None else self._state(searcher, item)
                        counts[state] += 1
                        if state == "added":
                            self._write(writer.add_document, item)
                        elif state == "updated":
                            self._write(writer.update_document, item)
                    problems.extend(result.problems)
                    counts["skipped"] += sum(1 for p in result.problems if p.line)
                    failed += result.failed
                    if on_file is not None:
                        on_file(result)
            if rebuild or counts["added"] or counts["updated"]:
                # From here on Ctrl-C is held back until build() returns: the commit finishes
                # and the report says so.
                guard.hold()
                self._commit(writer, rebuild)
            else:
                _cancel(writer)
        except KeyboardInterrupt:
            _cancel(writer)
            return self._report(
                dict.fromkeys(_COUNTS, 0),
                found,
                problems,
                failed=failed,
                started=started,
                total=self._committed_total(),
                interrupted=True,
            )
        except BaseException:
            _cancel(writer)
            raise
        problems.extend(self._write_extras(ix))
        try:
            total = ix.doc_count()
        except Exception:
            total = self._committed_total()
        return self._report(counts, found, problems, failed=failed, started=started, total=total)

    def _state(self, searcher: Any, item: Item) -> str:
        with _damage(self):
            return _state(searcher, item)

    def _write(self, method: Callable[..., Any], item: Item) -> None:
        try:
            method(**document(item))
        except OSError as exc:
            raise self._write_error(exc) from None

    def _commit(self, writer: Any, rebuild: bool) -> None:
        with _damage(self):
            try:
                if rebuild:
                    writer.commit(mergetype=CLEAR)
                else:
                    writer.commit()
            except OSError as exc:
                raise self._write_error(exc) from None

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
        )

    def _write_error(self, exc: OSError) -> IndexWriteError:
        return IndexWriteError(
            f"could not write the index at {self.path}: {exc.strerror or exc}; "
            "nothing from this run was committed"
        )

    def _open_for_writing(self, storage: Any, rebuild: bool) -> Any:
        """The index to write to (called with the lock held).

        A rebuild keeps the old items readable until it commits; only when the old index
        cannot be read at all does it start from an empty generation at once.
        """
        try:
            if not any(_TOC.match(name) for name in storage.list()):
                if self.exists() and not rebuild:
                    self.open()  # segment files without a table of contents: damaged
                return storage.create_index(build_schema(), indexname=INDEX_NAME)
            try:
                self.open()
            except IndexDamagedError:
                if not rebuild:
                    raise
                return self._empty_generation(storage)
            ix = _FileIndex(storage, indexname=INDEX_NAME)
            if ix.schema.names() != build_schema().names():
                if not rebuild:
                    raise IndexDamagedError(
                        f"the index at {self.path} was built by a different version of "
                        "newsearch (its fields differ)"
                    )
                # Readers keep the old schema (and items) until the rebuild commits.
                return _FileIndex(storage, schema=build_schema(), indexname=INDEX_NAME)
            return ix
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


def _state(searcher: Any, item: Item) -> str:
    docnum = searcher.document_number(id=item.id)
    if docnum is None:
        return "added"
    stored = searcher.stored_fields(docnum)
    return "unchanged" if stored.get("digest") == item.digest() else "updated"


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


__all__ = ["IndexReport", "IndexStore", "NewsearchError", "default_index_dir", "document"]
