"""The field registry: one declaration per field, from which every other part derives its shape.

Each :class:`Field` says what a field is (its ``kind``), whether it is stored, searched as text
(and with which boost), offered as a facet, accepted as a filter, how people read its name, and
under which key it appears in a hit's JSON and in CSV exports. The Whoosh schema
(``index/schema.py``), the query fields and boosts, the facet columns and counts, the filters of
the core, the CLI options (``--country``), the page's URL state (``country=``), its facet titles,
the JSON facets, the hit keys and the CSV header are all read from :data:`FIELDS`; a second
backend derives its mapping from the same declarations.

The order of :data:`FIELDS` is the order of a hit's JSON keys (and CSV columns) and the order in
which facets are shown, in the sidebar, in JSON and on the terminal.

How a facet is added
--------------------
1. Give :class:`~newsearch.index.item.Item` the value (tagging, or the reader, sets it): a
   ``str`` (``None`` when unknown), or a ``tuple[str, ...]`` for several values.
2. Declare it here: ``Field("NAME", "keyword", stored=True, facet=True, filter="NAME",
   label="People's name", filter_help="Only items ...", multi=True|False)``, placed where it
   should be listed among the facets.
3. Give the declaration ``attribute="NAME"`` (the Item attribute): the document an item
   becomes and the item read back from the index (``document()`` and ``item_from_stored()`` in
   ``index/store.py``) carry it from then on, a tuple of values when ``multi``. Only a value
   that is indexed differently from the attribute needs a line there (``source``: the file's
   name is the facet, the stored value keeps its line).

That is all: the schema field, the facet counts (sidebar, JSON, terminal), the filter (CLI
``--NAME``, URL ``NAME=``, query ``NAME:`` when ``query=True``), the chips and the page's state
follow. A new index field changes the schema: indexes built before it are rebuilt with
``newsearch index --rebuild``. A value shown in a hit's JSON or CSV also needs ``json_key`` and
its attribute on :class:`~newsearch.search.results.Hit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from newsearch.index.analysis import LANGUAGES as STEMMERS

FieldKind = Literal["id", "text", "keyword", "date", "number", "stored", "computed"]
# id:       an exact identifier, indexed whole (item ids, urls)
# text:     analysed words (tokenised, folded, stemmed per language), searchable
# keyword:  exact values for facets and filters; ``multi`` ones hold several per item
# date:     a YYYYMMDD number, sortable and searchable by range
# number:   any other number
# stored:   kept with the item, never searched
# computed: not in the index; made when a search runs (a hit's snippet and score)
Analyzer = Literal["news", "fold"]
FacetOrder = Literal["count", "newest"]

LANGUAGES = tuple(STEMMERS)  # languages of items that text fields are analysed in
UNDATED_VALUE = "undated"  # the year facet's bucket (and filter value) for items without a date


@dataclass(frozen=True)
class Field:
    """One field: how it is indexed, stored, searched, filtered, shown and exported."""

    name: str  # the index field
    kind: FieldKind
    doc: str  # what it holds, in a few words
    stored: bool = False
    languages: tuple[str, ...] = ()  # text: the languages it is analysed in
    analyzer: Analyzer = "news"  # text: "news" (stemmed, phrases) or "fold" (spelling words)
    boost: float | None = None  # text: searched by plain words with this weight; None: not
    facet: bool = False  # counted per value over the matches (sidebar, JSON, terminal)
    facet_order: FacetOrder = "count"  # most frequent first, or newest first (years)
    missing: str | None = None  # facet bucket (and filter value) for items without a value
    multi: bool = False  # several values per item (a comma-separated keyword)
    lowercase: bool = False  # keyword values are matched in lower case
    filter: str | None = None  # filter name: CLI --NAME, URL NAME=, Filters.build(NAME=...)
    filter_help: str = ""  # the CLI option's help
    query: bool = False  # usable as NAME: in the query language
    label: str = ""  # the name people read ("Country", "Listed under")
    json_key: str | None = None  # key in a hit's JSON (and CSV column), None: not shown
    csv_column: str | None = None  # defaults to json_key
    sortable: bool = False  # results can be ordered by it
    unique: bool = False  # identifies the item
    attribute: str | None = None  # the Item attribute indexed and stored as it is, if any

    @property
    def column(self) -> str | None:
        """The CSV column of a hit, if the hit shows this field."""
        return self.csv_column or self.json_key

    @property
    def indexed(self) -> bool:
        """Whether the field is a part of the index (computed fields are not)."""
        return self.kind != "computed"


TEXT_LANGUAGES = LANGUAGES

FIELDS: tuple[Field, ...] = (
    Field("id", "id", "the item's stable id", stored=True, unique=True, query=True,
          label="Id", json_key="id"),
    Field("title", "text", "the headline", stored=True, languages=TEXT_LANGUAGES, boost=3.0,
          query=True, label="Title", json_key="title"),
    Field("published", "stored", "the item's date as ISO text (YYYY-MM-DD)", stored=True,
          label="Date", json_key="date"),
    Field("summary", "text", "the standfirst", stored=True, languages=TEXT_LANGUAGES, boost=1.5,
          query=True, label="Summary", json_key="summary"),
    Field("snippet", "computed", "the best window of text, matches in <mark>",
          label="Snippet", json_key="snippet"),
    Field("score", "computed", "the relevance score (none when sorted by date)",
          label="Score", json_key="score"),
    Field("topic", "keyword", "controlled topics", stored=True, facet=True, multi=True,
          lowercase=True, filter="topic", query=True, label="Topic", json_key="topics",
          attribute="topics",
          filter_help="Only items with this topic (repeatable)."),
    Field("country_name", "stored", "English country names, parallel to the codes", stored=True,
          label="Countries", json_key="countries"),
    Field("country", "keyword", "ISO alpha-3 codes of the countries an item is about",
          stored=True, facet=True, multi=True, filter="country", query=True, label="Country",
          json_key="country_codes", attribute="country_codes",
          filter_help="Only items about this country: name or ISO code, any case (repeatable)."),
    Field("region", "keyword", "ILO regions", stored=True, facet=True, multi=True,
          filter="region", query=True, label="Region", json_key="regions", attribute="regions",
          filter_help="Only items in this ILO region (repeatable)."),
    Field("year", "keyword", "the year of the item's date", stored=True, facet=True,
          facet_order="newest", missing=UNDATED_VALUE, filter="year", query=True, label="Year",
          filter_help=f"Only items from this year, or '{UNDATED_VALUE}' (repeatable)."),
    Field("label", "stored", "the listing's label (News, Press release, ...)", stored=True,
          label="Label", json_key="label", attribute="label"),
    Field("language", "keyword", "the language: en, fr or es", stored=True, facet=True,
          filter="language", query=True, label="Language", json_key="language",
          attribute="language",
          filter_help="Only items in this language: en, fr, es (repeatable)."),
    Field("kind", "keyword", "the kind of item: news, press release, statement, ...",
          stored=True, facet=True, filter="kind", query=True, label="Kind", attribute="kind",
          filter_help="Only items of this kind: news, press release, statement, ... (repeatable)."),
    Field("url", "id", "the item's address", stored=True, label="URL", json_key="url",
          attribute="url"),
    Field("source", "keyword", "the file an item was read from (stored with its line)",
          stored=True, facet=True, filter="source", label="Source",
          json_key="source",
          filter_help="Only items read from this file: its name, as the source facet shows it "
          "(repeatable)."),
    Field("kicker", "stored", "the short line a page puts above the title (series, place, "
          "theme)", stored=True, label="Kicker", json_key="kicker", attribute="kicker"),
    Field("listed_under", "keyword", "the heading of the listing the item stood under",
          stored=True, facet=True, filter="listed_under", query=True, label="Listed under",
          json_key="listed_under", attribute="listed_under",
          filter_help="Only items the listing put under this heading, as the facet shows it "
          "(repeatable)."),
    Field("match", "computed", "whether the item matched every word of the query or some",
          label="Match", json_key="match"),
    Field("matched_words", "computed", "the query's words (as typed) the item matched",
          label="Matched words", json_key="matched_words"),
    Field("date_precision", "stored", "how precisely the date is known: day, month or year",
          stored=True, label="Precision", json_key="date_precision", attribute="date_precision"),
    Field("cluster", "computed", "the id of the item's near-duplicate cluster (its first "
          "item; the item's own id when it has no other version)", label="Cluster",
          json_key="cluster"),
    Field("versions", "computed", "how many items of the index are versions of this one's "
          "story (1: none other)", label="Versions", json_key="versions"),
    Field("body", "text", "the full text", stored=True, languages=TEXT_LANGUAGES, boost=1.0,
          query=True, label="Body"),
    Field("tags", "text", "topics, country names and regions as words", languages=TEXT_LANGUAGES,
          boost=1.2, label="Tags"),
    Field("spell", "text", "title and summary words, for spelling suggestions", analyzer="fold",
          label="Spelling"),
    Field("date", "date", "YYYYMMDD; undated items hold 0 (last when newest come first)",
          sortable=True, query=True, label="Date"),
    Field("date_asc", "date", "YYYYMMDD; undated items last when oldest come first",
          sortable=True, label="Date"),
    Field("source_row", "number", "the item's line in its file: equal scores and dates are "
          "listed in reading order (file, then line)", sortable=True, label="Line"),

    Field("evidence", "stored", "why each tag was given (JSON)", stored=True, label="Evidence"),
    Field("digest", "stored", "a hash of the indexed values, to find changed items", stored=True,
          label="Digest"),
)  # fmt: skip

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def field_named(name: str) -> Field:
    """The declaration of field ``name`` (KeyError if there is none)."""
    return BY_NAME[name]


@cache
def index_fields() -> tuple[Field, ...]:
    """Every field the index holds (all but the computed ones)."""
    return tuple(f for f in FIELDS if f.indexed)


@cache
def text_fields() -> tuple[Field, ...]:
    """Text fields searched by plain words, with their boosts."""
    return tuple(f for f in FIELDS if f.kind == "text" and f.boost is not None)


@cache
def boosts() -> dict[str, float]:
    """Field name to boost, for the text fields a plain word searches."""
    return {f.name: float(f.boost) for f in text_fields() if f.boost is not None}


@cache
def item_fields() -> tuple[Field, ...]:
    """Fields that hold an Item attribute as it is: one text value, or (``multi``) a tuple."""
    return tuple(f for f in FIELDS if f.attribute)


@cache
def facet_fields() -> tuple[Field, ...]:
    """The facets, in the order they are shown."""
    return tuple(f for f in FIELDS if f.facet)


@cache
def facet_names() -> tuple[str, ...]:
    return tuple(f.name for f in facet_fields())


@cache
def filter_fields() -> tuple[Field, ...]:
    """Fields that can be filtered on by value (CLI --NAME, URL NAME=), in facet order."""
    return tuple(f for f in FIELDS if f.filter)


@cache
def filter_names() -> tuple[str, ...]:
    return tuple(f.filter for f in filter_fields() if f.filter)


def filter_field(name: str) -> Field:
    """The field behind filter ``name`` (KeyError if there is none)."""
    for f in filter_fields():
        if f.filter == name:
            return f
    raise KeyError(name)


@cache
def query_fields() -> tuple[str, ...]:
    """Field names the query language accepts before a colon."""
    return tuple(f.name for f in FIELDS if f.query)


@cache
def hit_keys() -> tuple[str, ...]:
    """The keys of a hit's JSON, in order (the stable contract)."""
    return tuple(f.json_key for f in FIELDS if f.json_key)


@cache
def csv_columns() -> tuple[str, ...]:
    """The header of a CSV of hits."""
    return tuple(f.column for f in FIELDS if f.column)


@cache
def labels() -> dict[str, str]:
    """Filter name to the name people read, for titles and chips."""
    return {f.filter: f.label for f in filter_fields() if f.filter}


def missing_value(name: str) -> str | None:
    """The bucket for items without a value of facet ``name``, if it has one."""
    found = BY_NAME.get(name)
    return found.missing if found else None
