"""What the search page draws, as plain data: facet groups, filter chips and page links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsearch.index.places import country_name
from newsearch.search.results import FACET_NAMES, SearchResult
from newsearch.webui.formatting import capfirst, language_name
from newsearch.webui.state import SearchState

FACET_TITLES = {
    "topic": "Topic",
    "country": "Country",
    "region": "Region",
    "year": "Year",
    "language": "Language",
    "kind": "Kind",
    "listed_under": "Listed under",
    "date_from": "From",
    "date_to": "To",
}
SHOWN = 8  # facet values shown before "more"

Link = Callable[[SearchState], str]


@dataclass(frozen=True)
class Option:
    """One facet value: what it reads as, its URL value, its count, and the link that toggles it."""

    label: str
    value: str
    count: int
    selected: bool
    href: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    shown: tuple[Option, ...]
    more: tuple[Option, ...]

    @property
    def selected(self) -> int:
        return sum(o.selected for o in (*self.shown, *self.more))


@dataclass(frozen=True)
class Chip:
    """An active filter and the link that removes it."""

    name: str
    title: str
    label: str
    href: str


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for the gap between distant pages
    href: str
    current: bool = False


def label_for(name: str, value: str) -> str:
    if name == "country":
        return country_name(value)
    if name == "language":
        return language_name(value)
    if name == "topic":
        return capfirst(value)
    return value


def facet_groups(result: SearchResult, state: SearchState, link: Link) -> list[FacetGroup]:
    groups = []
    for name in FACET_NAMES:
        chosen: tuple[str, ...] = getattr(state, name)
        options = []
        seen = set()
        values = result.facets.get(name, ())
        if name == "year":
            values = tuple(sorted(values, key=lambda v: v.value, reverse=True))
        for facet in values:
            value = facet.code or facet.value
            seen.add(value)
            label = capfirst(facet.value) if name == "topic" else facet.value
            options.append(
                Option(label, value, facet.count, value in chosen, link(state.toggle(name, value)))
            )
        for value in chosen:  # a chosen value with no match left must still be removable
            if value not in seen:
                href = link(state.toggle(name, value))
                options.append(Option(label_for(name, value), value, 0, True, href))
        picked = [o for o in options if o.selected]
        rest = [o for o in options if not o.selected]
        room = max(0, SHOWN - len(picked))
        shown = [o for o in options if o.selected or o in rest[:room]]
        more = tuple(o for o in rest[room:])
        if options:
            groups.append(FacetGroup(name, FACET_TITLES[name], tuple(shown), more))
    return groups


def chips(state: SearchState, link: Link) -> list[Chip]:
    return [
        Chip(name, FACET_TITLES[name], label_for(name, value), link(state.without(name, value)))
        for name, value in state.active()
    ]


def page_links(result: SearchResult, state: SearchState, link: Link) -> list[PageLink]:
    """Links to the first, last and nearby pages, with gaps between."""
    last = result.pages
    if last <= 1:
        return []
    wanted = sorted({1, last, *range(max(1, state.page - 2), min(last, state.page + 2) + 1)})
    out: list[PageLink] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            out.append(PageLink(None, ""))
        out.append(PageLink(number, link(state.change(page=number)), number == state.page))
        previous = number
    return out
