"""Tagging: a raw item becomes an indexed item with topics, places, language, kind, evidence."""

from __future__ import annotations

from newsearch.index.item import Evidence, Item, RawItem, item_id
from newsearch.index.language import detect
from newsearch.index.places import REGIONS, gazetteer
from newsearch.index.topics import THRESHOLD, TITLE_WEIGHT, vocabulary

KINDS = {
    "press release": "press release",
    "news release": "press release",
    "communiqué de presse": "press release",
    "communiqué": "press release",
    "comunicado de prensa": "press release",
    "comunicado": "press release",
    "nota de prensa": "press release",
    "media advisory": "media advisory",
    "note aux médias": "media advisory",
    "aviso a los medios": "media advisory",
    "statement": "statement",
    "déclaration": "statement",
    "declaración": "statement",
    "opinion editorial": "opinion editorial",
    "op-ed": "opinion editorial",
    "opinion": "opinion editorial",
    "tribune": "opinion editorial",
    "artículo de opinión": "opinion editorial",
    "commentary": "opinion editorial",
    "comment": "opinion editorial",
    "feature": "feature",
    "feature story": "feature",
    "story": "feature",
    "reportage": "feature",
    "reportaje": "feature",
    "speech": "speech",
    "discours": "speech",
    "discurso": "speech",
    "interview": "interview",
    "entretien": "interview",
    "entrevista": "interview",
    "video": "video",
    "podcast": "podcast",
    "blog": "blog",
}
_TITLE_KINDS = (
    ("statement", ("statement", "déclaration", "declaración")),
    ("media advisory", ("media advisory",)),
    ("opinion editorial", ("op-ed", "opinion editorial")),
    ("speech", ("speech", "address by", "remarks by")),
)


def kind_of(label: str | None, title: str) -> tuple[str, str]:
    """The kind of item and the words that said so."""
    if label:
        found = KINDS.get(label.strip().casefold().rstrip(":"))
        if found:
            return found, label
    head = title.casefold()
    for kind, words in _TITLE_KINDS:
        for word in words:
            if head.startswith((word, f"ilo {word}", f"joint {word}")):
                return kind, word
    return "news", ""


def tag(raw: RawItem) -> Item:
    """Tag one raw item. Credits and alt text are never read."""
    evidence: list[Evidence] = []
    text_for_language = " ".join(p for p in (raw.title, raw.summary, raw.body[:2000]) if p)
    if raw.language in {"en", "fr", "es"}:
        language, words = raw.language, "given by the record"
    else:
        language, words = detect(text_for_language)
    evidence.append(Evidence("language", language, "text", words))

    topics = _topics(raw, language, evidence)
    codes, regions = _places(raw, evidence)
    names = tuple(gazetteer().name(code) for code in codes)
    kind, kind_words = kind_of(raw.label, raw.title)
    if kind_words:
        evidence.append(Evidence("kind", kind, "label" if raw.label else "title", kind_words))
    if raw.date is not None:
        evidence.append(
            Evidence("date", raw.date.isoformat(), raw.date_precision or "day", raw.date_text)
        )
    return Item(
        id=item_id(raw.title, raw.date, raw.url),
        title=raw.title,
        summary=raw.summary,
        body=raw.body,
        date=raw.date,
        date_precision=raw.date_precision,
        label=raw.label,
        kind=kind,
        topics=topics,
        country_codes=codes,
        countries=names,
        regions=regions,
        language=language,
        url=raw.url,
        source=f"{raw.source}:{raw.line}" if raw.line else raw.source,
        evidence=tuple(evidence),
    )


def _topics(raw: RawItem, language: str, evidence: list[Evidence]) -> tuple[str, ...]:
    vocab = vocabulary()
    if raw.topics:
        given = []
        for value in raw.topics:
            name = value.strip().casefold()
            if name in vocab.topics and name not in given:
                given.append(name)
                evidence.append(Evidence("topic", name, "record", value))
        return tuple(sorted(given))
    scores: dict[str, float] = {}
    found: dict[str, list[tuple[str, str]]] = {}
    for source, text, factor in (
        ("heading", raw.heading, THRESHOLD),
        ("label", raw.label or "", THRESHOLD),
        ("title", raw.title, TITLE_WEIGHT),
        ("summary", raw.summary, 1.0),
        ("body", raw.body[:5000], 0.5),
    ):
        if not text:
            continue
        lang = "en" if source in {"heading", "label"} and language == "en" else language
        for hit in vocab.find(text, lang):
            weight = (
                THRESHOLD
                if source in {"heading", "label"} and hit.weight >= THRESHOLD
                else (hit.weight * factor)
            )
            scores[hit.topic] = scores.get(hit.topic, 0.0) + weight
            found.setdefault(hit.topic, []).append((source, hit.text))
    chosen = sorted(t for t, score in scores.items() if score >= THRESHOLD - 1e-9)
    for topic in chosen:
        seen = set()
        for source, words in found[topic]:
            if (source, words) not in seen:
                seen.add((source, words))
                evidence.append(Evidence("topic", topic, source, words))
    return tuple(chosen)


def _places(raw: RawItem, evidence: list[Evidence]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    gaz = gazetteer()
    codes: list[str] = []
    regions: list[str] = []
    if raw.countries:
        for value in raw.countries:
            code = gaz.code_for(value)
            if code and code not in codes:
                codes.append(code)
                evidence.append(Evidence("country", code, "record", value))
    else:
        for source, text in (("title", raw.title), ("summary", raw.summary)):
            mentions, excluded = gaz.find(text)
            for mention in mentions:
                if mention.is_region:
                    if mention.code not in regions:
                        regions.append(mention.code)
                        evidence.append(Evidence("region", mention.code, source, mention.text))
                elif mention.code not in codes:
                    codes.append(mention.code)
                    evidence.append(Evidence("country", mention.code, source, mention.text))
            for skip in excluded:
                evidence.append(
                    Evidence("excluded", skip.code, source, f"{skip.text} ({skip.reason})")
                )
    for code in codes:
        region = gaz.region_of.get(code)
        if region and region not in regions:
            regions.append(region)
            evidence.append(Evidence("region", region, "country", code))
    ordered_regions = tuple(r for r in REGIONS if r in regions)
    return tuple(codes), ordered_regions
