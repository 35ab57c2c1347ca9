"""Items and Whoosh documents: the fields an item is written as, and read back from."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsearch.index.analysis import SEPARATOR, mark
from newsearch.index.fields import item_fields
from newsearch.index.item import Item
from newsearch.index.schema import UNDATED, UNDATED_LAST

if TYPE_CHECKING:  # reading and tagging load only when indexing, not when searching
    pass


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
        "source_row": source_row(item.source),  # ties are listed in reading order
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


def source_row(source: str) -> int:
    """The line in an item's source ("folder/dump.txt:12" -> 12; 0 when it names none)."""
    _, _, line = source.rpartition(":")
    return int(line) if line.isdigit() else 0


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
