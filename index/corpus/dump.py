"""Plain-text listing dumps: the heading, the layout, and each region handed to its reader."""

from __future__ import annotations

import re

from newsearch.index.corpus.article import emit, read_item
from newsearch.index.corpus.cards import anchored_at, find_anchors, read_cards
from newsearch.index.corpus.dated import read_dated
from newsearch.index.corpus.furniture import TERMINAL
from newsearch.index.corpus.lines import Line, is_label, is_prose, split_lines
from newsearch.index.corpus.numbered import read_entry
from newsearch.index.corpus.paragraphs import read_paragraphs
from newsearch.index.corpus.result import MAX_FIELD, ReadResult
from newsearch.index.dates import ParsedDate
from newsearch.index.item import Problem

# How listing pages head their lists: "News on forced labour", "Actualités : ...", "Noticias sobre".
_HEADING = re.compile(
    r"^(?:(?:all|latest|recent|more)\s+)?(?:news|stories|press releases|articles|statements)\s+"
    r"(?:on|for|about|from|in)\b|"
    r"^(?:(?:all|latest|recent|more)\s+)?(?:podcasts?|videos?|features|insights|publications|"
    r"(?:podcasts?|videos?) and (?:podcasts?|videos?))\s+(?:on|about)\b|"
    r"^(?:toutes les\s+|dernières\s+)?actualités\s*(?:sur|de|du|des|:|–)|"
    r"^(?:todas las\s+|últimas\s+)?noticias\s+(?:sobre|de|del)\b",
    re.I,
)


class DumpReader:
    """Reads one plain-text dump from its structure: numbered lists, cards, dated lists."""

    def __init__(self, result: ReadResult) -> None:
        self.result = result
        self.path = result.path
        self.context: ParsedDate | None = None  # the month or year header items stand under

    def skip(self, line: Line, why: str) -> None:
        self.result.problems.append(Problem(self.path, line.number, f"{why}: {line.text[:80]!r}"))

    # -- top level ------------------------------------------------------------------------

    def read(self, text: str) -> None:
        lines = []
        for line in split_lines(text):
            if line.kind != "cut":
                lines.append(line)
                continue
            self.result.problems.append(
                Problem(
                    self.path,
                    line.number,
                    f"line is {line.cut_from:,} characters long; only the first {MAX_FIELD:,} "
                    "are read",
                    "note",
                )
            )
        body = self.heading(lines)
        numbered = sum(1 for line in body if line.kind == "numbered")
        bullets = sum(1 for line in body if line.kind == "bullet")
        seps = sum(1 for line in body if line.kind == "sep")
        dates = sum(1 for line in body if line.kind == "date")
        if numbered:
            self.result.layout = "numbered"
        elif bullets:
            self.result.layout = "bulleted"
        elif find_anchors(body):
            self.result.layout = "cards"
        elif (
            dates == 1
            and sum(1 for line in body if line.kind == "text" and is_prose(line.text)) >= 3
        ):
            self.result.layout = "article"
        elif dates:
            self.result.layout = "dated list"
        else:
            self.result.layout = "paragraphs"
        if seps and not numbered:
            self.result.layout += " (separated)"
        segment: list[Line] = []
        for line in body:
            if line.kind == "header":
                self.region(segment)
                segment = []
                self.context = line.date
            elif line.kind == "sep":
                self.region(segment)
                segment = []
            elif line.kind in {"numbered", "bullet"}:
                self.region(segment)
                segment = [line]
            else:
                segment.append(line)
        self.region(segment)

    def heading(self, lines: list[Line]) -> list[Line]:
        """Take the listing heading (and page chrome) from before the first item."""
        start = 0
        for index, line in enumerate(lines):
            if line.kind == "chrome":
                self.skip(line, "page navigation text skipped")
                start = index + 1
                continue
            if (
                line.kind == "text"
                and not self.result.heading
                and index == start
                and len(line.text.split()) <= 12
                and not TERMINAL.search(line.text)
                and not anchored_at(lines, index)
                and index + 1 < len(lines)
                and (
                    lines[index + 1].kind in {"header", "numbered", "chrome", "sep"}
                    or (
                        lines[index + 1].kind == "text"
                        and lines[index + 1].gap
                        and anchored_at(lines, index + 1)
                    )
                    or _heads_listing(lines, index)
                )
            ):
                self.result.heading = line.text
                start = index + 1
                continue
            break
        return lines[start:]

    def region(self, lines: list[Line]) -> None:
        """A stretch of lines between numbers, headers or separators: one or more items."""
        if not lines:
            return
        if lines[0].kind in {"numbered", "bullet"}:
            read_entry(self, lines)
            return
        anchors = find_anchors(lines)
        if anchors:
            self.cards(lines, anchors)
        elif any(line.kind == "date" for line in lines):
            self.dated(lines)
        else:
            self.paragraphs(lines)

    # -- the readers of each layout, for one another ---------------------------------------

    def cards(self, lines: list[Line], anchors: list[tuple[int, int]]) -> None:
        read_cards(self, lines, anchors)

    def dated(self, lines: list[Line]) -> None:
        read_dated(self, lines)

    def paragraphs(self, lines: list[Line]) -> None:
        read_paragraphs(self, lines)

    def segment(self, lines: list[Line]) -> None:
        read_item(self, lines)

    def emit(
        self,
        title: Line,
        *,
        label: str | None,
        credit: str,
        rest: list[Line],
        alt: str = "",
        date_line: Line | None = None,
        kicker: str | None = None,
    ) -> None:
        emit(
            self,
            title,
            label=label,
            credit=credit,
            rest=rest,
            alt=alt,
            date_line=date_line,
            kicker=kicker,
        )


def _heads_listing(lines: list[Line], index: int) -> bool:
    """Line ``index`` heads a listing: worded like one, or set apart above a dated item.

    An item of a dated list is a tight block (label, title, date line); a heading stands alone
    before it, with a blank line under it. A line that is itself a label or whose next line is a
    date is an item's, not the listing's.
    """
    line, following = lines[index], lines[index + 1]
    if is_label(line.text):
        return False
    if _HEADING.match(line.text) and (following.gap or following.kind != "date"):
        return True
    if following.kind == "date":
        return False
    if not following.gap:
        return False
    for position in range(index + 2, min(index + 5, len(lines))):
        if lines[position].gap:
            return False
        if lines[position].kind == "date":
            return True
    return False


def read_dump(text: str, result: ReadResult) -> None:
    """Read a plain-text listing dump into ``result``."""
    DumpReader(result).read(text)


def read_text(text: str, path: str = "<text>") -> ReadResult:
    """Read dump text that is already in memory (tests, previews)."""
    result = ReadResult(path)
    read_dump(text, result)
    return result
