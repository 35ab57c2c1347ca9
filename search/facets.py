"""Facets: counts per value over the matching documents, as plain data."""

from __future__ import annotations

from newsearch.index.places import country_name
from newsearch.search.columns import Bools, Columns
from newsearch.search.results import FacetValue


def facet_values(columns: Columns, name: str, mask: Bools) -> tuple[FacetValue, ...]:
    """Every value of facet ``name`` among ``mask`` with its count: most frequent first (years:
    newest first); countries carry their English name as the value and their code beside it."""
    facet = columns.facets[name]
    counts = facet.counts(mask)
    pairs = [(facet.values[i], int(c)) for i, c in enumerate(counts) if c]
    if name == "year":
        pairs.sort(key=lambda vc: vc[0], reverse=True)
    else:
        pairs.sort(key=lambda vc: (-vc[1], vc[0]))
    if name == "country":
        return tuple(FacetValue(country_name(code), count, code) for code, count in pairs)
    return tuple(FacetValue(value, count) for value, count in pairs)
