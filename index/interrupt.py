"""Ctrl-C while indexing: noted between items, held back while a commit finishes."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # reading and tagging load only when indexing, not when searching
    pass


class InterruptGuard:
    """Holds SIGINT back (main thread only) from :meth:`hold` to :meth:`release`.

    A SIGINT that arrives meanwhile is dropped: once a commit has started, finishing it is
    what leaves the index whole, and the run is reported as complete.
    """

    def __init__(self) -> None:
        self._previous: Any = None
        self._active = False
        self._interrupted = False

    def _install(self, handler: Callable[[int, Any], None]) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGINT)
        if previous is None:  # a handler not installed from Python: leave it alone
            return
        if not self._active:
            self._previous = previous
        signal.signal(signal.SIGINT, handler)
        self._active = True

    def watch(self) -> None:
        """Note a SIGINT instead of raising it wherever Python happens to be: a
        KeyboardInterrupt raised inside a finaliser (``__del__``) is swallowed and lost."""
        self._install(self._note)

    def _note(self, signum: int, frame: Any) -> None:
        self._interrupted = True

    def check(self) -> None:
        """Raise KeyboardInterrupt at a safe point if a SIGINT has been noted."""
        if self._interrupted:
            self._interrupted = False
            raise KeyboardInterrupt

    def hold(self) -> None:
        self._interrupted = False
        self._install(_ignore_signal)

    def release(self) -> None:
        """Put the previous handler back (a SIGINT noted after the last item is dropped: the
        run had finished its work by then)."""
        if self._active:
            signal.signal(signal.SIGINT, self._previous)
            self._active = False


def _ignore_signal(signum: int, frame: Any) -> None:
    """SIGINT while a commit finishes: nothing to do."""
