"""The OpenSearch index template, derived from the field registry and the analysis rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from newsearch.index.analysis import CODE, LANGUAGES, STOPWORDS
from newsearch.index.documents import _ascending_key, source_file, source_row
from newsearch.index.fields import FIELDS, Field, item_fields
from newsearch.index.item import Item

MAPPING_VERSION = 4
# The tokeniser of index/analysis.py (TOKEN), in Java's regex dialect: a code (C029, C.182,
# P29) is one token, other letters and digits are split.
TOKEN_PATTERN = (
    r"(?<![^\W_])[A-Za-z][.-]?\d{1,4}(?![\w])(?!\.\d)|\d+(?:[.,]\d+)*"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*|\w+"
)
# A token that is not a word (a number, a code, letters with digits) is never stemmed.
NOT_A_WORD = r"[^']*[^\p{L}'][^']*"
ELISIONS = ("l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu")
SNOWBALL = {code: name.capitalize() for code, name in LANGUAGES.items()}
DATE_FORMAT = "yyyy-MM-dd"
EXTRA_STORED = ("source_line",)  # the "file:line" an item came from (``source`` is the file)
# Where an item was read (its file's name, then its line): equal scores and dates are listed
# in this order on both backends (the Whoosh index keeps the same two as a facet and a column).
READ_ORDER = ("source", "source_row")
CLUSTER = "cluster"
# Whoosh's BM25F, term by term and field by field: idf = ln(N / (df + 1)) + 1, k1 = 1.2,
# b = 0.75, the field's average length over the items holding it.
K1, B = 1.2, 0.75
SIMILARITY = {
    "news_bm25": {
        "type": "scripted",
        "script": {
            "source": (
                "double tf = doc.freq; double n = field.docCount;"
                " double idf = Math.log(n / (term.docFreq + 1.0)) + 1.0;"
                " double avg = field.sumTotalTermFreq / n;"
                f" return query.boost * idf * (tf * {K1 + 1})"
                f" / (tf + {K1} * ({1 - B} + {B} * doc.length / avg));"
            )
        },
    }
}
# Stored values that are also aggregated (trends by month leave out items known to the year).
AGGREGATED = ("date_precision",)
# The last day a date can stand for (its month's or year's for a coarse date): date filters
# match an item only when its whole period lies in the range, as in the Whoosh index.
DATE_END = "date_end"


def analysis() -> dict[str, Any]:
    """Analyzers doing what the Whoosh analyzer does: the same tokens, stop words, elision,
    Snowball stemming, then accent folding (stems are folded after stemming, as here)."""
    filters: dict[str, Any] = {
        # C029, C.29, c-29: one written form, 'c29' (index/analysis.py code_token)
        "news_codes": {
            "type": "pattern_replace",
            "pattern": CODE.pattern,
            "replacement": "$1$2",
        },
        "news_not_words": {"type": "keyword_marker", "keywords_pattern": NOT_A_WORD},
        "news_elision": {"type": "elision", "articles": list(ELISIONS), "articles_case": True},
        "news_possessive": {"type": "stemmer", "language": "possessive_english"},
    }
    analyzers: dict[str, Any] = {}
    for lang, name in SNOWBALL.items():
        stops = sorted(STOPWORDS[lang] | STOPWORDS["en"])
        filters[f"news_stop_{lang}"] = {"type": "stop", "stopwords": stops, "ignore_case": False}
        filters[f"news_snowball_{lang}"] = {"type": "snowball", "language": name}
        chain = ["lowercase", "news_codes", f"news_stop_{lang}", "news_not_words"]
        chain.append("news_elision" if lang == "fr" else "news_possessive" if lang == "en" else "")
        chain += [f"news_snowball_{lang}", "asciifolding"]
        analyzers[f"news_{lang}"] = {
            "type": "custom",
            "char_filter": ["news_apostrophe"],
            "tokenizer": "news_tokens",
            "filter": [f for f in chain if f],
        }
    analyzers["news_fold"] = {
        "type": "custom",
        "char_filter": ["news_apostrophe"],
        "tokenizer": "news_tokens",
        "filter": ["lowercase", "news_codes", "news_stop_en", "asciifolding"],
    }
    return {
        "char_filter": {"news_apostrophe": {"type": "mapping", "mappings": ["’ => '"]}},
        "tokenizer": {
            "news_tokens": {
                "type": "pattern",
                "pattern": TOKEN_PATTERN,
                "group": 0,
                "flags": "UNICODE_CHARACTER_CLASS",
            }
        },
        "filter": filters,
        "normalizer": {"news_lowercase": {"type": "custom", "filter": ["lowercase"]}},
        "analyzer": analyzers,
    }


def _property(spec: Field) -> dict[str, Any] | None:
    if spec.kind == "computed":
        return None
    if spec.kind == "id":
        return {"type": "keyword"}
    if spec.kind == "keyword":
        # norms: a keyword term is scored with the item's number of values, as in Whoosh
        out: dict[str, Any] = {"type": "keyword", "norms": True}
        if spec.lowercase:
            out["normalizer"] = "news_lowercase"
        return out
    if spec.kind == "date" and spec.name == "date":
        return {"type": "date", "format": DATE_FORMAT}
    if spec.kind == "date":  # date_asc: YYYYMMDD with zeros for a coarse date, as in Whoosh
        return {"type": "long"}
    if spec.kind == "number":
        return {"type": "long"}
    if spec.kind == "text" and spec.analyzer == "fold":
        return {"type": "text", "analyzer": "news_fold"}
    if spec.kind == "text":
        copy = ["spell"] if spec.name in {"title", "summary"} else []
        languages = {}
        for lang in spec.languages:
            sub: dict[str, Any] = {
                "type": "text",
                "analyzer": f"news_{lang}",
                "position_increment_gap": 100,
                "similarity": "news_bm25",
            }
            if copy:
                sub["copy_to"] = copy
            languages[lang] = sub
        return {"properties": languages}
    if spec.name in AGGREGATED:
        return {"type": "keyword", "index": False, "doc_values": True}
    return {"type": "keyword", "index": False, "doc_values": False}  # stored only


def mappings() -> dict[str, Any]:
    """Field mappings: one per registry field; text fields hold one sub-field per language."""
    properties = {f.name: p for f in FIELDS if (p := _property(f)) is not None}
    for name in EXTRA_STORED:
        properties[name] = {"type": "keyword", "index": False, "doc_values": False}
    properties[DATE_END] = {"type": "date", "format": DATE_FORMAT}
    # the item's near-duplicate cluster (its first item's id), set after every load on the
    # items of clusters of two or more; never written by the item's own upsert
    properties[CLUSTER] = {"type": "keyword"}
    properties[READ_ORDER[1]] = {"type": "long", "index": False, "doc_values": True}
    return {
        "dynamic": "strict",
        "_meta": {"newsearch_mapping": MAPPING_VERSION},
        "properties": properties,
    }


def settings(*, shards: int, replicas: int) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "analysis": analysis(),
        "similarity": SIMILARITY,
        "max_result_window": 10_000,
    }


def document(item: Item) -> dict[str, Any]:
    """An item as an OpenSearch document: its text under the sub-field of its language.

    Every field is present (None when empty), so an upsert replaces the whole item and an
    unchanged item is detected as a no-op. The attributes the registry indexes as they are
    (``Field.attribute``) are carried over by name, as in the Whoosh document.
    """
    lang = item.language if item.language in SNOWBALL else "en"
    doc: dict[str, Any] = {f.name: None for f in FIELDS if _property(f) is not None}
    for spec in item_fields():
        value = getattr(item, spec.attribute or spec.name)
        doc[spec.name] = list(value) if spec.multi else (value or None)
    key = int(item.date.strftime("%Y%m%d")) if item.date else None
    doc.update(
        id=item.id,
        title={lang: item.title},
        summary={lang: item.summary},
        body={lang: item.body},
        # the Whoosh index analyses tags as English whatever the item's language
        tags={"en": [*item.topics, *item.countries, *item.regions]},
        country_name=list(item.countries),
        year=str(item.year) if item.year else None,
        date=item.date.isoformat() if item.date else None,
        date_asc=_ascending_key(key, item.date_precision) if key is not None else None,
        published=item.date.isoformat() if item.date else None,
        source=source_file(item.source),
        source_line=item.source,
        evidence=json.dumps([e.to_dict() for e in item.evidence], ensure_ascii=False),
        digest=item.digest(),
    )
    doc[DATE_END] = _period_end(item).isoformat() if item.date else None
    doc[READ_ORDER[1]] = source_row(item.source)
    doc.pop("spell", None)  # filled from title and summary by copy_to
    return doc


def _period_end(item: Item) -> dt.date:
    """The last day of the period an item's date stands for (its day, month or year)."""
    assert item.date is not None
    if item.date_precision == "year":
        return dt.date(item.date.year, 12, 31)
    if item.date_precision == "month":
        following = item.date.replace(day=28) + dt.timedelta(days=4)
        return following - dt.timedelta(days=following.day)
    return item.date


def text_of(source: dict[str, Any], name: str) -> str:
    """A text field of a stored document: the value under its one language."""
    value = source.get(name) or {}
    if isinstance(value, dict):
        return str(next((v for v in value.values() if v), ""))
    return str(value)
