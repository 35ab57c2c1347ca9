"""The researcher's commands: concordance, trends, watches, key terms, stories."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import click

from newsearch.search import output, provenance
from newsearch.search import rows as rows_module
from newsearch.search.backend import SearchBackend
from newsearch.search.cli_options import (
    filter_options,
    filters_from,
    format_option,
    index_option,
    index_path,
    message,
    open_engine,
    output_option,
    with_errors,
)
from newsearch.search.cli_options import target as output_target
from newsearch.search.concordance import (
    DEFAULT_WIDTH,
    MAX_SORTED,
    MAX_WIDTH,
    ORDERS,
    Line,
    concordance,
    ordered,
    primed,
)
from newsearch.search.concordance import write_csv as write_lines_csv
from newsearch.search.concordance import write_jsonl as write_lines_jsonl
from newsearch.search.engine import SearchRequest
from newsearch.search.exits import Exit
from newsearch.search.filters import Filters
from newsearch.search.keyness import DEFAULT_LIMIT as DEFAULT_TERMS
from newsearch.search.keyness import KEYS as TERM_KEYS
from newsearch.search.keyness import CorpusCounts, Counts, Term, key_terms
from newsearch.search.keyness import cache_path as terms_cache
from newsearch.search.periods import UNITS
from newsearch.search.rows import cell
from newsearch.search.stories import counts as story_counts
from newsearch.search.stories import stories
from newsearch.search.trends import Trend, trend
from newsearch.search.trends import write_csv as write_trend_csv
from newsearch.search.watches import WatchBook
from newsearch.search.watches import default_path as default_watches

DIM, BOLD, RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"


def provenance_option(func: Any) -> Any:
    return click.option(
        "--provenance",
        "provenance_path",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE.json",
        help="Also write how this output was made (query, filters, index, version, time, "
        "command) to FILE.json; the data itself stays pure.",
    )(func)


def write_provenance(
    path: Path | None,
    engine: SearchBackend,
    kind: str,
    queries: list[str],
    filters: Filters,
    options: dict[str, Any],
    rows: int,
) -> None:
    """Write the provenance record beside the data, if one was asked for."""
    if path is None:
        return
    location, backend = provenance.index_args(engine)
    command = provenance.command_for(kind, queries, filters, options, location, backend)
    made = provenance.record(engine, kind, queries, filters, options, command).with_rows(rows)
    provenance.write(made, path)
    message(f"newsearch: provenance written to {path}")


# -- concordance ----------------------------------------------------------------------------


def kwic_table(lines: Iterable[Line], out: TextIO, width: int, color: bool) -> int:
    count = 0
    for line in lines:
        match = f"{BOLD}{line.match}{RESET}" if color else line.match
        meta = f"{line.date or 'undated'} {line.id}"
        meta = f"{DIM}{meta}{RESET}" if color else meta
        out.write(f"{line.left:>{width}}  {match}  {line.right:<{width}}  {meta}\n")
        count += 1
    return count


@click.command("kwic")
@click.argument("text", nargs=-1)
@index_option
@filter_options
@click.option(
    "--width",
    type=click.IntRange(0, MAX_WIDTH),
    default=DEFAULT_WIDTH,
    show_default=True,
    help="Characters of context on each side of the match.",
)
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    default="items",
    show_default=True,
    help="items: as the search orders them (streamed); left/right: by the words before/after "
    f"the match; match: by the match as written (a sorted order reads at most {MAX_SORTED:,} "
    "lines before writing).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many lines (with a sorted order: the first ones in that order).",
)
@format_option(["table", "csv", "jsonl"], None, "Default: table on a terminal, jsonl in a pipe.")
@output_option
@provenance_option
@with_errors
def kwic_command(
    text: tuple[str, ...],
    index_dir: Path | None,
    width: int,
    order: str,
    limit: int | None,
    fmt: str | None,
    out_path: Path | None,
    provenance_path: Path | None,
    **kwargs: Any,
) -> None:
    """Concordance: every occurrence of TEXT's words and phrases in the matching items.

    Each line is left context, the match as written, right context, then the item's date
    and id (csv and jsonl add title, field, url and source). Phrases match as phrases;
    words match in every form their stem takes, in English, French and Spanish.

    \b
    Examples:
      newsearch kwic '"forced labour"' --order left
      newsearch kwic 'fish*' --country Indonesia --format csv -o fish.csv --provenance fish.json

    Exit status: 0 with lines, 1 with none, 2 for a usage or query syntax error.
    """
    query = " ".join(text)
    sort = kwargs.pop("sort")
    filters = filters_from(kwargs)
    out_target = _decide(fmt, "jsonl", out_path)
    fmt = out_target.format
    with open_engine(index_dir) as engine:
        request = SearchRequest(query, filters, sort, limit=1)
        lines = primed(ordered(concordance(engine, request, width), order, limit))

        def write(out: TextIO) -> int:
            if fmt == "csv":
                return write_lines_csv(lines, out)
            if fmt == "jsonl":
                return write_lines_jsonl(lines, out)
            return kwic_table(lines, out, width, out is sys.stdout and out_target.color)

        if out_path is None:
            count = write(sys.stdout)
        else:
            with out_path.open("w", encoding="utf-8", newline="") as handle:
                count = write(handle)
        options = {"width": width, "order": order, "sort": sort, "limit": limit, "format": fmt}
        write_provenance(provenance_path, engine, "kwic", [query], filters, options, count)
    message(f"newsearch: {count} line(s)" + (f" written to {out_path}" if out_path else ""))
    if not count:
        sys.exit(Exit.NO_RESULTS)


# -- trends ---------------------------------------------------------------------------------


def trend_table(result: Trend, normalize: bool) -> str:
    names = [q or "(all items)" for q in result.queries]
    widths = [max(len(n), 9 if normalize else 6) for n in names]
    lines = [
        "period   "
        + f"{'all':>7}  "
        + "  ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))
    ]
    for row in result.rows:
        cells = []
        for count, share, w in zip(row.counts, row.shares(), widths, strict=True):
            text = (
                (f"{share * 100:.2f}%" if share is not None else "–") if normalize else str(count)
            )
            cells.append(f"{text:>{w}}")
        lines.append(f"{row.period:<8} {row.total:>7}  " + "  ".join(cells))
    extra = [("undated", result.undated_total, result.undated)]
    if result.unit == "month" and result.year_only_total:
        extra.append(("year only", result.year_only_total, result.year_only))
    for label, total, counts in extra:  # shares of the items no period holds, as the CSV
        cells = []
        for count, w in zip(counts, widths, strict=True):
            text = str(count)
            if normalize:
                text = f"{count / total * 100:.2f}%" if total else "–"
            cells.append(f"{text:>{w}}")
        lines.append(f"{label:<8} {total:>7}  " + "  ".join(cells))
    shown = "share of all items in the period" if normalize else "matching items"
    lines.append(f"({shown} per {result.unit}; 'all' counts every item under the filters)")
    return "\n".join(lines)


@click.command("trend")
@click.argument("queries", nargs=-1, required=True)
@index_option
@filter_options
@click.option(
    "--by", type=click.Choice(UNITS), default="year", show_default=True, help="Period to count by."
)
@click.option(
    "--normalize",
    is_flag=True,
    help="Also give each count as a share of all items in its period (under the filters), "
    "so growth of the corpus alone shows as flat.",
)
@format_option(["table", "csv", "json"], None, "Default: table on a terminal, json in a pipe.")
@output_option
@provenance_option
@with_errors
def trend_command(
    queries: tuple[str, ...],
    index_dir: Path | None,
    by: str,
    normalize: bool,
    fmt: str | None,
    out_path: Path | None,
    provenance_path: Path | None,
    **kwargs: Any,
) -> None:
    """Matching items per year or month for each QUERY (one argument per search).

    \b
    Examples:
      newsearch trend '"forced labour"' '"child labour"' --by year --normalize
      newsearch trend trafficking --by month --from 2016 --to 2017 --format csv

    Undated items are counted apart; by month, so are items known only to their year.
    """
    kwargs.pop("sort")
    filters = filters_from(kwargs)
    fmt = _decide(fmt, "json", out_path).format
    with open_engine(index_dir) as engine:
        result = trend(engine, list(queries), filters, by)

        def write(out: TextIO) -> None:
            if fmt == "csv":
                write_trend_csv(result, out, normalize)
            elif fmt == "json":
                json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                out.write(trend_table(result, normalize) + "\n")

        if out_path is None:
            write(sys.stdout)
        else:
            with out_path.open("w", encoding="utf-8", newline="") as handle:
                write(handle)
        options = {"by": by, "normalize": normalize, "format": fmt}
        write_provenance(
            provenance_path, engine, "trend", list(queries), filters, options, len(result.rows)
        )
    if not any(result.matches()):
        message("newsearch: no items match any of these searches")
        sys.exit(Exit.NO_RESULTS)


# -- watched searches -----------------------------------------------------------------------


def watches_option(func: Any) -> Any:
    return click.option(
        "--watches",
        "watches_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="NEWSEARCH_WATCHES",
        show_envvar=True,
        help="Watch file. Default: $NEWSEARCH_WATCHES, else INDEX.watches.json beside the index.",
    )(func)


def _book(index_dir: Path | None, watches_path: Path | None) -> WatchBook:
    return WatchBook(watches_path or default_watches(index_path(index_dir)))


@click.group("watch")
def watch_group() -> None:
    """Watched searches: save a search, then see only the items that arrived since last time.

    \b
    Examples:
      newsearch watch add peru-trafficking trafficking --country Peru
      newsearch index new-dump.txt
      newsearch watch run peru-trafficking     # the new matching items, then remembered
    """


@watch_group.command("add")
@click.argument("name")
@click.argument("text", nargs=-1)
@index_option
@watches_option
@filter_options
@with_errors
def watch_add(
    name: str,
    text: tuple[str, ...],
    index_dir: Path | None,
    watches_path: Path | None,
    **kwargs: Any,
) -> None:
    """Save TEXT and the filters as the watch NAME; what matches now counts as seen."""
    kwargs.pop("sort")
    filters = filters_from(kwargs)
    with open_engine(index_dir) as engine:
        watch = _book(index_dir, watches_path).add(engine, name, " ".join(text), filters)
    message(f"newsearch: watching {name!r}: {len(watch.seen)} item(s) match now")


@watch_group.command("list")
@index_option
@watches_option
@format_option(["table", "json"], None, "Default: table on a terminal, json in a pipe.")
@with_errors
def watch_list(index_dir: Path | None, watches_path: Path | None, fmt: str | None) -> None:
    """The saved searches, with how many items each would report now."""
    book = _book(index_dir, watches_path)
    watches = book.watches()
    with open_engine(index_dir) as engine:
        rows = [(w, book.new_count(engine, w.name)) for w in watches]
    if output_target(fmt, "table").format == "json":
        output.write_json([{**w.to_dict(), "new": n} for w, n in rows], sys.stdout)
        return
    for watch, new in rows:
        filters = "; ".join(
            f"{k}: {v if isinstance(v, str) else ', '.join(v)}" for k, v in watch.filters.items()
        )
        click.echo(
            f"{watch.name}  {new} new  query {watch.query!r}"
            + (f"  ({filters})" if filters else "")
            + f"  last run {watch.last_run or 'never'}"
        )
    if not rows:
        message("newsearch: no watched searches yet (newsearch watch add NAME QUERY)")


@watch_group.command("run")
@click.argument("names", nargs=-1)
@index_option
@watches_option
@format_option(
    ["table", "json", "jsonl", "csv"],
    None,
    "Default: table on a terminal, jsonl in a pipe (each hit with a 'watch' key).",
)
@with_errors
def watch_run(
    names: tuple[str, ...], index_dir: Path | None, watches_path: Path | None, fmt: str | None
) -> None:
    """The items that arrived since each watch last ran (all watches without NAMES).

    The run is remembered: the next one reports only what arrives after it. Exit status 0
    with new items, 1 with none.
    """
    book = _book(index_dir, watches_path)
    chosen = list(names) or [w.name for w in book.watches()]
    out_target = _decide(fmt, "jsonl")
    fmt = out_target.format
    total = 0
    with open_engine(index_dir) as engine:
        results = []
        for name in chosen:
            watch, new = book.run(engine, name)
            results.append((watch, new))
            total += len(new)
    if fmt == "json":
        output.write_json(
            [{"watch": w.name, "hits": [h.to_dict() for h in new]} for w, new in results],
            sys.stdout,
        )
    elif fmt == "jsonl":
        for watch, new in results:
            for hit in new:
                sys.stdout.write(
                    json.dumps({**hit.to_dict(), "watch": watch.name}, ensure_ascii=False) + "\n"
                )
    elif fmt == "csv":
        rows_module.write_rows("csv", (hit for _, new in results for hit in new), sys.stdout)
    else:
        color = out_target.color
        for watch, new in results:
            click.echo(f"{watch.name}: {len(new)} new since {watch.last_run or 'it was added'}")
            for number, hit in enumerate(new, start=1):
                click.echo(output.render_hit(hit, number, color, 100))
    message(f"newsearch: {total} new item(s) in {len(results)} watch(es)")
    if not total:
        sys.exit(Exit.NO_RESULTS)


@watch_group.command("remove")
@click.argument("name")
@index_option
@watches_option
@with_errors
def watch_remove(name: str, index_dir: Path | None, watches_path: Path | None) -> None:
    """Forget the watch NAME."""
    _book(index_dir, watches_path).remove(name)
    message(f"newsearch: removed the watch {name!r}")


# -- what sets a search's items apart --------------------------------------------------------


def terms_table(found: list[Term], target: Counts, reference: Counts, against: str | None) -> str:
    versus = f"the items of {against!r}" if against is not None else "the rest of the corpus"
    lines = [
        f"{'term':<28} {'count':>7} {'other':>7} {'per 10k':>9} {'other/10k':>9} {'LL':>9}",
    ]
    for term in found:
        lines.append(
            f"{term.term[:28]:<28} {term.count:>7} {term.reference:>7} {term.per_10k:>9.1f} "
            f"{term.reference_per_10k:>9.1f} {term.log_likelihood:>9.1f}"
        )
    lines.append(
        f"({target.items} item(s), {target.tokens} words, against {versus}: "
        f"{reference.items} item(s), {reference.tokens} words; log-likelihood, p < 0.001)"
    )
    return "\n".join(lines)


@click.command("terms")
@click.argument("text", nargs=-1)
@index_option
@filter_options
@click.option(
    "--against",
    metavar="QUERY",
    default=None,
    help="Compare with the items of this search (same filters) instead of the whole corpus.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 500),
    default=DEFAULT_TERMS,
    show_default=True,
    help="At most this many terms.",
)
@format_option(["table", "csv", "json"], None, "Default: table on a terminal, json in a pipe.")
@provenance_option
@with_errors
def terms_command(
    text: tuple[str, ...],
    index_dir: Path | None,
    against: str | None,
    limit: int,
    fmt: str | None,
    provenance_path: Path | None,
    **kwargs: Any,
) -> None:
    """Words and phrases over-represented in the items matching TEXT.

    Titles and summaries are compared with the rest of the corpus (or with the items of
    --against QUERY) by Dunning's log-likelihood; stop words are left aside and only
    terms seen at least 3 times and significant at p < 0.001 are listed.

    \b
    Examples:
      newsearch terms fishers
      newsearch terms '"child labour"' --against '"forced labour"' --format csv
    """
    kwargs.pop("sort")
    filters = filters_from(kwargs)
    query = " ".join(text)
    with open_engine(index_dir) as engine:
        corpus = CorpusCounts(terms_cache(engine.data_dir))
        fingerprint = provenance.IndexRecord.of(engine).fingerprint
        found, target, reference = key_terms(
            engine, query, filters, against=against, limit=limit, corpus=corpus,
            fingerprint=fingerprint,
        )  # fmt: skip
        fmt = output_target(fmt, "table").format
        if fmt == "json":
            output.write_json(
                {
                    "query": query,
                    "against": against,
                    "items": target.items,
                    "words": target.tokens,
                    "reference_items": reference.items,
                    "reference_words": reference.tokens,
                    "terms": [t.to_dict() for t in found],
                },
                sys.stdout,
            )
        elif fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(TERM_KEYS)
            for term in found:
                writer.writerow([cell(v) for v in term.to_dict().values()])
        else:
            click.echo(terms_table(found, target, reference, against))
        options = {"against": against, "limit": limit, "format": fmt}
        write_provenance(provenance_path, engine, "terms", [query], filters, options, len(found))
    if not found:
        message("newsearch: no word stands out in these items")
        sys.exit(Exit.NO_RESULTS)


# -- stories: near-duplicates shown once --------------------------------------------------

VERSIONS_LISTED = 5  # other versions named under a result in the terminal


def story_options(func: Any) -> Any:
    """--all-versions and --collapse: how near-duplicate versions are listed and counted."""
    func = click.option(
        "--collapse",
        is_flag=True,
        help="Count matches and facets per story (near-duplicates once) instead of per item.",
    )(func)
    return click.option(
        "--all-versions",
        "all_versions",
        is_flag=True,
        help="List every near-duplicate version as its own result (by default a story is "
        'listed once, marked "×N versions").',
    )(func)


@click.command("stories")
@click.argument("text", nargs=-1)
@index_option
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many stories (default: 10 in a table or json, all in jsonl).",
)
@click.option(
    "--collapse",
    is_flag=True,
    help="Count matches and facets per story (a story counts once) instead of per item.",
)
@format_option(["table", "json", "jsonl"], None, "Default: table on a terminal, json in a pipe.")
@with_errors
def stories_command(
    text: tuple[str, ...],
    index_dir: Path | None,
    limit: int | None,
    collapse: bool,
    fmt: str | None,
    **kwargs: Any,
) -> None:
    """Matching items with near-duplicate versions shown once, marked "xN versions".

    Versions of one story (the same release on several listing pages, a title changed by a
    word, a shortened summary) are grouped by MinHash over titles and summaries (estimated
    Jaccard similarity of words and word pairs at least 0.5). Each JSON hit gains
    "cluster", "versions" and "version_ids".
    """
    sort = kwargs.pop("sort")
    filters = filters_from(kwargs)
    request = SearchRequest(" ".join(text), filters, sort, limit=1)
    out_target = output_target(fmt, "table")
    fmt = out_target.format
    with open_engine(index_dir) as engine:
        found = stories(engine, request)
        if fmt == "jsonl":
            shown = 0
            for story in found:
                if limit is not None and shown >= limit:
                    break
                sys.stdout.write(json.dumps(story.to_dict(), ensure_ascii=False) + "\n")
                shown += 1
            total = shown
        else:
            first = [s for _, s in zip(range(limit or 10), found, strict=False)]
            tally = story_counts(engine, request, collapse)
            total = tally.items
            if fmt == "json":
                data = {"query": request.text, **tally.to_dict()}
                data["hits"] = [s.to_dict() for s in first]
                output.write_json(data, sys.stdout)
            else:
                color = out_target.color
                for number, story in enumerate(first, start=1):
                    click.echo(output.render_hit(story.hit, number, color, 100))
                    if len(story.versions) > 1:
                        others = ", ".join(v for v in story.versions if v != story.hit.id)
                        click.echo(f"     x{len(story.versions)} versions (also {others})")
                click.echo(
                    f"\n{tally.items} matching item(s) in {tally.stories} story(ies); "
                    f"facets count {tally.unit}"
                )
                for name, values in tally.facets.items():
                    if values:
                        shown_values = ", ".join(f"{v.value} ({v.count})" for v in values[:8])
                        click.echo(f"{name}: {shown_values}")
    if not total:
        message("newsearch: no items match")
        sys.exit(Exit.NO_RESULTS)


COMMANDS = (kwic_command, trend_command, watch_group, terms_command, stories_command)


def register(group: click.Group) -> None:
    """Add the research commands to the ``newsearch`` group."""
    for command in COMMANDS:
        group.add_command(command)


def _decide(fmt: str | None, pipe: str, out_path: Path | None = None) -> output.Target:
    """The output of a research command: ``--format``, else a table on a terminal and ``pipe``
    (a machine format) in a pipe or a file."""
    decided = output_target(fmt, "table")
    if fmt is None and (out_path is not None or decided.format != "table"):
        return output.Target(pipe, False)
    return decided
