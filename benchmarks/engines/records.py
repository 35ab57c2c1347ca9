"""Corpus records as the peers index them: text, tags and resolved facet values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from benchmarks.corpus import COUNTRIES


@dataclass(frozen=True)
class Doc:
    """One item for a peer engine: its key, texts, and facet values (codes for countries)."""

    key: str
    title: str
    summary: str
    body: str
    topics: tuple[str, ...]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    year: str

    @property
    def tags(self) -> str:
        """Topics, country names and regions as words, as newsearch indexes them too."""
        names = [_name(code) for code in self.countries]
        return " ".join((*self.topics, *names, *self.regions))


_KNOWN = {c.name: (c.code, c.region) for c in COUNTRIES}
_NAMES = {c.code: c.name for c in COUNTRIES}


@cache
def place(name: str) -> tuple[str, str] | None:
    """(code, region) of a country name; names outside the synthetic list ask the gazetteer."""
    if name in _KNOWN:
        return _KNOWN[name]
    from newsearch.index.places import gazetteer

    gaz = gazetteer()
    code = gaz.code_for(name)
    if code is None:
        return None
    _NAMES.setdefault(code, gaz.name(code))
    return code, gaz.region_of.get(code, "")


def _name(code: str) -> str:
    return _NAMES.get(code, code)


def docs(path: Path) -> Iterator[Doc]:
    """Parse a JSON Lines corpus into peer documents (this parsing counts as indexing time)."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            codes: list[str] = []
            regions: list[str] = []
            for name in record.get("countries") or ():
                found = place(name)
                if found is None:
                    continue
                code, region = found
                if code not in codes:
                    codes.append(code)
                if region and region not in regions:
                    regions.append(region)
            date = record.get("date") or ""
            yield Doc(
                key=record.get("url") or f"{path.name}:{number}",
                title=record.get("title") or "",
                summary=record.get("summary") or "",
                body=record.get("body") or "",
                topics=tuple(record.get("topics") or ()),
                countries=tuple(codes),
                regions=tuple(regions),
                year=date[:4],
            )
