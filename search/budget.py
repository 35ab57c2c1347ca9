"""A query's budget: a deadline and a cap on the words a wildcard or fuzzy term expands to."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from newsearch.index.errors import QueryBudgetError

DEFAULT_SECONDS = 30.0  # one query's time, wall clock (generous: a busy machine is slow)
DEFAULT_EXPANSIONS = 2000  # words one wildcard, prefix or fuzzy term may stand for
CHECK_EVERY = 64  # expanded words between two looks at the clock

_local = threading.local()


@dataclass(frozen=True)
class Limits:
    """How much one query may use: seconds of wall time (0: no limit) and expanded words."""

    seconds: float = DEFAULT_SECONDS
    expansions: int = DEFAULT_EXPANSIONS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The limits NEWSEARCH_QUERY_SECONDS and NEWSEARCH_EXPANSION_LIMIT set (for entry
        points), the defaults where unset or unreadable."""
        env = os.environ if environ is None else environ
        seconds, expansions = DEFAULT_SECONDS, DEFAULT_EXPANSIONS
        with contextlib.suppress(ValueError):
            seconds = max(0.0, float(env.get("NEWSEARCH_QUERY_SECONDS", seconds)))
        with contextlib.suppress(ValueError):
            expansions = max(1, int(env.get("NEWSEARCH_EXPANSION_LIMIT", expansions)))
        return cls(seconds, expansions)


class Budget:
    """The running budget of one query, checked at the costly steps of its evaluation."""

    def __init__(self, limits: Limits, text: str = "") -> None:
        self.limits = limits
        self.text = text
        self.deadline = time.monotonic() + limits.seconds if limits.seconds else None

    def remaining(self) -> float | None:
        """Seconds left (never below a millisecond), or None without a time limit."""
        if self.deadline is None:
            return None
        return max(0.001, self.deadline - time.monotonic())

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.overrun()

    def overrun(self) -> QueryBudgetError:
        return QueryBudgetError(
            f"the query took longer than {self.limits.seconds:g} s and was stopped", self.text
        )


@contextlib.contextmanager
def running(budget: Budget) -> Iterator[Budget]:
    """Make ``budget`` the current thread's budget for the duration."""
    previous = getattr(_local, "budget", None)
    _local.budget = budget
    try:
        yield budget
    finally:
        _local.budget = previous


def current() -> Budget | None:
    found: Budget | None = getattr(_local, "budget", None)
    return found


def check() -> None:
    """Raise QueryBudgetError if the current thread's query has run out of time."""
    budget = current()
    if budget is not None:
        budget.check()


def _check_running(budget: Budget) -> None:
    """Check ``budget`` while its query runs; a term bound by a query that has finished (a
    cached query part asked again elsewhere) keeps its cap but not the old deadline."""
    if current() is budget:
        budget.check()


def bound(query: wq.Query, budget: Budget) -> None:
    """Cap every wildcard, prefix and fuzzy term of ``query`` (in place).

    Each such term expands once per index reader, exactly as Whoosh expands it, looking at
    the clock as it goes; more words than the cap raise QueryBudgetError. The words found
    are kept on the term, so the later steps of the same query do not expand it again.
    """
    for node in _multiterms(query):
        pinned = vars(node).get("_btexts")
        if not isinstance(pinned, _Capped) or pinned.budget is not budget:
            node._btexts = _Capped(node, budget)
            if _expands(node):
                node.matcher = functools.partial(_matcher, node, budget)


def _multiterms(query: Any) -> Iterator[wq.MultiTerm]:
    if isinstance(query, wq.MultiTerm):
        yield query
    for child in getattr(query, "subqueries", None) or ():
        yield from _multiterms(child)
    for name in ("child", "a", "b"):
        inner = getattr(query, name, None)
        if isinstance(inner, wq.Query):
            yield from _multiterms(inner)


class _Capped:
    """A multi-term's word expansion, bounded and remembered per reader."""

    def __init__(self, node: wq.MultiTerm, budget: Budget) -> None:
        self.node = node
        self.budget = budget
        self.expand = type(node)._btexts
        self.seen: dict[int, tuple[Any, list[bytes]]] = {}

    def __call__(self, reader: Any) -> Iterator[bytes]:
        found = self.seen.get(id(reader))
        if found is None or found[0] is not reader:
            cap = self.budget.limits.expansions
            words: list[bytes] = []
            for number, word in enumerate(self.expand(self.node, reader)):
                if number >= cap:
                    raise QueryBudgetError(
                        f"{self.node} stands for more than {cap:,} words",
                        self.budget.text,
                    )
                if number % CHECK_EVERY == 0:
                    _check_running(self.budget)
                words.append(word)
            _check_running(self.budget)
            found = self.seen[id(reader)] = (reader, words)
        return iter(found[1])


def _expands(node: wq.MultiTerm) -> bool:
    """Whether Whoosh matches ``node`` through its expanded words (not as every document)."""
    if isinstance(node, wq.Prefix):
        return bool(node.text)
    if isinstance(node, wq.Wildcard):
        return bool(node.text != "*")
    return type(node).matcher is wq.MultiTerm.matcher


class _CheckedTerm(wq.Term):  # type: ignore[misc]
    """One word of an expansion: looks at the clock before opening its postings."""

    def __init__(self, fieldname: str, text: Any, budget: Budget) -> None:
        super().__init__(fieldname, text)
        self.budget = budget

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        _check_running(self.budget)
        return super().matcher(searcher, context)


def _matcher(node: wq.MultiTerm, budget: Budget, searcher: Any, context: Any = None) -> Any:
    """Whoosh's ``MultiTerm.matcher``, each expanded word checking the budget as it opens
    (an expansion into thousands of words otherwise opens them all before anyone looks)."""
    from whoosh import matching
    from whoosh.searching import SearchContext

    fieldname = node.field()
    reader = searcher.reader()
    qs = [_CheckedTerm(fieldname, word, budget) for word in node._btexts(reader) if word]
    if not qs:
        return matching.NullMatcher()
    if len(qs) == 1:
        return qs[0].matcher(searcher, context)
    if node.constantscore:
        context = context.set(weighting=None) if context else SearchContext(weighting=None)
    return wq.Or(qs, boost=node.boost).matcher(searcher, context)
