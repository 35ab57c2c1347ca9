"""Every use of private Whoosh internals, for the exact whoosh-reloaded version pinned."""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import whoosh
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import TermNotFound
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length

from newsearch.index.errors import (
    IndexDamagedError,
)

if TYPE_CHECKING:  # reading and tagging load only when indexing, not when searching
    pass


WHOOSH_VERSION = "2.7.5"  # the exact whoosh-reloaded version pyproject.toml pins
INDEX_NAME = "MAIN"
OPEN_ATTEMPTS = 5
_SIZES = ".sizes.json"  # beside a segment's files: their sizes when it was committed
# beside a segment's files: its facet fields as arrays (what a searcher would decode at open)
_FACETS = ".facets.npy"
_FACETS_INDEX = ".facets.json"
FACET_COLUMNS_VERSION = 1


def check_whoosh_version(version: str) -> None:
    """Refuse, with what to do, any Whoosh but the version whose private classes this module
    relies on (ImportError: newsearch cannot be imported with it)."""
    if version != WHOOSH_VERSION:
        raise ImportError(
            f"newsearch needs whoosh-reloaded {WHOOSH_VERSION} exactly (it relies on that "
            f"version's private classes), but {version} is installed; run "
            f"pip install 'whoosh-reloaded=={WHOOSH_VERSION}'"
        )


check_whoosh_version(whoosh.versionstring())

EmptyIndexError = whoosh_index.EmptyIndexError
_LENGTHS = [byte_to_length(b) for b in range(256)]


class FileIndex(whoosh_index.FileIndex):  # type: ignore[misc]
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
        for attempt in range(OPEN_ATTEMPTS):
            generation = self.latest_generation()
            try:
                fresh = self._open_reader()
                break
            except FileNotFoundError:
                # A commit removes the files of the generations before it; a reader that
                # started just before may miss one. Then there is a newer generation to read;
                # if there is not, the file is missing for good.
                if attempt + 1 == OPEN_ATTEMPTS or self.latest_generation() == generation:
                    raise
        if reuse is not None:
            with contextlib.suppress(Exception):
                reuse.close()
        return fresh

    def _open_reader(self) -> Any:
        info = self._read_toc()
        # Every segment's files are checked before any is opened: a file a concurrent commit
        # removed is found here, with nothing left open (Whoosh does not close the readers it
        # opened before a missing file).
        for segment in info.segments:
            self._check_sizes(segment)
        fresh = self._reader(self.storage, info.schema, info.segments, info.generation)
        try:
            for leaf, _ in fresh.leaf_readers():
                if leaf.segment() is not None:  # None: an index without segments
                    _pin_columns(leaf)
        except BaseException:
            with contextlib.suppress(Exception):
                fresh.close()
            raise
        return fresh

    def sibling(self, searcher: Any) -> Any:
        """A second searcher over exactly the segments ``searcher`` reads, with its own file
        handles (Whoosh's files seek then read, so one searcher serves one thread at a time).
        Raises FileNotFoundError when a commit has removed those segments' files since."""
        from whoosh.searching import Searcher

        reader = searcher.reader()
        segments = [leaf.segment() for leaf, _ in reader.leaf_readers()]
        segments = [s for s in segments if s is not None]
        fresh = self._reader(self.storage, searcher.schema, segments, reader.generation())
        try:
            for leaf, _ in fresh.leaf_readers():
                if leaf.segment() is not None:
                    _pin_columns(leaf)
        except BaseException:
            with contextlib.suppress(Exception):
                fresh.close()
            raise
        return Searcher(fresh, weighting=searcher.weighting, fromindex=self)

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


def write_sizes(storage: Any, segments: list[Any]) -> None:
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
    """Open every column file of a segment's reader now (see :class:`FileIndex`)."""
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


class Storage(FileStorage):  # type: ignore[misc]
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
        return Storage(folder, self._opened).create()

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


def latest_generation(storage: Any) -> int:
    """The number of the newest table of contents in ``storage`` (-1: none)."""
    return int(TOC._latest_generation(storage, INDEX_NAME))


def write_empty_generation(storage: Any, schema: Any) -> None:
    """Commit a generation without items after the newest one, in one rename."""
    TOC(schema, [], latest_generation(storage) + 1).write(storage, INDEX_NAME)


def clean_uncommitted(storage: Any) -> None:
    """Remove segment files no committed generation refers to (none if there is no index)."""
    try:
        toc = TOC.read(storage, INDEX_NAME)
    except Exception:
        return  # no index yet, or a damaged one: leave its files as they are
    whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)


def unlocked_writer(ix: Any, **options: Any) -> Any:
    """A writer for ``ix`` whose caller already holds the write lock; each commit records
    its new segments' file sizes before the rename that makes it visible."""
    writer = ix.writer(_lk=False, **options)
    commit_toc = writer._commit_toc

    def record_sizes_then_commit(segments: list[Any]) -> None:
        write_facet_columns(writer.storage, writer.schema, segments)
        write_sizes(writer.storage, segments)  # part of the commit: before the rename
        commit_toc(segments)

    writer._commit_toc = record_sizes_then_commit
    writer._flush_segment = functools.partial(_flush_segment, writer)
    return writer


def _flush_segment(writer: Any) -> None:
    """Whoosh's ``SegmentWriter._flush_segment``, but each posting's field length comes from
    the segment's length columns read once into memory, not read back from disk per posting
    (the same bytes, so the same blocks are written)."""
    writer.perdocwriter.close()
    lengths = None
    if writer.codec.length_stats:
        pdr = writer.per_document_reader()
        try:
            lengths = _LengthsInMemory(pdr)
        finally:
            pdr.close()
    writer.fieldwriter.add_postings(writer.schema, lengths, writer.pool.iter_postings())
    writer.fieldwriter.close()


class _LengthsInMemory:
    """``doc_field_length`` of a W3 per-document reader, from arrays read once."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._doccount = reader._doccount
        self._bytes: dict[str, Any] = {}

    def _column(self, fieldname: str) -> Any:
        found = self._bytes.get(fieldname)
        if found is None:
            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            found = None if column is None else _raw(column, np.uint8, self._doccount + 1).tolist()
            self._bytes[fieldname] = found
        return found

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> Any:
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        column = self._column(fieldname)
        if column is None:
            return default
        lbyte = column[docnum]
        if lbyte:
            return _LENGTHS[lbyte]
        return None


# -- facet columns written at commit, read back at open (search/columns.py) -----------------


def write_facet_columns(storage: Any, schema: Any, segments: list[Any]) -> None:
    """For each new segment, its facet fields' postings as one array file plus its index.

    A searcher would otherwise decode these postings block by block every time it opens. The
    files carry the segment's id and document count, are listed in its sizes manifest (so a
    damaged one is found), and are removed with the segment.
    """
    from newsearch.index.fields import facet_names

    names = set(storage.list())
    fields = [n for n in facet_names() if n in schema and schema[n].indexed]
    for segment in segments:
        segment_id = segment.segment_id()
        if f"{segment_id}{_SIZES}" in names or f"{segment_id}{_FACETS_INDEX}" in names:
            continue  # committed before (or written by an earlier attempt of this commit)
        reader = segment_reader(storage, schema, segment)
        try:
            index, data = _facet_arrays(reader, fields)
        finally:
            reader.close()
        index.update(
            version=FACET_COLUMNS_VERSION, segment=segment_id, docs=segment.doc_count_all()
        )
        handle = storage.create_file(f"{segment_id}{_FACETS}")
        try:
            header = io.BytesIO()
            np.save(header, data)
            handle.write(header.getvalue())
        finally:
            handle.close()
        handle = storage.create_file(f"{segment_id}{_FACETS_INDEX}")
        try:
            handle.write(json.dumps(index, sort_keys=True).encode("utf-8"))
        finally:
            handle.close()


def segment_reader(storage: Any, schema: Any, segment: Any) -> Any:
    from whoosh.reading import SegmentReader

    return SegmentReader(storage, schema, segment)


def _facet_arrays(reader: Any, fields: list[str]) -> tuple[dict[str, Any], npt.NDArray[Any]]:
    """{field: [[value, start, end], ...]} and one int32 array of every value's documents."""
    index: dict[str, Any] = {"fields": {}}
    parts: list[npt.NDArray[Any]] = []
    at = 0
    for field in fields:
        entries = []
        for raw in reader.lexicon(field):
            value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            docs, _ = _decode(reader._terms.matcher(field, raw, reader.schema[field].format, None))
            parts.append(docs.astype(np.int32))
            entries.append([value, at, at + len(docs)])
            at += len(docs)
        index["fields"][field] = entries
    data = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return index, data


def stored_facets(leaf: Any) -> dict[str, list[tuple[str, npt.NDArray[Any]]]] | None:
    """A segment's facet postings as written at commit ({field: [(value, documents)]}), or
    None when the segment has none (older segments) or they do not belong to it."""
    segment = leaf.segment()
    if segment is None:
        return None
    segment_id = segment.segment_id()
    storage = leaf._storage
    folder = getattr(storage, "folder", None)
    if folder is None:  # a compound segment: no files beside it
        return None
    try:
        with storage.open_file(f"{segment_id}{_FACETS_INDEX}") as handle:
            index = json.loads(handle.read().decode("utf-8"))
        path = os.path.join(folder, f"{segment_id}{_FACETS}")
        data = np.load(path, allow_pickle=False)  # read whole: a mapping would hold a file open
    except (OSError, ValueError, AttributeError):
        return None
    if (
        index.get("version") != FACET_COLUMNS_VERSION
        or index.get("segment") != segment_id
        or index.get("docs") != leaf.doc_count_all()
        or data.dtype != np.int32
    ):
        return None
    out: dict[str, list[tuple[str, npt.NDArray[Any]]]] = {}
    try:
        for field, entries in index["fields"].items():
            out[field] = [(str(v), data[int(a) : int(b)]) for v, a, b in entries]
    except (KeyError, TypeError, ValueError):
        return None
    if sum(len(d) for entries in out.values() for _, d in entries) != len(data):
        return None
    return out


# -- reading a segment's columns and postings as arrays (search/columns.py) -----------------


def column_values(leaf: Any, name: str, dtype: Any) -> npt.NDArray[Any]:
    """A segment's per-document column ``name`` (fixed-width numbers) as one array."""
    reader = leaf._perdoc.column_reader(name, leaf.schema[name].column_type)
    return _raw(reader, dtype, leaf.doc_count_all())


def length_bytes(leaf: Any, field: str) -> npt.NDArray[Any]:
    """A segment's byte-quantised field lengths of ``field``, one per document."""
    reader = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    return _raw(reader, np.uint8, leaf.doc_count_all())


def term_postings(leaf: Any, field: str, term: str) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """(document numbers, weights) of a term in one segment, decoded a block at a time."""
    fmt = leaf.schema[field].format
    return _decode(leaf._terms.matcher(field, term.encode("utf-8"), fmt, scorer=None))


def term_postings_if_any(
    leaf: Any, field: str, term: str
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]] | None:
    """:func:`term_postings`, or None when the segment does not hold the term: one lookup in
    the segment's term table where asking ``(field, term) in leaf`` first made two."""
    if field not in leaf.schema:
        return None
    spec = leaf.schema[field]
    terms = leaf._terms
    key = spec.to_bytes(term)  # what ``in`` looks up (UTF-8 for every text and keyword field)
    try:
        info = terms.term_info(field, key)
    except TermNotFound:
        return None
    tbytes = term.encode("utf-8")
    if key != tbytes:  # a field of another encoding: exactly as term_postings reads it
        return term_postings(leaf, field, term)
    matcher = terms._codec.postings_reader(
        terms._postfile, info, spec.format, term=(field, tbytes), scorer=None
    )
    return _decode(matcher)


def field_b(weighting: Any, field: str) -> float:
    """The BM25F ``B`` a Whoosh weighting uses for ``field``."""
    return float(getattr(weighting, "_field_B", {}).get(field, weighting.B))


def _raw(reader: Any, dtype: Any, count: int) -> npt.NDArray[Any]:
    if reader is None:
        return np.zeros(count, dtype=dtype)
    data = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
    values = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder(">"))
    if len(values) < count:  # trailing documents without a value
        values = np.concatenate([values, np.zeros(count - len(values), dtype=values.dtype)])
    return values[:count]


def _decode(matcher: Any) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    if not isinstance(matcher, W3LeafMatcher):  # short postings are stored inline
        ids: list[int] = []
        weights: list[float] = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
    ids_parts: list[npt.NDArray[Any]] = []
    weight_parts: list[npt.NDArray[Any]] = []
    while True:
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        block = np.asarray(raw_ids, dtype=np.int64)
        if not matcher._byteids:
            block = np.cumsum(block)
        ids_parts.append(block)
        if raw_weights is None:
            weight_parts.append(np.ones(count))
        elif isinstance(raw_weights, float):
            weight_parts.append(np.full(count, raw_weights))
        else:
            weight_parts.append(np.asarray(raw_weights, dtype=np.float64))
        if matcher._lastblock:
            break
        matcher._next_block()
    return np.concatenate(ids_parts), np.concatenate(weight_parts)
