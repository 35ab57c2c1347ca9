"""Numbered and bulleted lists: one entry per number or bullet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsearch.index.corpus.lines import Line, classify, type_line
from newsearch.index.item import Problem

if TYPE_CHECKING:
    from newsearch.index.corpus.dump import DumpReader


def read_entry(reader: DumpReader, lines: list[Line]) -> None:
    """One numbered or bulleted entry: its first line and the lines under it."""
    first = lines[0]
    rest = lines[1:]
    if first.text:
        kind, date = classify(first.text)
        typed = type_line(first.text)
        if kind in {"header", "sep", "junk"}:
            kind = "text" if kind == "header" else kind
        if typed is not None:
            kind, date = "date", typed[0]
        rest = [
            Line(first.number, first.text, kind, first.gap, date, typed and typed[1]),
            *rest,
        ]
    if not [line for line in rest if line.kind == "text"]:
        reader.result.problems.append(
            Problem(reader.path, first.number, f"{first.kind} entry without a title skipped")
        )
        for line in rest:
            if line.kind != "credit":
                reader.skip(line, "line of an entry without a title skipped")
        return
    reader.segment(rest)
