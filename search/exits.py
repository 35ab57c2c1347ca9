"""Exit statuses of the `newsearch` command: one per answer a script needs to tell apart."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """What the exit status of a command means."""

    OK = 0  # done; a search found results
    NO_RESULTS = 1  # a search, a similar-items search or an id found nothing
    USAGE = 2  # a usage error or a query syntax error (with a caret under the problem)
    ERROR = 3  # anything else: a missing, damaged or locked index, an unreadable or
    #            unwritable file, a backend that cannot be reached
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


MEANINGS = {
    Exit.OK: "done (a search found results)",
    Exit.NO_RESULTS: "no results (no match, no similar item, no item with that id)",
    Exit.USAGE: "usage or query syntax error",
    Exit.ERROR: "any other error: missing or damaged index, unreadable or unwritable file",
    Exit.INTERRUPTED: "interrupted (Ctrl-C)",
}


def help_text() -> str:
    """The exit statuses as a block for `--help` (Click keeps lines after a \\b marker)."""
    lines = [f"  {int(code):>3}  {meaning}" for code, meaning in MEANINGS.items()]
    return "\b\nExit status:\n" + "\n".join(lines)
