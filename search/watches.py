"""Watched searches: saved queries that report the items which arrived since their last run."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsearch.index.errors import ItemNotFoundError, NewsearchError, QueryError
from newsearch.index.fields import filter_names
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.provenance import filters_dict
from newsearch.search.records import matching_ids
from newsearch.search.results import Hit

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
VERSION = 1


class WatchError(NewsearchError):
    """A watch that already exists, or a watch file that cannot be used."""


class WatchNotFoundError(WatchError, ItemNotFoundError):
    """No watch has the name asked for."""


def default_path(index_dir: Path) -> Path:
    """The watch file beside an index: ``<index>.watches.json`` in the same folder."""
    return index_dir.with_name(index_dir.name + ".watches.json")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Watch:
    """A saved search and the items it matched when it last ran."""

    name: str
    query: str
    filters: dict[str, Any]  # as provenance records them: values as the index stores them
    created: str
    last_run: str | None
    seen: frozenset[str]

    def request(self, sort: str = "newest") -> SearchRequest:
        return SearchRequest(self.query, self.filters_object(), sort, limit=1)

    def filters_object(self) -> Filters:
        f = self.filters
        values = {name: tuple(f[name]) for name in filter_names() if f.get(name)}
        return Filters.build(date_from=f.get("from"), date_to=f.get("to"), **values)

    def to_dict(self) -> dict[str, Any]:
        """The watch as ``watch list --format json`` shows it (without the ids it has seen)."""
        return {
            "name": self.name,
            "query": self.query,
            "filters": self.filters,
            "created": self.created,
            "last_run": self.last_run,
            "seen": len(self.seen),
        }

    def _stored(self) -> dict[str, Any]:
        return {**self.to_dict(), "seen": sorted(self.seen)}

    @classmethod
    def _load(cls, data: dict[str, Any]) -> Watch:
        return cls(
            name=str(data["name"]),
            query=str(data.get("query", "")),
            filters=dict(data.get("filters") or {}),
            created=str(data.get("created", "")),
            last_run=data.get("last_run"),
            seen=frozenset(str(i) for i in data.get("seen", ())),
        )


class WatchBook:
    """The watches of one index, in one JSON file; every change holds an exclusive file lock.

    A run reads the file, finds the new items and writes the file back while holding the
    lock, so two runs at once never report the same item twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Watch]]:
        """The watches, locked; what the block leaves in the dict is written back."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
        except OSError as exc:
            raise WatchError(
                f"cannot use the watch file {self.path}: {exc.strerror or exc}",
                hint="check the folder's permissions, or pass --watches FILE",
            ) from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            watches = self._read()
            before = dict(watches)
            yield watches
            if watches != before:
                self._write(watches)

    def _read(self) -> dict[str, Watch]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise WatchError(f"cannot read the watch file {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
            return {w["name"]: Watch._load(w) for w in data["watches"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise WatchError(
                f"the watch file {self.path} is not one newsearch wrote ({type(exc).__name__})",
                hint="move it away; newsearch starts a new one",
            ) from None

    def _write(self, watches: dict[str, Watch]) -> None:
        data = {"version": VERSION, "watches": [w._stored() for w in watches.values()]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".watches-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- what users do --------------------------------------------------------------------

    def watches(self) -> list[Watch]:
        with self._locked() as watches:
            return sorted(watches.values(), key=lambda w: w.name)

    def get(self, name: str) -> Watch:
        with self._locked() as watches:
            return self._named(watches, name)

    def add(self, engine: SearchBackend, name: str, query: str, filters: Filters) -> Watch:
        """Save a search; the items it matches now count as seen."""
        if not NAME.match(name):
            raise QueryError(
                f"a watch name is 1 to 64 letters, digits, '.', '_' or '-' (not {name!r})"
            )
        watch = Watch(name, query, filters_dict(filters), _now(), None, frozenset())
        matching = _ids(engine, watch)  # a bad query fails here, before anything is saved
        with self._locked() as watches:
            if name in watches:
                raise WatchError(
                    f"there is already a watch called {name!r}",
                    hint=f"remove it first (newsearch watch remove {name}) or pick another name",
                )
            watches[name] = watch = replace(watch, seen=frozenset(matching), last_run=_now())
        return watch

    def remove(self, name: str) -> Watch:
        with self._locked() as watches:
            return watches.pop(self._named(watches, name).name)

    def pending(self, engine: SearchBackend, name: str) -> list[Hit]:
        """The items that arrived since the last run, newest first, without remembering them."""
        watch = self.get(name)
        return _hits(engine, watch, _ids(engine, watch))

    def new_count(self, engine: SearchBackend, name: str) -> int:
        """How many items arrived since the last run (nothing is read beyond their ids)."""
        watch = self.get(name)
        return sum(1 for item_id in _ids(engine, watch) if item_id not in watch.seen)

    def run(self, engine: SearchBackend, name: str) -> tuple[Watch, list[Hit]]:
        """The items that arrived since the last run, newest first; then remember this run."""
        with self._locked() as watches:
            watch = self._named(watches, name)
            matching = _ids(engine, watch)
            new = _hits(engine, watch, matching)
            watches[name] = replace(watch, seen=frozenset(matching), last_run=_now())
        return watch, new

    @staticmethod
    def _named(watches: dict[str, Watch], name: str) -> Watch:
        if name not in watches:
            known = ", ".join(sorted(watches)) or "none yet"
            raise WatchNotFoundError(
                f"no watch called {name!r} (watches: {known})",
                hint="newsearch watch list shows them; newsearch watch add NAME QUERY adds one",
            )
        return watches[name]


def _ids(engine: SearchBackend, watch: Watch) -> list[str]:
    """The ids of every item the watch matches now."""
    return matching_ids(engine, watch.request())


def _hits(engine: SearchBackend, watch: Watch, matching: list[str]) -> list[Hit]:
    """The matching items not seen before, as hits, newest first.

    Only they are made into hits (snippets and all); the export stops at the last of them,
    and new items, being the newest, come first.
    """
    unseen = {item_id for item_id in matching if item_id not in watch.seen}
    out: list[Hit] = []
    if not unseen:
        return out
    for hit in engine.export(watch.request()):
        if hit.id in unseen:
            out.append(hit)
            if len(out) == len(unseen):
                break
    return out
