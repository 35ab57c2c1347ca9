"""The `newsearch` command line: parse options, call the core, render; errors become messages."""

from __future__ import annotations

import functools
import os
import sys

# One process answering one query gains nothing from a pool of BLAS threads, and starting
# them costs tens of milliseconds before NumPy is usable (set before NumPy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newsearch.index.errors import (
    IndexMissingError,
    ItemNotFoundError,
    NewsearchError,
    QueryError,
)
from newsearch.index.fields import filter_fields, filter_names
from newsearch.index.store import IndexStore, default_index_dir
from newsearch.search import output
from newsearch.search.backend import BACKENDS, BackendConfig, SearchBackend, open_backend
from newsearch.search.engine import MAX_LIMIT, SORTS, Engine, SearchRequest
from newsearch.search.exits import Exit, help_text
from newsearch.search.query import Filters

if TYPE_CHECKING:
    from newsearch.index.corpus import ReadResult

F = TypeVar("F", bound=Callable[..., Any])


def _message(text: str, *, err: bool = True) -> None:
    click.echo(text, err=err)


class Failure(click.ClickException):
    """An error at the edge (a port already in use): its message, and exit status ERROR."""

    exit_code = Exit.ERROR


def fail(error: NewsearchError, code: Exit = Exit.ERROR) -> None:
    """Print a domain error as 'error: what' + 'hint: what to do', and exit."""
    _message(f"newsearch: error: {error.message}")
    if isinstance(error, QueryError) and error.pointer():
        _message(error.pointer())
    if error.hint:
        _message(f"newsearch: hint: {error.hint}")
    sys.exit(code)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    try:
        yield
    except QueryError as exc:
        fail(exc, Exit.USAGE)
    except ItemNotFoundError as exc:  # an id that finds nothing: an empty answer, not an error
        fail(exc, Exit.NO_RESULTS)
    except NewsearchError as exc:
        fail(exc)
    except KeyboardInterrupt:
        _message("newsearch: interrupted")
        sys.exit(Exit.INTERRUPTED)
    except BrokenPipeError:  # `newsearch export | head`
        sys.stderr.close()
        sys.exit(Exit.OK)
    except OSError as exc:  # output that cannot be written: full disk, missing folder
        where = f" {exc.filename}" if exc.filename else ""
        _message(f"newsearch: error: cannot write{where}: {exc.strerror or exc}")
        _message("newsearch: hint: check the destination's folder and free space")
        sys.exit(Exit.ERROR)


def index_option(func: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="NEWSEARCH_INDEX",
        show_envvar=True,
        help="Index folder. Default: $NEWSEARCH_INDEX, else ~/.local/share/newsearch/index.",
    )(func)


def format_option(choices: list[str], default: str | None, help: str) -> Callable[[F], F]:
    """``--format/-f``: every command's output format (a ``None`` default means: by terminal)."""
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(choices), default=default,
        show_default=default is not None, help=help,
    )  # fmt: skip


def filter_options(func: F) -> F:
    """``--topic``, ``--country``, ...: one repeatable option per filter of the field registry,
    then the date range and the sort."""
    options = [
        click.option(f"--{spec.filter}", spec.filter, multiple=True, help=spec.filter_help)
        for spec in filter_fields()
        if spec.filter
    ]
    options += [
        click.option(
            "--from",
            "date_from",
            metavar="DATE",
            help="Only items dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
        ),
        click.option(
            "--to",
            "date_to",
            metavar="DATE",
            help="Only items dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
        ),
        click.option(
            "--sort",
            type=click.Choice(SORTS),
            default="relevance",
            show_default=True,
            help="Order of results (an empty query lists newest first).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(kwargs: dict[str, Any]) -> Filters:
    """The core's filters from the options of :func:`filter_options` (taken out of kwargs)."""
    values = {name: kwargs.pop(name) for name in filter_names()}
    return Filters.build(date_from=kwargs.pop("date_from"), date_to=kwargs.pop("date_to"), **values)


def _index_path(index_dir: Path | None) -> Path:
    return index_dir if index_dir is not None else default_index_dir()


def backend_config() -> BackendConfig:
    """The backend chosen on the command line (``--backend``, ``--url``), else the default."""
    context = click.get_current_context(silent=True)
    found = context.find_root().obj if context is not None else None
    return found if isinstance(found, BackendConfig) else BackendConfig.resolve()


def open_engine(index_dir: Path | None) -> SearchBackend:
    """An engine on the index; with no index yet, build one from the built-in corpus first.

    On OpenSearch the index must exist: `newsearch --backend opensearch index PATH` builds it.
    """
    config = backend_config()
    if config.opensearch:
        return open_backend(config, _index_path(index_dir))
    path = _index_path(index_dir)
    store = IndexStore(path)
    if not store.exists():
        if path.exists() and any(path.iterdir()):
            raise IndexMissingError(
                f"{path} is not empty but holds no newsearch index",
                hint="pass --index with an empty or new folder",
            )
        _message(
            f"newsearch: no index at {path} yet; building one from the built-in sample "
            "corpus (run `newsearch index PATH` to index your own files)"
        )
        from newsearch.index.corpus import sample_paths

        report = store.build(sample_paths())
        _message(f"newsearch: indexed {report.total} sample items in {report.seconds:.1f} s")
    return Engine(path)


def _color(out: Any) -> bool:
    return bool(getattr(out, "isatty", lambda: False)()) and not _no_color()


def _no_color() -> bool:
    import os

    return bool(os.environ.get("NO_COLOR"))


def with_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with errors_to_exit():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


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
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("--sample", is_flag=True, help="Index the built-in sample corpus (ILO news dumps).")
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
    sample: bool,
    wait: float,
    fmt: str,
) -> None:
    """Read corpus files or folders into the index (adds, updates, keeps unchanged).

    Exit status: 0 when every file was read, 3 when some could not be (the rest is still
    indexed) or the index could not be written, 2 for a usage error, 130 when interrupted
    (nothing from the run is committed).
    """
    if not paths and not sample:
        raise click.UsageError("give at least one file or folder, or --sample")
    path = _index_path(index_dir)
    from newsearch.index.corpus import discover, sample_paths

    files, problems = discover([*paths, *(sample_paths() if sample else [])])
    config = backend_config()
    store: Any = IndexStore(path)
    if config.opensearch:
        from newsearch.index.os_store import OpenSearchStore

        store = OpenSearchStore(config.url, config.index)
    where = f"{config.url.rstrip('/')}/{config.index}" if config.opensearch else str(path)
    show_progress = sys.stderr.isatty() and len(files) > 1
    bar: Any = None
    if show_progress:
        bar = click.progressbar(
            length=len(files), label="indexing", file=sys.stderr, item_show_func=lambda name: name
        )

    def on_file(result: ReadResult) -> None:
        if bar is not None:
            bar.update(1, Path(result.path).name)

    if bar is not None:
        bar.__enter__()
    try:
        waiting = {} if config.opensearch else {"wait": wait}
        report = store.build([], rebuild=rebuild, on_file=on_file, files=files, **waiting)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
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
            _message(f"{'error' if problem.severity == 'error' else 'skipped'}: {problem}")
        _message(output.render_report(report, where))
    if report.interrupted:
        _message(
            "newsearch: interrupted; nothing from this run was committed "
            f"(the index still holds {report.total} item(s))"
        )
        sys.exit(Exit.INTERRUPTED)
    if failed:
        _message(f"newsearch: {failed} file(s) could not be read; the others were indexed")
        sys.exit(Exit.ERROR)


@main.command("query")
@click.argument("text", nargs=-1)
@index_option
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(0, MAX_LIMIT),
    default=10,
    show_default=True,
    help="Results per page.",
)
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of results."
)
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
    fmt: str | None,
    **kwargs: Any,
) -> None:
    """Search the index: ranked results, snippets and facet counts over all matches.

    \b
    Query language:
      fishers migrant            every word must match (stemmed; synonyms count less)
      "forced labour"            a phrase; "forced labour"~2 allows two words between
      a OR b, NOT a, -a, (...)   boolean logic and grouping
      topic:fisheries  country:IDN  region:asia  language:fr  kind:statement
      year:2016  year:[2015 TO 2017]  date:2016-03..2017
      title:Peru  summary:...  body:...  id:...
      fish*  trafficing~1        wildcards and fuzzy terms

    Exit status: 0 with results, 1 with none (a correction is suggested when one
    exists), 2 for a usage or query syntax error, 3 for any other error (a missing or
    damaged index, an output that cannot be written).
    """
    query = " ".join(text)
    sort = kwargs.pop("sort")
    filters = _filters(kwargs)
    with open_engine(index_dir) as engine:
        result = engine.search(SearchRequest(query, filters, sort, limit, page))
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt == "json":
        output.write_json(result.to_dict(), sys.stdout)
    elif fmt == "jsonl":
        output.write_jsonl(result.hits, sys.stdout)
    elif fmt == "csv":
        output.write_csv(result.hits, sys.stdout)
    elif result.total:
        click.echo(output.render_result(result, _color(sys.stdout)))
    if not result.total:
        _message(
            f"newsearch: no items match {query!r}" + (" with these filters" if filters else "")
        )
        if result.suggestion:
            _message(f"newsearch: did you mean: {result.suggestion}")
        sys.exit(Exit.NO_RESULTS)


@main.command("show")
@click.argument("item_id")
@index_option
@format_option(["text", "json"], None, "Default: text on a terminal, json in a pipe.")
@with_errors
def show_command(item_id: str, index_dir: Path | None, fmt: str | None) -> None:
    """Show one item with all its fields and the evidence for each tag."""
    with open_engine(index_dir) as engine:
        item = engine.get(item_id)
    if (fmt or ("text" if sys.stdout.isatty() else "json")) == "json":
        output.write_json(item.to_dict(), sys.stdout)
    else:
        click.echo(output.render_item(item))


@main.command("similar")
@click.argument("item_id")
@index_option
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=10,
    show_default=True,
    help="How many similar items.",
)
@format_option(
    ["table", "json", "jsonl", "csv"], None, "Default: table on a terminal, json in a pipe."
)
@with_errors
def similar_command(item_id: str, index_dir: Path | None, limit: int, fmt: str | None) -> None:
    """Items most like ITEM_ID: shared distinctive words, topics and countries."""
    with open_engine(index_dir) as engine:
        hits = engine.similar(item_id, limit)
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt == "json":
        output.write_json([hit.to_dict() for hit in hits], sys.stdout)
    elif fmt == "jsonl":
        output.write_jsonl(hits, sys.stdout)
    elif fmt == "csv":
        output.write_csv(hits, sys.stdout)
    else:
        color = _color(sys.stdout)
        click.echo(
            "\n\n".join(output.render_hit(h, i, color, 100) for i, h in enumerate(hits, start=1))
        )
    if not hits:
        _message("newsearch: no similar items found")
        sys.exit(Exit.NO_RESULTS)


@main.command("stats")
@index_option
@format_option(["text", "json"], None, "Default: text on a terminal, json in a pipe.")
@with_errors
def stats_command(index_dir: Path | None, fmt: str | None) -> None:
    """What the index holds: counts by topic, country, region, year; size; last update."""
    with open_engine(index_dir) as engine:
        stats = engine.stats()
    if (fmt or ("text" if sys.stdout.isatty() else "json")) == "json":
        output.write_json(stats.to_dict(), sys.stdout)
    else:
        click.echo(output.render_stats(stats))


@main.command("export")
@click.argument("text", nargs=-1)
@index_option
@filter_options
@format_option(["jsonl", "csv"], "jsonl", "One hit per line (JSON Lines) or CSV with a header.")
@click.option(
    "--output",
    "-o",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@with_errors
def export_command(
    text: tuple[str, ...], index_dir: Path | None, fmt: str, out_path: Path | None, **kwargs: Any
) -> None:
    """Every item matching TEXT and the filters (all items without them), streamed, no cap."""
    sort = kwargs.pop("sort")
    filters = _filters(kwargs)
    writer = output.write_csv if fmt == "csv" else output.write_jsonl
    with open_engine(index_dir) as engine:
        hits = engine.export(SearchRequest(" ".join(text), filters, sort, limit=1))
        if out_path is None:
            count = writer(hits, sys.stdout)
        else:
            with out_path.open("w", encoding="utf-8", newline="") as handle:
                count = writer(hits, handle)
    _message(f"newsearch: exported {count} item(s)" + (f" to {out_path}" if out_path else ""))


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
    if (fmt or ("text" if sys.stdout.isatty() else "json")) == "json":
        output.write_json(
            {
                "path": result.path,
                "layout": result.layout,
                "heading": result.heading,
                "items": [
                    {**item.to_dict(), "raw": _raw_parts(raw)}
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
            for name, value in _raw_parts(raw).items():
                if value:
                    click.echo(f"  {name} (not used as evidence): {value}")
        if result.problems:
            click.echo("\nskipped:")
            for problem in result.problems:
                click.echo(f"  {problem}")
    if result.failed:
        sys.exit(Exit.ERROR)


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

    config = backend_config()
    with open_engine(index_dir) as engine:
        path = engine.stats().path  # fail here, with a message, if it cannot be read
    app = create_app({"INDEX_DIR": path, "BACKEND": config})
    if host not in {"127.0.0.1", "localhost", "::1"}:
        _message(f"newsearch: warning: listening on {host}: other machines can reach this page")
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads)
        address = f"http://{host if ':' not in host else f'[{host}]'}:{server.effective_port}/"
        _message(f"newsearch: serving {path} at {address} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(address)
        server.run()  # waitress returns on Ctrl-C
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise Failure(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    _message("newsearch: stopped")
