"""The parsed query language as OpenSearch query DSL: the same terms, phrases and ranges."""

from __future__ import annotations

from typing import Any

from whoosh import query as wq

from newsearch.index.errors import QueryError
from newsearch.index.fields import field_named, missing_value
from newsearch.search.filters import Filters

Dsl = dict[str, Any]
MATCH_ALL: Dsl = {"match_all": {}}
MATCH_NONE: Dsl = {"match_none": {}}
FUZZY_EXPANSIONS = 1000  # Whoosh expands a fuzzy term to every term within the distance


def text_paths(name: str) -> list[str]:
    """The index paths a text field is searched in: one sub-field per language."""
    spec = field_named(name)
    if spec.languages:
        return [f"{name}.{lang}" for lang in spec.languages]
    return [name]


def _date(number: int) -> str:
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"


def _boosted(dsl: Dsl, boost: float) -> Dsl:
    if boost == 1.0:
        return dsl
    return {"bool": {"should": [dsl], "boost": boost}}


def _per_language(name: str, make: Any) -> Dsl:
    paths = text_paths(name)
    clauses = [make(path) for path in paths]
    if len(clauses) == 1:
        return clauses[0]  # type: ignore[no-any-return]
    # an item's text lives under exactly one language: at most one clause can match
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def to_dsl(q: wq.Query) -> Dsl:
    """Translate a query of :mod:`newsearch.search.query` (a Whoosh query tree)."""
    boost = float(getattr(q, "boost", 1.0) or 1.0)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return MATCH_NONE
    if isinstance(q, wq.Every):
        if q.fieldname and q.fieldname != "*":
            return {"exists": {"field": q.fieldname}}
        return MATCH_ALL
    if isinstance(q, wq.AndNot):
        return _boosted(
            {"bool": {"must": [to_dsl(q.a)], "must_not": [to_dsl(q.b)]}},
            boost,
        )
    if isinstance(q, wq.And):
        return _boosted({"bool": {"must": [to_dsl(s) for s in q.subqueries]}}, boost)
    if isinstance(q, wq.Or):
        return _boosted(
            {
                "bool": {
                    "should": [to_dsl(s) for s in q.subqueries],
                    "minimum_should_match": 1,
                }
            },
            boost,
        )
    if isinstance(q, wq.Not):
        return {"bool": {"must": [MATCH_ALL], "must_not": [to_dsl(q.query)]}}
    if isinstance(q, wq.FuzzyTerm):
        return _boosted(
            _per_language(
                q.fieldname,
                lambda path: {
                    "fuzzy": {
                        path: {
                            "value": q.text,
                            "fuzziness": int(q.maxdist),
                            "prefix_length": int(q.prefixlength),
                            "transpositions": False,
                            "max_expansions": FUZZY_EXPANSIONS,
                        }
                    }
                },
            ),
            boost,
        )
    if isinstance(q, wq.Term):
        spec = field_named(q.fieldname)
        if spec.kind == "text":
            return _boosted(
                _per_language(q.fieldname, lambda path: {"term": {path: q.text}}), boost
            )
        if q.text == missing_value(q.fieldname):
            return {"bool": {"must_not": [{"exists": {"field": q.fieldname}}]}}
        # a keyword is not scored by BM25 in the Whoosh index: each match counts its boost
        return {"constant_score": {"filter": {"term": {q.fieldname: q.text}}, "boost": boost}}
    if isinstance(q, wq.Phrase):
        # Whoosh's slop 1 is adjacent words; a span's slop counts the words between
        return _boosted(
            _per_language(
                q.fieldname,
                lambda path: {
                    "span_near": {
                        "clauses": [{"span_term": {path: w}} for w in q.words],
                        "slop": max(0, int(q.slop) - 1),
                        "in_order": True,
                    }
                },
            ),
            boost,
        )
    if isinstance(q, wq.Wildcard | wq.Prefix):
        pattern = q.text + ("*" if isinstance(q, wq.Prefix) else "")
        # each matching term scored by BM25 and summed, as Whoosh scores a wildcard
        wildcard = {"value": pattern, "rewrite": "scoring_boolean"}
        return _boosted(
            _per_language(q.fieldname, lambda path: {"wildcard": {path: dict(wildcard)}}),
            boost,
        )
    if isinstance(q, wq.NumericRange) and q.fieldname == "date":
        bounds: Dsl = {"format": "yyyy-MM-dd"}
        if q.start is not None:
            bounds["gt" if q.startexcl else "gte"] = _date(int(q.start))
        if q.end is not None:
            bounds["lt" if q.endexcl else "lte"] = _date(int(q.end))
        return {"range": {"date": bounds}}
    if isinstance(q, wq.TermRange):
        limits: Dsl = {}
        if q.start is not None:
            limits["gt" if q.startexcl else "gte"] = q.start
        if q.end is not None:
            limits["lt" if q.endexcl else "lte"] = q.end
        return {"range": {q.fieldname: limits}}
    raise QueryError(f"this query cannot be run on OpenSearch ({type(q).__name__})")


def filter_clauses(filters: Filters, *, without: str | None = None) -> list[Dsl]:
    """The filters as clauses for a bool ``filter``, leaving out the field ``without``."""
    q = filters.query(without=without)
    if q is None:
        return []
    if isinstance(q, wq.And):
        return [to_dsl(s) for s in q.subqueries]
    return [to_dsl(q)]


def as_filter(dsl: Dsl) -> Dsl:
    """The same matches with fewer clauses, for a filter (scores dropped): alternatives are
    flattened and the single terms of one field become one ``terms`` query. A word's
    vocabulary expansion (every form in three languages, four fields, three sub-fields)
    stays within the cluster's clause limit this way."""
    clauses = _alternatives(dsl)
    if clauses is None:
        return _inner(dsl)
    by_path: dict[str, list[Any]] = {}
    rest: list[Dsl] = []
    for clause in clauses:
        term = clause.get("term")
        if isinstance(term, dict) and len(term) == 1:
            path, value = next(iter(term.items()))
            value = value.get("value") if isinstance(value, dict) else value
            by_path.setdefault(path, []).append(value)
        else:
            rest.append(_inner(clause))
    out = [{"terms": {path: sorted(set(values))}} for path, values in by_path.items()] + rest
    if len(out) == 1:
        return out[0]
    return {"bool": {"should": out, "minimum_should_match": 1}}


def _alternatives(dsl: Dsl) -> list[Dsl] | None:
    """The leaves of a tree of ORs (boosts dropped), or None when ``dsl`` is no OR."""
    found = dsl.get("bool")
    if not isinstance(found, dict) or set(found) - {"should", "minimum_should_match", "boost"}:
        return None
    if len(found.get("should", ())) != 1 and found.get("minimum_should_match") != 1:
        return None
    out: list[Dsl] = []
    for clause in found.get("should", ()):
        inner = _alternatives(clause)
        out.extend(inner if inner is not None else [clause])
    return out


def _inner(dsl: Dsl) -> Dsl:
    """``as_filter`` applied inside the clauses of a bool that is not an OR."""
    found = dsl.get("bool")
    if not isinstance(found, dict):
        return dsl
    out: Dsl = {}
    for key, value in found.items():
        if key in {"must", "filter", "must_not", "should"} and isinstance(value, list):
            out[key] = [as_filter(v) for v in value]
        elif key != "boost":
            out[key] = value
    return {"bool": out}
