"""Provenance: where a file of results came from (query, filters, index, version, time, command)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shlex
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from newsearch.search.backend import SearchBackend
from newsearch.search.filters import Filters


def newsearch_version() -> str:
    try:
        return version("newsearch")
    except PackageNotFoundError:
        return "unknown"


def filters_dict(filters: Filters) -> dict[str, Any]:
    """The filters as they were applied (values as the index stores them); empty ones left out."""
    out: dict[str, Any] = {name: list(values) for name, values in filters.terms}
    if filters.date_from:
        out["from"] = filters.date_from.isoformat()
    if filters.date_to:
        out["to"] = filters.date_to.isoformat()
    return out


def filter_args(filters: Filters) -> list[str]:
    """The same filters as command-line options."""
    args: list[str] = []
    for name, values in filters.terms:
        for value in values:
            args += [f"--{name.replace('_', '-')}", value]
    if filters.date_from:
        args += ["--from", filters.date_from.isoformat()]
    if filters.date_to:
        args += ["--to", filters.date_to.isoformat()]
    return args


@dataclass(frozen=True)
class IndexRecord:
    """Which index answered: its backend, location, size and a fingerprint of its last commit."""

    backend: str
    location: str
    items: int
    updated: str | None
    fingerprint: str

    @classmethod
    def of(cls, engine: SearchBackend) -> IndexRecord:
        stats = engine.stats()
        # everything a commit changes: the item count, the commit time, the bytes and segments
        basis = f"{stats.path}|{stats.items}|{stats.updated}|{stats.size_bytes}|{stats.segments}"
        return cls(
            backend=str(getattr(engine, "backend", "whoosh")),
            location=stats.path,
            items=stats.items,
            updated=stats.updated,
            fingerprint=hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "location": self.location,
            "items": self.items,
            "updated": self.updated,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class Provenance:
    """The record that goes beside a data file: enough to make the same file again."""

    kind: str  # "export", "kwic", "trend", ...
    queries: tuple[str, ...]
    filters: dict[str, Any]
    options: dict[str, Any]
    index: IndexRecord
    command: tuple[str, ...]
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    version: str = field(default_factory=newsearch_version)
    rows: int | None = None  # data rows written, once known

    @property
    def shell(self) -> str:
        """The command line, quoted so a shell runs it as it was run."""
        return shlex.join(self.command)

    def with_rows(self, rows: int) -> Provenance:
        return Provenance(
            self.kind,
            self.queries,
            self.filters,
            self.options,
            self.index,
            self.command,
            self.created,
            self.version,
            rows,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "queries": list(self.queries),
            "filters": self.filters,
            "options": self.options,
            "index": self.index.to_dict(),
            "newsearch_version": self.version,
            "created": self.created,
            "command": self.shell,
            "rows": self.rows,
        }


def index_args(engine: SearchBackend) -> tuple[str | None, list[str]]:
    """Where a command finds the engine's index: ``--index PATH``, or for a cluster the
    ``--backend``, ``--url`` and ``--opensearch-index`` options."""
    if engine.backend == "whoosh":
        return str(engine.data_dir), []
    url, index = getattr(engine, "url", ""), getattr(engine, "index", "")
    return None, ["--backend", engine.backend, "--url", url, "--opensearch-index", index]


def command_for(
    kind: str,
    queries: Sequence[str],
    filters: Filters,
    options: dict[str, Any],
    index: str | None = None,
    backend: Sequence[str] = (),
) -> list[str]:
    """The shell command that makes the same output: ``newsearch KIND QUERY... --OPTION ...``
    (``backend``: the options naming an OpenSearch index, before the command)."""
    args = ["newsearch", *backend, *kind.split(), *filter_args(filters)]
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        args += [flag] if value is True else [flag, str(value)]
    if index:
        args += ["--index", index]
    if any(q.startswith("-") for q in queries):
        args.append("--")  # what follows is text, even where it starts like an option
    return [*args, *queries]


def record(
    engine: SearchBackend,
    kind: str,
    queries: Sequence[str],
    filters: Filters,
    options: dict[str, Any],
    command: Sequence[str],
) -> Provenance:
    return Provenance(
        kind=kind,
        queries=tuple(queries),
        filters=filters_dict(filters),
        options=options,
        index=IndexRecord.of(engine),
        command=tuple(command),
    )


def write(provenance: Provenance, path: Path) -> None:
    """Write the record as JSON, whole or not at all."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".prov-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(provenance.to_dict(), handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
