"""Dated lists: items found from their date lines, each with its title above or below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsearch.index.corpus.lines import Line, is_kicker, is_label, is_teaser

if TYPE_CHECKING:
    from newsearch.index.corpus.dump import DumpReader


def read_dated(reader: DumpReader, lines: list[Line]) -> None:
    """An unnumbered list (or one article) where each item has a date line.

    The title is the line directly above the date line, or above a teaser sentence there
    (an article page: title, teaser, "Press release | Geneva | 12 June 2019"); a short line
    above the title is its label or kicker. A date line that opens its block stands above
    its title instead ("News | 3 May 2021", then the title).
    """
    starts: list[int] = []
    for index, line in enumerate(lines):
        if line.kind != "date":
            continue
        start = _item_start(lines, index)
        if start is not None and (not starts or start > starts[-1]):
            starts.append(start)
    if not starts:
        reader.paragraphs(lines)
        return
    if starts[0] > 0:
        _stray(reader, lines[: starts[0]])
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        reader.segment(lines[start:end])


def _item_start(lines: list[Line], index: int) -> int | None:
    """Where the item whose date line is ``lines[index]`` begins (None: not an item's)."""

    def above(position: int) -> int:
        """The nearest line above ``position`` in the same block that is not furniture."""
        while position > 0 and not lines[position].gap:
            position -= 1
            if lines[position].kind not in {"credit", "chrome"}:
                return position
        return -1

    title = above(index)
    if title < 0 or lines[title].kind != "text":
        # The date line opens its block: the title is the next text line.
        following = next(
            (i for i in range(index + 1, min(index + 4, len(lines))) if lines[i].kind == "text"),
            None,
        )
        return index if following is not None else None
    if is_teaser(lines[title].text):
        teaser_top = above(title)
        if (
            teaser_top >= 0
            and lines[teaser_top].kind == "text"
            and not is_label(lines[teaser_top].text)
        ):
            title = teaser_top  # title, teaser, date line: an article page
    start = title
    kicker = above(title)
    if kicker >= 0 and lines[kicker].kind == "text" and is_kicker(lines[kicker].text):
        start = kicker
    while start > 0 and not lines[start].gap and lines[start - 1].kind in {"credit", "chrome"}:
        start -= 1
    return start


def _stray(reader: DumpReader, lines: list[Line]) -> None:
    """Lines before the first item of a dated list: furniture and stray text, reported."""
    for line in lines:
        if line.kind == "credit":
            continue
        why = (
            "page navigation text skipped"
            if line.kind == "chrome"
            else "text before the first item skipped"
        )
        reader.skip(line, why)
