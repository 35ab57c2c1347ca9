"""Facets: counts per value over the matching documents, and the documents a value selects."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from newsearch.index.fields import field_named
from newsearch.index.places import country_name
from newsearch.search.columns import Bools, Columns, Facet, Ints
from newsearch.search.results import FacetValue


def facet_values(
    columns: Columns, name: str, mask: Bools, *, missing: bool = True, per: Ints | None = None
) -> tuple[FacetValue, ...]:
    """Every value of facet ``name`` among ``mask`` with its count: most frequent first (years:
    newest first); countries carry their English name as the value and their code beside it.

    A facet with a bucket for items without a value (years: "undated") lists it last, when
    ``missing`` and some matching item has no value. With ``per`` (a label per document,
    such as its near-duplicate cluster) each label counts once per value.
    """
    spec = field_named(name)
    facet = columns.facets.get(name)
    if facet is None:  # an index built before this facet existed
        return ()
    counts = facet.counts(mask) if per is None else distinct_counts(facet, mask, per)
    pairs = [(facet.values[i], int(c)) for i, c in enumerate(counts) if c]
    without = 0
    if missing and spec.missing:
        absent = mask & ~_present(columns, name)
        without = int(absent.sum()) if per is None else len(np.unique(per[absent]))
    return facet_list(name, pairs, without)


def facet_list(name: str, pairs: list[tuple[str, int]], without: int = 0) -> tuple[FacetValue, ...]:
    """A facet's (value, count) pairs as shown, on either backend: most frequent first (years:
    newest first), countries named with their code beside, then the bucket of items without
    a value (``without`` of them) where the facet has one."""
    spec = field_named(name)
    pairs = [(value, count) for value, count in pairs if count]
    if spec.facet_order == "newest":
        pairs.sort(key=lambda vc: vc[0], reverse=True)
    else:
        pairs.sort(key=lambda vc: (-vc[1], vc[0]))
    if name == "country":
        out = [FacetValue(country_name(code), count, code) for code, count in pairs]
    else:
        out = [FacetValue(value, count) for value, count in pairs]
    if spec.missing and without:
        out.append(FacetValue(spec.missing, without))
    return tuple(out)


def facet_mask(columns: Columns, name: str, values: tuple[str, ...]) -> Bools:
    """The documents carrying any of ``values`` (the facet's missing bucket: those with none)."""
    facet = columns.facets.get(name)
    if facet is None:
        return np.zeros(columns.size, dtype=bool)
    out = facet.mask(values, columns.size)
    if field_named(name).missing in values:
        out |= ~_present(columns, name)
    return out


def _present(columns: Columns, name: str) -> Bools:
    facet = columns.facets[name]
    out = np.zeros(columns.size, dtype=bool)
    out[facet.docs] = True
    return out


def distinct_counts(facet: Facet, mask: Bools, per: Ints) -> npt.NDArray[np.int64]:
    """How many distinct labels (``per`` document) among ``mask`` carry each value."""
    chosen = mask[facet.docs]
    labels = per[facet.docs[chosen]].astype(np.int64)
    values = facet.value_ids[chosen].astype(np.int64)
    width = int(labels.max()) + 1 if len(labels) else 1
    pairs = np.unique(values * width + labels)
    return np.bincount(pairs // width, minlength=len(facet.values))
