"""Paragraph dumps: no numbers, cards or dates, a title line followed by its prose."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsearch.index.corpus.furniture import TERMINAL
from newsearch.index.corpus.lines import Line, is_prose

if TYPE_CHECKING:
    from newsearch.index.corpus.dump import DumpReader


def read_paragraphs(reader: DumpReader, lines: list[Line]) -> None:
    """No numbers, cards or dates: a title line followed by its prose, item after item.

    Where blank lines set the items apart (most blocks hold a title and more), each block is
    an item; otherwise an item starts at each title-like line after a prose line.
    """
    blocks: list[list[Line]] = []
    for line in lines:
        if line.gap or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    texts = [sum(1 for line in block if line.kind == "text") for block in blocks]
    if len(blocks) >= 2 and 2 * sum(1 for n in texts if n >= 2) >= len(blocks):
        items: list[list[Line]] = []
        for block in blocks:
            first = next((line for line in block if line.kind == "text"), None)
            further = (
                first is not None and is_prose(first.text) and bool(TERMINAL.search(first.text))
            )
            if items and further:
                items[-1].extend(block)  # a further paragraph of the item above
            else:
                items.append(block)
        for block in items:
            reader.segment(block)
        return
    group: list[Line] = []
    for line in lines:
        starts_item = (
            line.kind == "text"
            and (not is_prose(line.text) or not TERMINAL.search(line.text))
            and group
            and any(g.kind == "text" for g in group)
            and (is_prose(group[-1].text) or group[-1].kind != "text")
        )
        if starts_item:
            reader.segment(group)
            group = []
        group.append(line)
    if group:
        reader.segment(group)
