"""Rendering for the shell: tables for people, JSON, JSON Lines and CSV for programs."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from newsearch.index.build import IndexReport, Progress
from newsearch.index.item import Item
from newsearch.search.results import FACET_NAMES, Hit, SearchResult, Stats
from newsearch.search.stories import Version

BOLD, DIM, RESET, YELLOW = "\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[33m"


def _style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color else text


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((100, 24)).columns))


@dataclass(frozen=True)
class Target:
    """How a command writes its answer, decided once: the format, and whether in colour."""

    format: str
    color: bool = False

    @classmethod
    def decide(cls, fmt: str | None, people: str, *, terminal: bool, no_color: bool) -> Target:
        """The format asked for, else ``people`` (table, text) on a terminal and JSON in a
        pipe; colour on a terminal only, and never with NO_COLOR set."""
        return cls(fmt or (people if terminal else "json"), terminal and not no_color)


def write_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def render_hit(
    hit: Hit, number: int, color: bool, width: int, others: Sequence[Version] = ()
) -> str:
    snippet = "".join(_style(t, BOLD + YELLOW, color) if m else t for t, m in hit.snippet)
    meta = " · ".join(
        p for p in (hit.date or "undated", ", ".join(hit.countries), ", ".join(hit.topics)) if p
    )
    score = f"  {hit.score:.2f}" if hit.score is not None else ""
    lines = [
        f"{number:>3}. {_style(hit.title, BOLD, color)}",
        "     " + _style(f"{meta}{score}  [{hit.id}]", DIM, color),
    ]
    if snippet:
        lines += textwrap.wrap(
            snippet,
            width=width + (snippet.count("\x1b[") * 4),
            initial_indent="     ",
            subsequent_indent="     ",
        )
    if hit.match == "partial":
        lines.append(
            "     " + _style(f"matches some words: {', '.join(hit.matched_words)}", DIM, color)
        )
    versions = hit.versions or 1
    if versions > 1:
        lines.append("     " + _style(f"×{versions} versions of this story", DIM, color))
        for version in others:
            line = f"also: {version.title} ({version.date or 'undated'}) [{version.id}]"
            lines.append("       " + _style(textwrap.shorten(line, width=width), DIM, color))
        if len(others) < versions - 1 and others:
            lines.append(_style(f"       and {versions - 1 - len(others)} more", DIM, color))
    return "\n".join(lines)


def render_result(
    result: SearchResult, color: bool, versions: Mapping[str, Sequence[Version]] | None = None
) -> str:
    """A page of results for the terminal; ``versions``: other versions shown under a hit."""
    width = _width()
    first = (result.page - 1) * result.limit + 1
    hits = [
        render_hit(hit, first + i, color, width, (versions or {}).get(hit.id, ()))
        for i, hit in enumerate(result.hits)
    ]
    last = first + len(result.hits) - 1
    counted = f"{result.total} match{'es' if result.total != 1 else ''}"
    if result.counted == "stories":
        counted = f"{result.total} stor{'ies' if result.total != 1 else 'y'} match"
    elif result.stories is not None and result.stories != result.total:
        counted += f" in {result.stories} stor{'ies' if result.stories != 1 else 'y'}"
    if result.partial_total:
        counted = (
            f"{result.total} item{'s' if result.total != 1 else ''} "
            f"match{'es' if result.total == 1 else ''} every word; "
            f"{result.partial_total} more match some"
        )
    footer = [
        _style(
            counted
            + (f", showing {first}-{last}" if result.hits else "")
            + f" (sorted by {result.sort}, {result.seconds * 1000:.0f} ms)",
            DIM,
            color,
        )
    ]
    for name in FACET_NAMES:
        values = result.facets.get(name, ())
        if values:
            shown = ", ".join(f"{v.value} ({v.count})" for v in values[:8])
            more = f", +{len(values) - 8} more" if len(values) > 8 else ""
            footer.append(
                textwrap.fill(f"{name}: {shown}{more}", width=width, subsequent_indent="  ")
            )
    return "\n\n".join([*hits, "\n".join(footer)])


def render_item(item: Item) -> str:
    lines = [item.title, "=" * min(len(item.title), 80)]
    rows = [
        ("id", item.id),
        ("date", f"{item.date} ({item.date_precision})" if item.date else "none"),
        ("kind", item.kind),
        ("label", item.label or ""),
        ("kicker", item.kicker or ""),
        ("listed under", item.listed_under or ""),
        ("language", item.language),
        ("topics", ", ".join(item.topics)),
        (
            "countries",
            ", ".join(
                f"{n} ({c})" for n, c in zip(item.countries, item.country_codes, strict=False)
            ),
        ),
        ("regions", ", ".join(item.regions)),
        ("url", item.url or ""),
        ("source", item.source),
    ]
    lines += [f"{k:>12}: {v}" for k, v in rows if v]
    if item.summary:
        lines += ["", textwrap.fill(item.summary, width=_width())]
    if item.body:
        lines += ["", *(textwrap.fill(p, width=_width()) for p in item.body.split("\n\n"))]
    if item.evidence:
        lines += ["", "evidence:"]
        lines += [f"  {e.field:>8} {e.value}: {e.source} «{e.text}»" for e in item.evidence]
    return "\n".join(lines)


def render_stats(stats: Stats) -> str:
    lines = [
        f"index:    {stats.path}",
        f"items:    {stats.items} ({stats.undated} undated)",
        f"size:     {stats.size_bytes / 1024:.1f} KiB in {stats.segments} segment(s)",
        f"updated:  {stats.updated or 'unknown'}",
    ]
    for name, values in stats.facets.items():
        lines.append("")
        lines.append(f"{name}:")
        lines += [f"  {v.count:>6}  {v.value}" for v in values]
    return "\n".join(lines)


def render_report(report: IndexReport, index_path: str) -> str:
    parts = [
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.duplicates} duplicate(s), {report.skipped} block(s) skipped "
        f"from {report.files} file(s) in {report.seconds:.1f} s",
        f"{report.total} item(s) in {index_path}",
    ]
    if report.removed:
        parts.append(f"{report.removed} item(s) removed")
    if report.commits > 1:
        parts.append(f"committed in {report.commits} batches")
    if report.failed_files:
        parts.append(f"{report.failed_files} file(s) could not be read")
    return "\n".join(parts)


def render_explain(explain: dict[str, Any]) -> str:
    """How a query was searched, for stderr: parts, stems, expansions and what each matched."""
    lines = [f"query: {explain['query']}", f"languages: {', '.join(explain['languages'])}"]
    for word in explain["words"]:
        stems = ", ".join(f"{lang} {term}" for lang, term in word["stems"].items())
        line = f"word {word['word']!r}: {word['items_with_word']} item(s); stems {stems}"
        if word["understood_as"]:
            line += (
                f"; read as {word['understood_as']}, "
                f"{word['items_with_word_or_expansion']} item(s) with its other forms"
            )
        lines.append(line)
        if word["expansions"]:
            lines.append(f"  also looks for: {', '.join(word['expansions'])}")
    for part in explain["never_relaxed"]:
        lines.append(f"always required: {part['part']} ({part['items']} item(s))")
    if explain["excluded"]:
        lines.append(f"excluded: {explain['excluded']}")
    lines.append(
        f"matching {explain['match']}, vocabulary {'on' if explain['expand'] else 'off'}: "
        f"{explain['full_matches']} full match(es)"
        + (
            f", partial fallback ran: {explain['partial_matches']} more"
            if explain["partial_fallback"]
            else ", no partial fallback"
        )
    )
    if explain["corrected_from"]:
        lines.append(f"corrected from: {explain['corrected_from']}")
    return "\n".join(f"newsearch: explain: {line}" for line in lines)


def render_progress(progress: Progress, width: int = 30) -> str:
    """One line: a bar (when the size is known), items, items per second and time left."""
    bar = ""
    if progress.bytes_total:
        done = min(1.0, progress.bytes_done / progress.bytes_total)
        filled = int(done * width)
        bar = f"[{'#' * filled}{'-' * (width - filled)}] {done * 100:3.0f}%  "
    eta = progress.eta
    left = f"  ETA {_clock(eta)}" if eta is not None else ""
    return f"indexing {bar}{progress.items:,} items  {progress.rate:,.0f}/s{left}"


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class ProgressLine:
    """A progress line rewritten in place on a terminal (only ever used on one)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown = False

    def show(self, progress: Progress) -> None:
        line = render_progress(progress)[: _width() - 1]
        self.out.write(f"\r{line}\x1b[K")
        self.out.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.shown = False
