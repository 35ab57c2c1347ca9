"""The Atom feed of a search and the OpenSearch description, written with ElementTree."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from xml.etree import ElementTree as ET

from newsearch.search.results import Hit
from newsearch.webui.formatting import web_url

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


# characters XML 1.0 cannot carry, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in attrs.items()})
    if text is not None:
        node.text = _NOT_XML.sub("", text)
    return node


def _stamp(day: str | None, fallback: str) -> str:
    """An RFC 3339 time for an item: its date at midnight UTC, or the fallback if undated."""
    if not day:
        return fallback
    try:
        return dt.date.fromisoformat(day).isoformat() + "T00:00:00Z"
    except ValueError:
        return fallback


def atom(
    hits: Iterable[Hit],
    *,
    title: str,
    feed_url: str,
    page_url: str,
    item_url: Callable[[str], str],
    updated: str,
) -> str:
    """An Atom 1.0 document: one entry per hit, each linking to its item page."""
    feed = ET.Element("feed", xmlns=ATOM)
    _sub(feed, "title", title)
    _sub(feed, "id", feed_url)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    _sub(feed, "generator", "newsearch")
    author = _sub(feed, "author")
    _sub(author, "name", "newsearch")
    stamp = _sub(feed, "updated", updated)
    newest = ""
    for hit in hits:
        when = _stamp(hit.date, updated)
        newest = max(newest, when)
        entry = _sub(feed, "entry")
        url = item_url(hit.id)
        _sub(entry, "title", hit.title)
        _sub(entry, "id", url)
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        related = web_url(hit.url)
        if related:
            _sub(entry, "link", rel="related", href=related)
        _sub(entry, "updated", when)
        if hit.date:
            _sub(entry, "published", when)
        for topic in hit.topics:
            _sub(entry, "category", term=topic, label=topic)
        for country in hit.countries:
            _sub(entry, "category", term=country, label=country, scheme="country")
        if hit.summary:
            _sub(entry, "summary", hit.summary, type="text")
    stamp.text = max(updated, newest)
    return DECLARATION + ET.tostring(feed, encoding="unicode")


def opensearch(*, page_template: str, feed_template: str, api_template: str, self_url: str) -> str:
    """An OpenSearch 1.1 description, so a browser can add the page as a search engine."""
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    _sub(root, "ShortName", "newsearch")
    _sub(root, "Description", "Search ILO news on forced labour, child labour and trafficking")
    _sub(root, "InputEncoding", "UTF-8")
    _sub(root, "OutputEncoding", "UTF-8")
    _sub(root, "Url", type="text/html", method="get", template=page_template)
    _sub(root, "Url", type="application/atom+xml", template=feed_template)
    _sub(root, "Url", type="application/json", template=api_template)
    _sub(root, "Url", type="application/opensearchdescription+xml", rel="self", template=self_url)
    return DECLARATION + ET.tostring(root, encoding="unicode")
