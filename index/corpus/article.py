"""One item's lines into a raw item: label or kicker, credit, title, teaser, date line, summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsearch.index.corpus.cards import find_anchors
from newsearch.index.corpus.lines import Line, is_kicker, is_label, is_prose, is_teaser
from newsearch.index.item import RawItem
from newsearch.index.kinds import kind_named

if TYPE_CHECKING:
    from newsearch.index.corpus.dump import DumpReader


def read_item(reader: DumpReader, lines: list[Line]) -> None:
    """Lines that belong to one item: label or kicker, credit, title, teaser, date, summary."""
    credits = [line.text for line in lines if line.kind == "credit"]
    anchors = find_anchors(lines)
    if anchors and anchors[0][0] <= 1:
        reader.cards(lines, anchors)
        return
    texts: list[Line] = []
    date_line: Line | None = None
    for line in lines:
        if line.kind == "credit":
            continue
        if line.kind in {"date", "header"} and date_line is None and line.date is not None:
            date_line = line
        elif line.kind == "text":
            texts.append(line)
        elif line.kind == "chrome":
            reader.skip(line, "page navigation text skipped")
        elif line.kind == "updated":
            reader.skip(line, "update date skipped (not the publication date)")
        else:
            reader.skip(line, "unrecognised line skipped")
    if not texts:
        for line in lines:
            if line.kind == "date":
                reader.skip(line, "date without a title skipped")
        return
    label = None
    kicker = None
    before = [t for t in texts if date_line is None or t.number < date_line.number]
    after = [t for t in texts if date_line is not None and t.number > date_line.number]
    teaser: list[Line] = []
    if date_line is not None and not before:
        title, rest = after[0], after[1:]  # "News | 3 May 2021" above the title
    else:
        if (
            date_line is not None
            and len(before) >= 2
            and is_teaser(before[-1].text)
            and not is_label(before[-2].text)
        ):
            teaser = [before.pop()]  # title, teaser, date line: an article page
        head = before if date_line is not None else texts[:1]
        if date_line is None and len(texts) >= 2 and is_label(texts[0].text):
            head = texts[:2]
        title = head[-1]
        typed = date_line.label if date_line is not None else None
        for extra in head[:-1]:
            if is_label(extra.text) and label is None and typed is None:
                label = extra.text
            elif (
                typed
                and len(extra.text.split()) <= 2
                and kind_named(extra.text) == kind_named(typed)
            ):
                continue  # "Podcast" above a "Podcast | 4 May 2021" line says it twice
            elif kicker is None and is_kicker(extra.text):
                kicker = extra.text
            else:
                reader.skip(extra, "text above an item's title skipped")
        rest = teaser + [t for t in texts if t.number > title.number and t not in teaser]
    if kicker is not None and date_line is None and len(before) <= 2 and label is None:
        label, kicker = kicker, None  # an undated entry: the line above is its label
    reader.emit(
        title,
        label=label,
        kicker=kicker,
        credit=" | ".join(credits),
        rest=rest,
        date_line=date_line,
    )


def emit(
    reader: DumpReader,
    title: Line,
    *,
    label: str | None,
    credit: str,
    rest: list[Line],
    alt: str = "",
    date_line: Line | None = None,
    kicker: str | None = None,
) -> None:
    summary_lines: list[str] = []
    for line in rest:
        if line.kind == "date" and date_line is None:
            date_line = line
        elif line.kind == "credit":
            credit = f"{credit} | {line.text}" if credit else line.text
        elif line.kind == "text" and (not summary_lines or is_prose(line.text)):
            summary_lines.append(line.text)
        elif line.kind == "chrome":
            reader.skip(line, "page navigation text skipped")
        elif line.kind == "updated":
            reader.skip(line, "update date skipped (not the publication date)")
        else:
            reader.skip(line, "unrecognised line after an item skipped")
    date = date_line.date if date_line is not None else None
    dateline = date.rest if date else ""
    if date_line is not None and date_line.label and label is None:
        label = date_line.label  # "Press release | Geneva | 12 June 2019"
    if label is None and dateline and is_label(dateline):
        label, dateline = dateline, ""  # "17 March 2017 | Press release"
    precision = date.precision if date else None
    value = date.date if date else None
    if value is None and reader.context is not None:
        value, precision = reader.context.date, reader.context.precision
    reader.result.items.append(
        RawItem(
            title=title.text,
            source=reader.path,
            line=title.number,
            summary=summary_lines[0] if summary_lines else "",
            body="\n\n".join(summary_lines[1:]),
            date=value,
            date_precision=precision,
            date_text=date.text if date else (reader.context.text if reader.context else ""),
            label=label,
            heading=reader.result.heading,
            kicker=kicker or "",
            date_line=date_line.text if date_line is not None else "",
            credit=credit,
            alt=alt,
            dateline=dateline,
        )
    )
