"""Cards: a title repeated two to four lines later, with a label, credit and summary around it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsearch.index.corpus.lines import Line, is_label
from newsearch.index.item import normalise_title

if TYPE_CHECKING:
    from newsearch.index.corpus.dump import DumpReader

_CARD_EXTRAS = {"credit", "date", "updated"}  # lines a card may have around its summary


def read_cards(reader: DumpReader, lines: list[Line], anchors: list[tuple[int, int]]) -> None:
    if anchors[0][0] > 0:
        reader.paragraphs(lines[: anchors[0][0]])
    for position, (start, repeat) in enumerate(anchors):
        end = anchors[position + 1][0] if position + 1 < len(anchors) else len(lines)
        title, middle, after = lines[start], lines[start + 1 : repeat], lines[repeat + 1 : end]
        alt_lines = [line for line in middle if line.kind == "text"]
        label = None
        if len(alt_lines) == 1 and is_label(alt_lines[0].text):
            label, alt_lines = alt_lines[0].text, []
        elif len(alt_lines) >= 2:
            label, alt_lines = alt_lines[-1].text, alt_lines[:-1]
        credits = [line for line in middle if line.kind == "credit"]
        for line in middle:
            if line.kind not in {"text", "credit"}:
                reader.skip(line, "unrecognised line inside a card skipped")
        # After the repeated title: a summary, then perhaps cards without a repeated title.
        head, extra = _split_card_tail(after)
        reader.emit(
            title,
            label=label,
            alt=" | ".join(a.text for a in alt_lines),
            credit=" | ".join(c.text for c in credits),
            rest=head,
        )
        if extra:
            reader.paragraphs(extra)


def anchored_at(lines: list[Line], index: int) -> bool:
    return any(start == index for start, _ in find_anchors(lines[index : index + 6], limit=1))


def find_anchors(lines: list[Line], limit: int = 0) -> list[tuple[int, int]]:
    """Pairs (i, j): line j repeats title line i two to four lines later, as cards do."""
    found: list[tuple[int, int]] = []
    index = 0
    keys = [normalise_title(line.text) if line.kind == "text" else "" for line in lines]
    while index < len(lines):
        key = keys[index]
        if key and len(key) > 3:
            for other in range(index + 1, min(index + 5, len(lines))):
                if lines[other].kind not in {"text", "credit"}:
                    break
                if keys[other] == key:
                    found.append((index, other))
                    index = other
                    break
            if limit and len(found) >= limit:
                break
        index += 1
    return found


def _split_card_tail(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """After a card's repeated title: its date and summary, then any further lines as items."""
    head: list[Line] = []
    index = 0
    while index < len(lines) and lines[index].kind in _CARD_EXTRAS:
        head.append(lines[index])
        index += 1
    if index < len(lines) and lines[index].kind == "text":
        head.append(lines[index])
        index += 1
    while index < len(lines) and lines[index].kind in _CARD_EXTRAS:
        head.append(lines[index])
        index += 1
    return head, lines[index:]
