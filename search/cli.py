"""The `newsearch` command line: parse options, call the core, render; errors become messages."""

from __future__ import annotations

import functools
import os
import sys

# One process answering one query gains nothing from a pool of BLAS threads, and starting
# them costs tens of milliseconds before NumPy is usable (set before NumPy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import newsearch.index.light_imports  # first: Whoosh without what it never uses here
from newsearch.index.build import BATCH_ITEMS, BATCH_SECONDS
from newsearch.index.store import IndexStore
from newsearch.search import output, rows
from newsearch.search.backend import BACKENDS, BackendConfig
from newsearch.search.cli_options import (
    Failure,
    TextCommand,
    backend_config,
    filter_options,
    filters_from,
    format_option,
    index_option,
    index_path,
    is_terminal,
    matching_options,
    message,
    open_engine,
    output_option,
    target,
    with_errors,
    write_hits,
)
from newsearch.search.engine import MAX_REQUEST_RESULTS, SearchRequest
from newsearch.search.exits import Exit, help_text
from newsearch.search.research import VERSIONS_LISTED, register, story_options
from newsearch.search.results import EMPTY_INDEX
from newsearch.search.stories import other_versions


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=help_text(),
)
@click.version_option(package_name="newsearch", prog_name="newsearch")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    envvar="NEWSEARCH_BACKEND",
    show_envvar=True,
    help="Where the items live: the embedded Whoosh index (default) or an OpenSearch cluster.",
)
@click.option(
    "--url",
    metavar="URL",
    envvar="NEWSEARCH_OPENSEARCH_URL",
    show_envvar=True,
    help="The OpenSearch cluster (with --backend opensearch). Default: http://127.0.0.1:9200.",
)
@click.option(
    "--opensearch-index",
    "opensearch_index",
    metavar="NAME",
    envvar="NEWSEARCH_OPENSEARCH_INDEX",
    show_envvar=True,
    help="The index (an alias) on the OpenSearch cluster. Default: newsearch.",
)
@click.pass_context
def main(
    context: click.Context, backend: str | None, url: str | None, opensearch_index: str | None
) -> None:
    """Ranked, faceted search over news corpora (ILO labour news built in).

    \b
    Start with:  newsearch query "Indonesia fishers"
    Your files:  newsearch index PATH...   (text dumps, .jsonl, .json, .csv)
    On a cluster: newsearch --backend opensearch --url http://HOST:9200 index PATH...
    """
    context.obj = BackendConfig.resolve(backend, url, opensearch_index)


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--rebuild",
    is_flag=True,
    help="Leave the index holding exactly the items read (the others are removed at the end).",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Remove the items of the files read that those files no longer hold.",
)
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Do not ask before a rebuild removes more items than it keeps (needed in a pipe).",
)
@click.option("--sample", is_flag=True, help="Index the built-in sample corpus (ILO news dumps).")
@click.option(
    "--batch",
    "batch_items",
    type=click.IntRange(min=1),
    default=BATCH_ITEMS,
    show_default=True,
    envvar="NEWSEARCH_BATCH",
    show_envvar=True,
    metavar="ITEMS",
    help=(
        f"Commit every ITEMS items (or every {BATCH_SECONDS:g} seconds, whichever is first; "
        "longer when commits are slow, so that they take at most a fifth of the time)."
    ),
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Wait up to SECONDS for another process that is updating the index.",
)
@format_option(["text", "json"], "text", "Summary as text (stderr) or JSON (stdout).")
@with_errors
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    prune: bool,
    yes: bool,
    sample: bool,
    batch_items: int,
    wait: float,
    fmt: str,
) -> None:
    """Read corpus files or folders into the index (adds, updates, keeps unchanged).

    Items are committed in batches: an interrupted run (Ctrl-C, a crash) keeps every batch
    committed before it, and the same command run again goes on from there.

    Exit status: 0 when every file was read, 3 when some could not be (the rest is still
    indexed), a rebuild was not confirmed or the index could not be written, 2 for a usage
    error, 130 when interrupted (every batch committed before it is kept).
    """
    if not paths and not sample:
        raise click.UsageError("give at least one file or folder, or --sample")
    path = index_path(index_dir)
    from newsearch.index.corpus import discover, sample_paths

    config = backend_config()
    files, problems = discover([*paths, *(sample_paths() if sample else [])])
    store: Any = IndexStore(path)
    where = str(path)
    if config.opensearch:
        from newsearch.index.os_store import OpenSearchStore

        store = OpenSearchStore(config.url, config.index)
        where = f"{config.url.rstrip('/')}/{config.index}"
    bar = output.ProgressLine(sys.stderr) if is_terminal(sys.stderr) else None

    def confirm(removed: int, kept: int) -> bool:
        if yes:
            return True
        if bar is not None:
            bar.clear()
        if sys.stdin.isatty() and sys.stderr.isatty():
            return click.confirm(
                f"newsearch: the rebuild read {kept} item(s) and would remove {removed} "
                "other(s) from the index; remove them?",
                err=True,
            )
        return False

    try:
        writing: dict[str, Any] = {"prune": prune, "wait": wait, "batch_items": batch_items}
        report = store.build(
            [],
            rebuild=rebuild,
            files=files,
            on_progress=bar.show if bar is not None else None,
            confirm=confirm,
            **({"prune": prune} if config.opensearch else writing),
        )
    finally:
        if bar is not None:
            bar.clear()
    all_problems = [*problems, *report.problems]
    failed = report.failed_files + sum(1 for p in problems if p.severity == "error")
    if fmt == "json":
        data = report.to_dict()
        data["problems"] = [p.to_dict() for p in all_problems]
        data["failed_files"] = failed
        data["index"] = where
        output.write_json(data, sys.stdout)
    else:
        for problem in all_problems:
            label = {"error": "error", "note": "note"}.get(problem.severity, "skipped")
            message(f"{label}: {problem}")
        message(output.render_report(report, where))
    if report.stale and not prune:
        message(
            f"newsearch: {report.stale} item(s) are no longer in the files they were read "
            "from; `newsearch index --prune PATH` removes them"
        )
    if report.interrupted:
        message(
            f"newsearch: interrupted; the {report.committed} item(s) written before it were "
            f"committed (the index holds {report.total}); run the same command again to go on"
        )
        sys.exit(Exit.INTERRUPTED)
    if report.removal_refused:
        message(
            f"newsearch: the rebuild would have removed {report.removal_refused} item(s), more "
            "than it read; nothing was removed (pass --yes to remove them)"
        )
        sys.exit(Exit.ERROR)
    if failed:
        message(f"newsearch: {failed} file(s) or folder(s) could not be read; the rest was indexed")
        sys.exit(Exit.ERROR)


@main.command("query", cls=TextCommand)
@click.argument("text", nargs=-1)
@index_option
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(0, MAX_REQUEST_RESULTS),
    default=10,
    show_default=True,
    help="Results per page.",
)
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of results."
)
@matching_options
@click.option(
    "--no-correct",
    "no_correct",
    is_flag=True,
    help="Never run a corrected query in place of a misspelt one (suggest it instead).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show on stderr how the query was searched: parts, stems per language, expansions, "
    "corrections, how many items each part matches, whether the partial fallback ran.",
)
@story_options
@format_option(
    ["table", "json", "jsonl", "csv"],
    None,
    "Output format. Default: table on a terminal, json in a pipe.",
)
@with_errors
def query_command(
    text: tuple[str, ...],
    index_dir: Path | None,
    limit: int,
    page: int,
    match: str,
    no_expand: bool,
    no_correct: bool,
    explain: bool,
    all_versions: bool,
    collapse: bool,
    fmt: str | None,
    **kwargs: Any,
) -> None:
    """Search the index: ranked results, snippets and facet counts over all matches.

    \b
    Query language:
      fishers migrant            every word (English, French, Spanish stems; the ILO
                                 vocabulary's translations and aliases rank lower);
                                 under 10 full matches, items with some words follow
      C029  C.182  P29  C18*     conventions and protocols in every written form
      "forced labour"            a phrase; "forced labour"~2 allows two words between
      a OR b, NOT a, -a, (...)   boolean logic and grouping
      topic:fisheries  country:IDN  region:asia  language:fr  kind:statement
      year:2016  year:[2015 TO 2017]  date:2016-03..2017
      title:Peru  title:(Peru OR Pakistan)  summary:...  body:...  id:...
      fish*  trafficing~1        wildcards and fuzzy terms

    A misspelt word that finds nothing is corrected from the index's own words (stderr says
    so; --no-correct turns it off).

    Near-duplicates (the same story on several listing pages, a title changed by a word) are
    listed once, at their best-ranked version, marked "×N versions"; --all-versions lists
    each, --collapse also counts matches and facets per story.

    Exit status: 0 with results, 1 with none (a correction is suggested when one
    exists), 2 for a usage or query syntax error, 3 for any other error (a missing or
    damaged index, an output that cannot be written).
    """
    query = " ".join(text)
    sort = kwargs.pop("sort")
    coarse = kwargs.pop("coarse_dates")
    with open_engine(index_dir) as engine:
        filters = filters_from(kwargs, engine)
        request = SearchRequest(
            query, filters, sort, limit, page, coarse_dates=coarse,
            match=match, expand=not no_expand, correct=not no_correct, explain=explain,
            grouped=not all_versions, collapse=collapse,
        )  # fmt: skip
        result = engine.search(request)
        versions = {
            hit.id: other_versions(engine, hit, VERSIONS_LISTED)
            for hit in result.hits
            if (hit.versions or 1) > 1 and fmt in {None, "table"}
        }
    if result.corrected_from is not None:
        message(
            f"newsearch: showing results for {result.query!r}; search instead for "
            f"{result.corrected_from!r} with --no-correct"
        )
    if result.explain is not None:
        message(output.render_explain(result.explain))
    out = target(fmt, "table")
    if not write_hits(out, result.hits, result.to_dict()) and (
        result.total or result.partial_total
    ):
        click.echo(output.render_result(result, out.color, versions))
    _left_out(result.left_out)
    if result.notice:
        message(f"newsearch: {result.notice}")
        sys.exit(Exit.NO_RESULTS)
    if not result.total and result.partial_total:
        message(
            f"newsearch: no item matches every word of {query!r}; "
            f"{result.partial_total} match some (listed)"
        )
    if not result.total and not result.partial_total:
        message(f"newsearch: no items match {query!r}" + (" with these filters" if filters else ""))
        if result.suggestion:
            message(f"newsearch: did you mean: {result.suggestion}")
        sys.exit(Exit.NO_RESULTS)


def _left_out(left_out: dict[str, int]) -> None:
    """Say how many matches a date filter left out for want of a date as precise as it."""
    undated, coarser = left_out.get("undated", 0), left_out.get("coarser", 0)
    if undated or coarser:
        parts = [f"{n} {what}" for n, what in ((undated, "undated"), (coarser, "coarser")) if n]
        more = (
            " (coarser: dated only to a month or year that overlaps the range); "
            "--coarse-dates includes the coarser ones"
            if coarser
            else ""
        )
        message(f"newsearch: the date filter left out {' and '.join(parts)} match(es){more}")


@main.command("show")
@click.argument("item_id")
@index_option
@format_option(["text", "json"], None, "Default: text on a terminal, json in a pipe.")
@with_errors
def show_command(item_id: str, index_dir: Path | None, fmt: str | None) -> None:
    """Show one item with all its fields and the evidence for each tag."""
    with open_engine(index_dir) as engine:
        item = engine.get(item_id)
    if target(fmt, "text").format == "json":
        output.write_json(item.to_dict(), sys.stdout)
    else:
        click.echo(output.render_item(item))


@main.command("similar")
@click.argument("item_id")
@index_option
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_REQUEST_RESULTS),
    default=10,
    show_default=True,
    help="How many similar items.",
)
@format_option(
    ["table", "json", "jsonl", "csv"], None, "Default: table on a terminal, json in a pipe."
)
@with_errors
def similar_command(item_id: str, index_dir: Path | None, limit: int, fmt: str | None) -> None:
    """Items most like ITEM_ID: shared ILO concepts, sectors, places, tags and rare words."""
    with open_engine(index_dir) as engine:
        hits = engine.similar(item_id, limit)
    out = target(fmt, "table")
    if not write_hits(out, hits, [hit.to_dict() for hit in hits]):
        click.echo(
            "\n\n".join(
                output.render_hit(h, i, out.color, 100) for i, h in enumerate(hits, start=1)
            )
        )
    if not hits:
        message("newsearch: no similar items found")
        sys.exit(Exit.NO_RESULTS)


@main.command("stats")
@index_option
@format_option(["text", "json"], None, "Default: text on a terminal, json in a pipe.")
@with_errors
def stats_command(index_dir: Path | None, fmt: str | None) -> None:
    """What the index holds: counts per facet (topic, country, ... source), size, last update."""
    with open_engine(index_dir) as engine:
        stats = engine.stats()
    if target(fmt, "text").format == "json":
        output.write_json(stats.to_dict(), sys.stdout)
    else:
        click.echo(output.render_stats(stats))
    if not stats.items:
        message(f"newsearch: {EMPTY_INDEX}")
        sys.exit(Exit.NO_RESULTS)


@main.command("export", cls=TextCommand)
@click.argument("text", nargs=-1)
@index_option
@filter_options
@matching_options
@format_option(["jsonl", "csv"], "jsonl", "One hit per line (JSON Lines) or CSV with a header.")
@output_option
@click.option(
    "--provenance",
    "provenance_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.json",
    help="Also write how this export was made (query, filters, index, version, time, "
    "command) to FILE.json.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Full records (JSON Lines only): body, kind, date precision and the evidence for "
    "every tag, as `show --format json` gives them.",
)
@with_errors
def export_command(
    text: tuple[str, ...],
    index_dir: Path | None,
    match: str,
    no_expand: bool,
    fmt: str,
    out_path: Path | None,
    provenance_path: Path | None,
    full: bool,
    **kwargs: Any,
) -> None:
    """Every item matching TEXT and the filters (all items without them), streamed, no cap.

    Items matching only some of the words are left out unless --match any.
    """
    sort = kwargs.pop("sort")
    coarse = kwargs.pop("coarse_dates")
    if full and fmt != "jsonl":
        raise click.UsageError("--full writes JSON Lines: leave out --format csv")
    with open_engine(index_dir) as engine:
        filters = filters_from(kwargs, engine)
        request = SearchRequest(
            " ".join(text), filters, sort, limit=1, coarse_dates=coarse,
            match=match, expand=not no_expand,
        )  # fmt: skip
        hits: Any = engine.export(request)
        writer: Callable[[Any, Any], int] = functools.partial(rows.write_rows, fmt)
        if full:
            from newsearch.search.records import whole_items, write_records

            hits, writer = whole_items(engine, request), write_records
        if out_path is None:
            count = writer(hits, sys.stdout)
        else:
            with out_path.open("w", encoding="utf-8", newline="") as handle:
                count = writer(hits, handle)
        if provenance_path is not None:
            from newsearch.search.research import write_provenance

            options = {
                "sort": sort, "format": fmt, "match": match, "no_expand": no_expand, "full": full,
            }  # fmt: skip
            query = [" ".join(text)] if text else []
            write_provenance(provenance_path, engine, "export", query, filters, options, count)
    message(f"newsearch: exported {count} item(s)" + (f" to {out_path}" if out_path else ""))
    if not count:
        with open_engine(index_dir) as engine:
            if not engine.stats().items:
                message(f"newsearch: {EMPTY_INDEX}")
                sys.exit(Exit.NO_RESULTS)


@main.command("inspect")
@click.argument("path", type=click.Path(path_type=Path))
@format_option(["text", "json"], None, "Default: text on a terminal, json in a pipe.")
@with_errors
def inspect_command(path: Path, fmt: str | None) -> None:
    """Show how a file is read: each item, its tags with evidence, and skipped lines."""
    from newsearch.index.corpus import read_path
    from newsearch.index.tagging import tag

    if not path.is_file():
        raise click.BadParameter(f"{path} is not a file", param_hint="PATH")
    result = read_path(path)
    items = [tag(raw) for raw in result.items]
    if target(fmt, "text").format == "json":
        output.write_json(
            {
                "path": result.path,
                "layout": result.layout,
                "heading": result.heading,
                "items": [
                    {**item.to_dict(), "raw": _raw_parts(raw), "read_from": _read_from(raw)}
                    for raw, item in zip(result.items, items, strict=True)
                ],
                "skipped": [p.to_dict() for p in result.problems],
            },
            sys.stdout,
        )
    else:
        click.echo(
            f"{result.path}: {result.layout or 'unreadable'} layout, "
            f"heading {result.heading!r}, {len(items)} item(s), "
            f"{len(result.problems)} skipped"
        )
        for raw, item in zip(result.items, items, strict=True):
            click.echo("")
            click.echo(output.render_item(item))
            for name, value in _read_from(raw).items():
                if value:
                    click.echo(f"  {name}: {value}")
            for name, value in _raw_parts(raw).items():
                if value:
                    click.echo(f"  {name} (not used as evidence): {value}")
        if result.problems:
            click.echo("\nskipped:")
            for problem in result.problems:
                click.echo(f"  {problem}")
    if result.failed:
        sys.exit(Exit.ERROR)


def _read_from(raw: Any) -> dict[str, str]:
    """The lines around the title that the reader read: the kicker and the type/date line."""
    return {
        "kicker line": raw.kicker,
        "type/date line": raw.date_line,
        "listed under": raw.heading,
    }


def _raw_parts(raw: Any) -> dict[str, str]:
    """What the reader kept apart from an item: never a title, a date or evidence."""
    return {"credit": raw.credit, "alt": raw.alt, "dateline": raw.dateline}


@main.command("serve")
@index_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="NEWSEARCH_HOST",
    help="Address to listen on. Anything but 127.0.0.1 exposes the page to others.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    envvar="NEWSEARCH_PORT",
    help="Port to listen on.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Worker threads of the web server.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the search page in a browser.")
@with_errors
def serve_command(
    index_dir: Path | None, host: str, port: int, threads: int, open_browser: bool
) -> None:
    """Serve the search page and its JSON API (waitress, bound to localhost by default)."""
    import waitress

    from newsearch.webui.app import create_app

    with open_engine(index_dir) as engine:
        if not engine.stats().items:  # fails here, with a message, if it cannot be read
            message(f"newsearch: {EMPTY_INDEX}; the page will say so until then")
        path = engine.stats().path  # the index folder, or the cluster's URL and index
    backend = backend_config()
    config: dict[str, Any] = {"INDEX_DIR": str(index_path(index_dir)), "BACKEND": backend}
    if not backend.opensearch:
        config["INDEX_DIR"] = path
    if host not in {"127.0.0.1", "localhost", "::1"}:
        # answer the address it was started on; on every address, any name
        wildcard = host in {"0.0.0.0", "::", ""}
        config["ALLOWED_HOSTS"] = None if wildcard else ["127.0.0.1", "localhost", "::1", host]
    app = create_app(config)
    newsearch.index.light_imports.preload_nltk()  # before the server's threads start
    if host not in {"127.0.0.1", "localhost", "::1"}:
        message(f"newsearch: warning: listening on {host}: other machines can reach this page")
    try:
        # poll, not select: select cannot watch a descriptor numbered 1024 or more, and an
        # index of many segments keeps that many files open per searcher
        server = waitress.create_server(
            app, host=host, port=port, threads=threads, asyncore_use_poll=True
        )
        address = f"http://{host if ':' not in host else f'[{host}]'}:{server.effective_port}/"
        message(f"newsearch: serving {path} at {address} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(address)
        server.run()  # waitress returns on Ctrl-C
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise Failure(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    message("newsearch: stopped")


register(main)  # the commands for research (concordance, trends, ...)
