"""The state of a search as it lives in the URL: read, validated, changed and written back."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from newsearch.index.errors import QueryError
from newsearch.index.fields import filter_names
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import MATCHES, SORTS, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.query import MAX_QUERY_LENGTH

FILTER_NAMES = filter_names()  # one URL argument per filter of the field registry
DEFAULT_LIMIT = 10
MAX_PAGE_RESULTS = 100  # hits on one page of the search page or the API; exports have no cap
MAX_PAGE = 10_000
MAX_VALUES = 50  # values of one filter at once
MAX_VALUE_LENGTH = 200


Args = MultiDict[str, str]


@dataclass(frozen=True)
class SearchState:
    """Query text, filters, date range, sort and page: everything a search URL can say."""

    q: str = ""
    chosen: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (filter, values) read as state.topic
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    limit: int = DEFAULT_LIMIT
    match: str = "auto"  # auto | all | any
    expand: bool = True  # expand=0: the words as typed, no vocabulary
    correct: bool = True  # correct=0: no automatic correction ("search instead for")
    coarse: bool = False  # with a date range: also items dated only to an overlapping month/year
    versions: str = "grouped"  # near-duplicates: "grouped" (one per story) or "all"
    collapse: bool = False  # totals and facets count stories instead of items

    def __getattr__(self, name: str) -> tuple[str, ...]:
        if name in FILTER_NAMES:
            return dict(self.chosen).get(name, ())
        raise AttributeError(name)

    # -- reading ----------------------------------------------------------------------------

    @classmethod
    def from_args(cls, args: Args, *, default_limit: int = DEFAULT_LIMIT) -> SearchState:
        """Read and check the URL's arguments; anything malformed raises QueryError."""
        q = (args.get("q") or "").strip()
        if len(q) > MAX_QUERY_LENGTH:
            raise QueryError(
                f"the query is {len(q)} characters long; the limit is {MAX_QUERY_LENGTH}"
            )
        values = {name: _values(args, name) for name in FILTER_NAMES}
        sort = (args.get("sort") or "relevance").strip()
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        match = (args.get("match") or "auto").strip()
        if match not in MATCHES:
            raise QueryError(f"unknown match {match!r}; use one of {', '.join(MATCHES)}")
        return cls(
            q=q,
            chosen=_chosen(values),
            match=match,
            expand=_flag(args, "expand"),
            correct=_flag(args, "correct"),
            date_from=_single(args, "from"),
            date_to=_single(args, "to"),
            sort=sort,
            page=_number(args, "page", 1, 1, MAX_PAGE),
            limit=_number(args, "limit", default_limit, 1, MAX_PAGE_RESULTS),
            coarse=_single(args, "coarse") not in {"", "0"},
            versions=_versions(args),
            collapse=_single(args, "collapse") not in {"", "0"},
        )

    def filters(self, engine: SearchBackend | None = None) -> Filters:
        """The core's filters; unknown topics, countries or bad dates raise QueryError (with
        ``engine``, topics and countries that records gave outside the vocabularies count)."""
        build = engine.filters if engine is not None else Filters.build
        return build(
            date_from=self.date_from or None, date_to=self.date_to or None, **dict(self.chosen)
        )

    def normalised(self, filters: Filters) -> SearchState:
        """This state with filter values as the index stores them (country codes, lower case)."""
        return self.change(
            page=self.page, **{name: getattr(filters, name) for name in FILTER_NAMES}
        )

    def request(
        self, filters: Filters, *, sort: str | None = None, explain: bool = False
    ) -> SearchRequest:
        return SearchRequest(
            self.q,
            filters,
            sort or self.sort,
            self.limit,
            self.page,
            match=self.match,
            expand=self.expand,
            correct=self.correct,
            explain=explain,
            coarse_dates=self.coarse,
            grouped=self.versions == "grouped",
            collapse=self.collapse,
        )

    # -- changing ---------------------------------------------------------------------------

    def change(self, **changes: object) -> SearchState:
        """A copy with some fields changed; back to page 1 unless a page is given."""
        changes.setdefault("page", 1)
        picked = {name: changes.pop(name) for name in FILTER_NAMES if name in changes}
        if picked:
            changes["chosen"] = _chosen({**dict(self.chosen), **picked})  # type: ignore[dict-item]
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def toggle(self, name: str, value: str) -> SearchState:
        """Add a filter value, or take it away if it is already chosen."""
        current: tuple[str, ...] = getattr(self, name)
        chosen = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self.change(**{name: chosen})

    def without(self, name: str, value: str | None = None) -> SearchState:
        """A copy without one filter value, or without the whole filter."""
        if name in {"date_from", "date_to"}:
            return self.change(**{name: ""})
        current: tuple[str, ...] = getattr(self, name)
        return self.change(**{name: tuple(v for v in current if value not in {None, v})})

    def cleared(self) -> SearchState:
        """The same query with no filters."""
        return SearchState(
            q=self.q,
            sort=self.sort,
            limit=self.limit,
            versions=self.versions,
            collapse=self.collapse,
            match=self.match,
            expand=self.expand,
            correct=self.correct,
        )

    # -- writing ----------------------------------------------------------------------------

    def params(self) -> list[tuple[str, str]]:
        """The URL arguments for this state; defaults are left out so links stay short."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in FILTER_NAMES:
            out += [(name, value) for value in getattr(self, name)]
        if self.date_from:
            out.append(("from", self.date_from))
        if self.date_to:
            out.append(("to", self.date_to))
        if self.coarse:
            out.append(("coarse", "1"))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.page != 1:
            out.append(("page", str(self.page)))
        if self.limit != DEFAULT_LIMIT:
            out.append(("limit", str(self.limit)))
        if self.match != "auto":
            out.append(("match", self.match))
        if not self.expand:
            out.append(("expand", "0"))
        if not self.correct:
            out.append(("correct", "0"))
        if self.versions != "grouped":
            out.append(("versions", self.versions))
        if self.collapse:
            out.append(("collapse", "1"))
        return out

    def query_string(self) -> str:
        return urlencode(self.params())

    def active(self) -> Iterator[tuple[str, str]]:
        """Each chosen filter value as (field, value), in URL order."""
        for name in FILTER_NAMES:
            for value in getattr(self, name):
                yield name, value
        if self.date_from:
            yield "date_from", self.date_from
        if self.date_to:
            yield "date_to", self.date_to

    @property
    def filtered(self) -> bool:
        return any(True for _ in self.active())


def _chosen(values: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Filter values in registry order, without the filters that have none."""
    return tuple((name, tuple(values[name])) for name in FILTER_NAMES if values.get(name))


def _values(args: Args, name: str) -> tuple[str, ...]:
    out: list[str] = []
    for raw in args.getlist(name):
        value = raw.strip()
        if len(value) > MAX_VALUE_LENGTH:
            raise QueryError(f"a {name} value is longer than {MAX_VALUE_LENGTH} characters")
        if value and value not in out:
            out.append(value)
    if len(out) > MAX_VALUES:
        raise QueryError(f"at most {MAX_VALUES} {name} values at once")
    return tuple(out)


def _flag(args: Args, name: str) -> bool:
    """On unless the URL says name=0 (or false, no, off)."""
    value = (args.get(name) or "").strip().lower()
    if value in {"", "1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise QueryError(f"{name} must be 1 or 0")


def _single(args: Args, name: str) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > MAX_VALUE_LENGTH:
        raise QueryError(f"{name} is longer than {MAX_VALUE_LENGTH} characters")
    return value


def _number(args: Args, name: str, default: int, low: int, high: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdecimal() or len(raw) > 9:
        raise QueryError(f"{name} must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise QueryError(f"{name} must be from {low} to {high}")
    return value


def _versions(args: Args) -> str:
    value = _single(args, "versions") or "grouped"
    if value not in {"grouped", "all"}:
        raise QueryError("versions must be 'grouped' (one item per story) or 'all'")
    return value
