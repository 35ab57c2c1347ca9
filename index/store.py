"""Index storage: create, open, lock and write the Whoosh index, and its metadata."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import CLEAR

from newsearch.index.analysis import mark
from newsearch.index.corpus import ReadResult, discover, read_path
from newsearch.index.errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
    NewsearchError,
)
from newsearch.index.item import Item, Problem
from newsearch.index.schema import SCHEMA_VERSION, UNDATED, UNDATED_LAST, build_schema
from newsearch.index.tagging import tag

META_FILE = "newsearch.json"
INDEX_NAME = "MAIN"


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
        "tags": " ".join((*item.topics, *item.countries, *item.regions)),
        "spell": f"{item.title} {item.summary}",
        "topic": ",".join(item.topics),
        "country": ",".join(item.country_codes),
        "country_name": list(item.countries),
        "region": ",".join(item.regions),
        "label": item.label or "",
        "kind": item.kind,
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


class IndexStore:
    """One index folder: the Whoosh index plus a small JSON file of metadata."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @property
    def meta_path(self) -> Path:
        return self.path / META_FILE

    def exists(self) -> bool:
        return self.path.is_dir() and whoosh_index.exists_in(str(self.path), indexname=INDEX_NAME)

    def open(self) -> Any:
        """Open the index for reading; missing or damaged indexes raise a domain error."""
        if not self.exists():
            raise IndexMissingError(f"no index at {self.path}")
        try:
            ix = whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
            ix.doc_count()  # touches the segment files
        except PermissionError as exc:
            raise IndexDamagedError(
                f"cannot read the index at {self.path}: {exc.strerror}",
                hint="check the folder's permissions",
            ) from None
        except Exception as exc:
            raise IndexDamagedError(
                f"the index at {self.path} is damaged ({type(exc).__name__}: {exc})"
            ) from None
        return ix

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
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".meta-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(meta, handle)
        os.replace(tmp, self.meta_path)

    def _create(self, path: Path) -> Any:
        path.mkdir(parents=True, exist_ok=True)
        return FileStorage(str(path)).create_index(build_schema(), indexname=INDEX_NAME)

    def build(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        rebuild: bool = False,
        wait: float = 0.0,
        on_file: Callable[[ReadResult], None] | None = None,
        files: list[Path] | None = None,
    ) -> IndexReport:
        """Read ``paths`` and add, update or keep each item; one commit at the end."""
        started = time.perf_counter()
        found, problems = (files, []) if files is not None else discover(paths)
        ix = self._open_for_writing(rebuild)
        try:
            writer = ix.writer(timeout=wait) if wait else ix.writer()
        except whoosh_index.LockError:
            raise IndexLockedError(
                f"the index at {self.path} is being updated by another process"
            ) from None
        counts = {"added": 0, "updated": 0, "unchanged": 0, "duplicates": 0, "skipped": 0}
        failed = 0
        seen: dict[str, str] = {}
        interrupted = False
        try:
            with ix.searcher() as searcher:
                for path in found:
                    result = read_path(path)
                    problems.extend(result.problems)
                    counts["skipped"] += sum(1 for p in result.problems if p.line)
                    failed += result.failed
                    for raw in result.items:
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
                        state = "added" if rebuild else _state(searcher, item)
                        counts[state] += 1
                        if state == "added" and not rebuild:
                            writer.add_document(**document(item))
                        elif state == "updated":
                            writer.update_document(**document(item))
                        elif rebuild:
                            writer.add_document(**document(item))
                    if on_file is not None:
                        on_file(result)
            if rebuild:
                writer.commit(mergetype=CLEAR)
            elif counts["added"] or counts["updated"]:
                writer.commit()
            else:
                writer.cancel()
        except KeyboardInterrupt:
            writer.cancel()
            interrupted = True
        except OSError as exc:
            writer.cancel()
            raise IndexWriteError(
                f"could not write the index at {self.path}: {exc.strerror or exc}"
            ) from None
        except BaseException:
            writer.cancel()
            raise
        if not interrupted:
            self._write_meta(ix)
        total = ix.doc_count() if not interrupted else 0
        if interrupted:
            counts = dict.fromkeys(counts, 0)
            total = self.open().doc_count() if self.exists() else 0
        return IndexReport(
            **counts,
            files=len(found),
            failed_files=failed
            + sum(
                1
                for p in problems
                if p.severity == "error" and not p.line and p.path not in {str(f) for f in found}
            ),
            seconds=time.perf_counter() - started,
            total=total,
            problems=tuple(problems),
            interrupted=interrupted,
        )

    def _open_for_writing(self, rebuild: bool) -> Any:
        """The index to write to. A rebuild keeps the old items readable until it commits."""
        try:
            if not self.exists():
                return self._create(self.path)
            try:
                ix = self.open()
            except IndexDamagedError:
                if not rebuild:
                    raise
                return self._fresh()
            if rebuild and ix.schema.names() != build_schema().names():
                return self._fresh()
            return ix
        except OSError as exc:
            raise IndexWriteError(
                f"cannot create the index at {self.path}: {exc.strerror or exc}"
            ) from None

    def _fresh(self) -> Any:
        """Remove the index's own files (nothing else in the folder) and start empty."""
        for child in self.path.iterdir():
            if child.is_file() and (
                child.name.startswith(("_MAIN_", "MAIN_", ".meta-")) or child.name == META_FILE
            ):
                child.unlink()
        return self._create(self.path)


def _state(searcher: Any, item: Item) -> str:
    docnum = searcher.document_number(id=item.id)
    if docnum is None:
        return "added"
    stored = searcher.stored_fields(docnum)
    return "unchanged" if stored.get("digest") == item.digest() else "updated"


__all__ = ["IndexReport", "IndexStore", "NewsearchError", "default_index_dir", "document"]
