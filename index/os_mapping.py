"""The OpenSearch index template, derived from the field registry and the analysis rules."""

from __future__ import annotations

import json
from typing import Any

from newsearch.index.analysis import STOPWORDS
from newsearch.index.fields import FIELDS, Field
from newsearch.index.item import Item
from newsearch.index.store import source_file

MAPPING_VERSION = 1
# The tokeniser of index/analysis.py (TOKEN), in Java's regex dialect.
TOKEN_PATTERN = r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|\w+"
ELISIONS = ("l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu")
SNOWBALL = {"en": "English", "fr": "French", "es": "Spanish"}
DATE_FORMAT = "yyyy-MM-dd"
EXTRA_STORED = ("source_line",)  # the "file:line" an item came from (``source`` is the file)


def analysis() -> dict[str, Any]:
    """Analyzers doing what the Whoosh analyzer does: the same tokens, stop words, elision,
    Snowball stemming, then accent folding (stems are folded after stemming, as here)."""
    filters: dict[str, Any] = {
        "news_elision": {"type": "elision", "articles": list(ELISIONS), "articles_case": True},
        "news_possessive": {"type": "stemmer", "language": "possessive_english"},
    }
    analyzers: dict[str, Any] = {}
    for lang, name in SNOWBALL.items():
        stops = sorted(STOPWORDS[lang] | STOPWORDS["en"])
        filters[f"news_stop_{lang}"] = {"type": "stop", "stopwords": stops, "ignore_case": False}
        filters[f"news_snowball_{lang}"] = {"type": "snowball", "language": name}
        chain = ["lowercase", f"news_stop_{lang}"]
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
        "filter": ["lowercase", "news_stop_en", "asciifolding"],
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
    if spec.kind == "date":
        # ``date_asc`` exists for Whoosh's sort; OpenSearch sorts undated items last itself
        return {"type": "date", "format": DATE_FORMAT} if spec.name == "date" else None
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
                "index_options": "offsets",  # the unified highlighter reads them
            }
            if copy:
                sub["copy_to"] = copy
            languages[lang] = sub
        return {"properties": languages}
    return {"type": "keyword", "index": False, "doc_values": False}  # stored only


def mappings() -> dict[str, Any]:
    """Field mappings: one per registry field; text fields hold one sub-field per language."""
    properties = {f.name: p for f in FIELDS if (p := _property(f)) is not None}
    for name in EXTRA_STORED:
        properties[name] = {"type": "keyword", "index": False, "doc_values": False}
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
        "max_result_window": 10_000,
    }


def document(item: Item) -> dict[str, Any]:
    """An item as an OpenSearch document: its text under the sub-field of its language.

    Every field is present (None when empty), so an upsert replaces the whole item and an
    unchanged item is detected as a no-op.
    """
    lang = item.language if item.language in SNOWBALL else "en"
    doc: dict[str, Any] = {f.name: None for f in FIELDS if _property(f) is not None}
    doc.update(
        id=item.id,
        title={lang: item.title},
        summary={lang: item.summary},
        body={lang: item.body},
        # the Whoosh index analyses tags as English whatever the item's language
        tags={"en": [*item.topics, *item.countries, *item.regions]},
        spell=None,  # filled from title and summary by copy_to
        topic=list(item.topics),
        country=list(item.country_codes),
        country_name=list(item.countries),
        region=list(item.regions),
        label=item.label,
        kind=item.kind,
        language=item.language,
        year=str(item.year) if item.year else None,
        date=item.date.isoformat() if item.date else None,
        published=item.date.isoformat() if item.date else None,
        date_precision=item.date_precision,
        url=item.url,
        source=source_file(item.source),
        source_line=item.source,
        evidence=json.dumps([e.to_dict() for e in item.evidence], ensure_ascii=False),
        digest=item.digest(),
    )
    doc.pop("spell", None)
    return doc
