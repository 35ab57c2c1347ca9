"""The command line's shared parts: options, errors as exit statuses, engine, output."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from newsearch.index.errors import (
    IndexMissingError,
    ItemNotFoundError,
    NewsearchError,
    QueryError,
)
from newsearch.index.fields import filter_fields, filter_names
from newsearch.index.store import IndexStore, default_index_dir
from newsearch.search import output, rows
from newsearch.search.backend import BackendConfig, SearchBackend, open_backend
from newsearch.search.budget import Limits
from newsearch.search.engine import MATCHES, SORTS, Engine
from newsearch.search.exits import Exit
from newsearch.search.filters import Filters
from newsearch.search.results import Hit

F = TypeVar("F", bound=Callable[..., Any])


def message(text: str, *, err: bool = True) -> None:
    click.echo(text, err=err)


class Failure(click.ClickException):
    """An error at the edge (a port already in use): its message, and exit status ERROR."""

    exit_code = Exit.ERROR


def fail(error: NewsearchError, code: Exit = Exit.ERROR) -> None:
    """Print a domain error as 'error: what' + 'hint: what to do', and exit."""
    message(f"newsearch: error: {error.message}")
    if isinstance(error, QueryError) and error.pointer():
        message(error.pointer())
    if error.hint:
        message(f"newsearch: hint: {error.hint}")
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
        message("newsearch: interrupted")
        sys.exit(Exit.INTERRUPTED)
    except BrokenPipeError:  # `newsearch export | head`
        sys.stderr.close()
        sys.exit(Exit.OK)
    except OSError as exc:  # output that cannot be written: full disk, missing folder
        where = f" {exc.filename}" if exc.filename else ""
        message(f"newsearch: error: cannot write{where}: {exc.strerror or exc}")
        message("newsearch: hint: check the destination's folder and free space")
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


output_option = click.option(
    "--output",
    "-o",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)


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
        click.option(
            f"--{spec.filter.replace('_', '-')}", spec.filter, multiple=True, help=spec.filter_help
        )
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
            "--coarse-dates",
            is_flag=True,
            help="With --from/--to, also match items dated only to a month or year that "
            "overlaps the range (a 2021 item for --from 2021-03); left out by default.",
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


def matching_options(func: F) -> F:
    """``--match`` and ``--no-expand``: how forgiving a search is."""
    options = [
        click.option(
            "--match",
            type=click.Choice(MATCHES),
            default="auto",
            show_default=True,
            help="auto: every word, then items matching some words (listed after, counted "
            "apart) when fewer than 10 match all; all: every word, nothing else; any: "
            "partial matches always, also in exports and facet counts.",
        ),
        click.option(
            "--no-expand",
            "no_expand",
            is_flag=True,
            help="Search the words as typed: no translations, aliases, places or code names "
            "from the ILO vocabulary.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class TextCommand(click.Command):
    """A command whose TEXT words may start with '-': `query -Brazil forced` excludes Brazil.

    Click would read `-Brazil` as options (-B -r ...). Here every word that is not one of the
    command's options (or an option's value) is moved after `--`, in order, so it is text.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _text_after_dashes(self, args))


def _text_after_dashes(command: click.Command, args: list[str]) -> list[str]:
    options: dict[str, click.Option | None] = {"-h": None, "--help": None}  # None: a flag
    for param in command.params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                options[name] = None if param.is_flag else param
    flags: list[str] = []
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            words.extend(rest)
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in options:
            flags.append(arg)
            if options[name] is not None and "=" not in arg:
                value = next(rest, None)
                if value is not None:
                    flags.append(value)
            continue
        short = options.get(arg[:2]) if len(arg) > 2 and not arg.startswith("--") else None
        if (
            short is not None
            and isinstance(short.type, click.Choice)
            and (arg[2:] in short.type.choices)
        ):
            flags.append(arg)  # -fjson
        elif arg.startswith("--") and len(arg) > 2:
            flags.append(arg)  # an unknown long option: Click says so
        else:
            words.append(arg)
    return [*flags, "--", *words] if words else flags


def filters_from(kwargs: dict[str, Any], engine: SearchBackend | None = None) -> Filters:
    """The core's filters from the options of :func:`filter_options` (taken out of kwargs);
    with an engine, also the topics and countries records gave outside the vocabularies."""
    values = {name: kwargs.pop(name) for name in filter_names()}
    dates = {"date_from": kwargs.pop("date_from"), "date_to": kwargs.pop("date_to")}
    if engine is not None:
        return engine.filters(**dates, **values)
    return Filters.build(**dates, **values)


def index_path(index_dir: Path | None) -> Path:
    return index_dir if index_dir is not None else default_index_dir()


def backend_config() -> BackendConfig:
    """The backend chosen on the command line (``--backend``, ``--url``, ``--opensearch-index``
    or their NEWSEARCH_* variables), else the default: the embedded Whoosh index."""
    context = click.get_current_context(silent=True)
    found = context.find_root().obj if context is not None else None
    return found if isinstance(found, BackendConfig) else BackendConfig.resolve()


def open_engine(index_dir: Path | None) -> SearchBackend:
    """An engine on the index; with no index yet, build one from the built-in corpus first.

    On OpenSearch the index must exist: `newsearch --backend opensearch index PATH` builds it.
    """
    config = backend_config()
    path = index_path(index_dir)
    if config.opensearch:
        return open_backend(config, path)
    store = IndexStore(path)
    if not store.exists() and index_dir is not None:
        raise IndexMissingError(
            f"no index at {path}",
            hint=f"check the path, or build one with `newsearch index --index {path} PATH`",
        )
    if not store.exists():
        if path.exists() and any(path.iterdir()):
            raise IndexMissingError(
                f"{path} is not empty but holds no newsearch index",
                hint="pass --index with an empty or new folder",
            )
        message(
            f"newsearch: no index at {path} yet; building one from the built-in sample "
            "corpus (run `newsearch index PATH` to index your own files)"
        )
        from newsearch.index.corpus import sample_paths

        report = store.build(sample_paths())
        message(f"newsearch: indexed {report.total} sample items in {report.seconds:.1f} s")
    return Engine(path, Limits.from_env())


def is_terminal(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def target(fmt: str | None, people: str) -> output.Target:
    """The one place a command's output is decided: ``--format``, else ``people`` on a terminal
    and JSON in a pipe; colour on a terminal unless NO_COLOR is set."""
    return output.Target.decide(
        fmt, people, terminal=is_terminal(sys.stdout), no_color=bool(os.environ.get("NO_COLOR"))
    )


def write_hits(out: output.Target, hits: Iterable[Hit], data: Any) -> bool:
    """Write hits in a machine format (``data`` is the JSON document); False for a table."""
    if out.format == "json":
        output.write_json(data, sys.stdout)
    elif out.format in rows.PIECES:
        rows.write_rows(out.format, hits, sys.stdout)
    else:
        return False
    return True


def with_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with errors_to_exit():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
