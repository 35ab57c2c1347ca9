"""BM25F arithmetic as pure functions: a term's score in a field from its weight and length."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[Any]


def bm25f(
    weights: Floats, lengths: Floats, *, idf: float, avg: float, k1: float, b: float
) -> Floats:
    """Whoosh's BM25F score of one term in one field, for each document holding it.

    ``weights``: the term's frequency in each document; ``lengths``: each document's length in
    the field; ``avg``: the field's average length. Computed exactly as Whoosh computes it.
    """
    tf = weights.astype(np.float64)
    return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avg)))
