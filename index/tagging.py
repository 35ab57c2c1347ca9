"""Tagging: a raw item becomes an indexed item with topics, places, language, kind, evidence."""

from __future__ import annotations

import re

from newsearch.index.item import Evidence, Item, RawItem, item_id
from newsearch.index.kinds import KINDS
from newsearch.index.language import detect
from newsearch.index.places import CITY, DEMONYM, NAME, PLACE, REGIONS, Mention, gazetteer
from newsearch.index.topics import (
    THRESHOLD,
    TITLE_WEIGHT,
    WEAK,
    organisation_names,
    vocabulary,
    without_organisations,
)

_TITLE_KINDS = (
    ("statement", ("statement", "déclaration", "declaración")),
    ("media advisory", ("media advisory",)),
    ("opinion editorial", ("op-ed", "opinion editorial")),
    ("speech", ("speech", "address by", "remarks by")),
)
_KIND_WORDS = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(k) for k in sorted(KINDS, key=len, reverse=True))
    + r")(?![\w-])"
)
# A cited ILO instrument: "Convention, 2007 (No. 188)", "Convention No. 189", "Protocol of 2014".
_INSTRUMENT = re.compile(
    r"\b(?:Convention|Protocol|Recommendation|Convenio|Protocolo|Recomendación|Protocole|"
    r"Recommandation)\b[^.;]{0,40}?\((?:No|Nº|N°|n°|núm)\.?\s*\d{2,3}\)|"
    r"\b(?:Convention|Convenio|Protocol|Protocole|Protocolo)\s+(?:No\.?|n[º°o]\.?|núm\.)\s*\d{2,3}\b|"
    r"\b(?:Protocol|Protocole|Protocolo)\s+(?:of|de|del)\s+(?:19|20)\d\d\b|"
    r"\bConvention,\s+(?:19|20)\d\d\b|\bC\d{2,3}\b(?![\w-])"
)
# Nouns for people at work, to read "Kenyan domestic workers" or "trabajadores bolivianos".
_WORKERS = re.compile(
    r"\b(?:workers?|labou?rers?|fishers|fishermen|seafarers|crews?|nurses|caregivers|maids|"
    r"nationals|women|girls|returnees|employees|travailleu(?:r|rs|se|ses)|ouvri(?:er|ers|ère|ères)|"
    r"pêcheurs|marins|ressortissant(?:e|s|es)?|employées?|trabajador(?:a|es|as)?|"
    r"temporer(?:o|a|os|as)|jornaler(?:o|a|os|as)|pescadores|tripulantes|empleadas?|nacionales)\b",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?;]+")
# "... workers from West Africa", "trabajadores procedentes de Nicaragua": where workers come from.
_FROM = re.compile(
    r"\b(?:from|originaires? d[eu']|venu(?:e|s|es)? d[eu']|procedentes de|provenientes de|"
    r"oriund[oa]s de)\s*(?:the\s+|l[ae]\s+|l['’])?$",
    re.I,
)


OUTSIDE_VOCABULARY = "record (not in the topic vocabulary)"
OUTSIDE_GAZETTEER = "record (not in the gazetteer)"


def given_value(value: str) -> str:
    """A topic or place as a record gave it, fit to be a facet value (no commas, one space)."""
    return " ".join(value.replace(",", " ").split())


def kind_of(label: str | None, title: str, kicker: str | None = None) -> tuple[str, str]:
    """The kind of item and the words that said so: its label, else its kicker, else its title."""
    for named in (label, kicker):
        if not named:
            continue
        folded = named.strip().casefold().rstrip(":")
        found = KINDS.get(folded)
        if found:
            return found, named
        words = _KIND_WORDS.search(folded)
        if words and len(folded.split()) <= 4:
            return KINDS[words.group(1)], named
    head = title.casefold()
    for kind, words_ in _TITLE_KINDS:
        for word in words_:
            if head.startswith((word, f"ilo {word}", f"joint {word}")):
                return kind, word
    return "news", ""


def tag(raw: RawItem) -> Item:
    """Tag one raw item. Credits, alt text, datelines and the listing heading are never evidence."""
    evidence: list[Evidence] = []
    text_for_language = " ".join(p for p in (raw.title, raw.summary, raw.body[:2000]) if p)
    if raw.language and re.fullmatch(r"[a-z]{2}", raw.language):
        language, words = raw.language, "given by the record"
    else:
        language, words = detect(text_for_language)
    evidence.append(Evidence("language", language, "text", words))

    mentions, codes, regions = _places(raw, evidence, language)
    topics = _topics(raw, language, evidence, mentions)
    names = tuple(gazetteer().name(code) for code in codes)
    kind, kind_words = kind_of(raw.label, raw.title, raw.kicker)
    if kind_words:
        source = (
            "label"
            if kind_words == raw.label
            else "kicker"
            if kind_words == raw.kicker
            else "title"
        )
        evidence.append(Evidence("kind", kind, source, kind_words))
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
        kicker=raw.kicker or None,
        listed_under=raw.heading or None,
        topics=topics,
        country_codes=codes,
        countries=names,
        regions=regions,
        language=language,
        url=raw.url,
        source=f"{raw.source}:{raw.line}" if raw.line else raw.source,
        evidence=tuple(evidence),
    )


def _topics(
    raw: RawItem, language: str, evidence: list[Evidence], mentions: list[Mention]
) -> tuple[str, ...]:
    vocab = vocabulary()
    if raw.topics:
        given = []
        for value in raw.topics:
            name = given_value(value).casefold()
            if name and name not in given:
                given.append(name)
                # kept as given; the evidence says when it is outside the vocabulary
                source = "record" if name in vocab.topics else OUTSIDE_VOCABULARY
                evidence.append(Evidence("topic", name, source, value))
        return tuple(sorted(given))
    scores: dict[str, float] = {}
    strongest: dict[str, float] = {}
    found: dict[str, list[tuple[str, str]]] = {}

    def score(topic: str, weight: float, source: str, words: str, base: float) -> None:
        scores[topic] = scores.get(topic, 0.0) + weight
        strongest[topic] = max(strongest.get(topic, 0.0), base)
        found.setdefault(topic, []).append((source, words))

    # The listing heading is a fact about the listing (``listed_under``), not about the item.
    for source, text, factor in (
        ("label", raw.label or "", THRESHOLD),
        ("kicker", raw.kicker, THRESHOLD),
        ("title", raw.title, TITLE_WEIGHT),
        ("summary", raw.summary, 1.0),
        ("body", raw.body[:5000], 0.5),
    ):
        if not text:
            continue
        for name in organisation_names(text):
            evidence.append(Evidence("excluded", "topic", source, f"{name} (organisation name)"))
        text = without_organisations(text)
        lang = "en" if source in {"kicker", "label"} and language == "en" else language
        for hit in vocab.find(text, lang):
            weight = (
                THRESHOLD
                if source in {"kicker", "label"} and hit.weight >= THRESHOLD
                else (hit.weight * factor)
            )
            score(hit.topic, weight, source, hit.text, hit.weight)
        if source in {"title", "summary", "body"}:
            for match in _INSTRUMENT.finditer(text):
                score("international labour standards", THRESHOLD, source, match.group(), THRESHOLD)
    for source, words in _foreign_workers(raw, mentions):
        score("labour migration", THRESHOLD, source, words, THRESHOLD)
    # Weak words never add up to a topic: one phrase found must weigh at least WEAK.
    chosen = sorted(
        t
        for t, value in scores.items()
        if value >= THRESHOLD - 1e-9 and strongest[t] >= WEAK - 1e-9 and t in vocab.topics
    )
    for topic in chosen:
        seen = set()
        for source, words in found[topic]:
            if (source, words) not in seen:
                seen.add((source, words))
                evidence.append(Evidence("topic", topic, source, words))
    return tuple(chosen)


def _foreign_workers(raw: RawItem, mentions: list[Mention]) -> list[tuple[str, str]]:
    """Workers of one nationality placed in another named country: labour migration.

    "Kenyan domestic workers ... in Saudi Arabia", "Temporeras marroquíes ... de Huelva": the
    nationality word must stand next to a word for workers, and the other country must be named
    (not only as a nationality) in the same sentence.
    """
    out: list[tuple[str, str]] = []
    for source, text in (("title", raw.title), ("summary", raw.summary)):
        here = [m for m in mentions if m.source == source]
        for sentence in _SENTENCE.finditer(text):
            inside = [m for m in here if sentence.start() <= m.start < sentence.end()]
            for nationality in (m for m in inside if m.form == DEMONYM):
                near = (
                    text[max(sentence.start(), nationality.start - 30) : nationality.start],
                    text[nationality.start + len(nationality.text) : nationality.start + 40],
                )
                if not (
                    _WORKERS.search(" ".join(near[0].split()[-3:]))
                    or _WORKERS.search(" ".join(near[1].split()[:3]))
                ):
                    continue
                for place in inside:
                    if (
                        not place.is_region
                        and place.form in {NAME, PLACE, CITY}
                        and place.code != nationality.code
                    ):
                        out.append((source, f"{nationality.text} … {place.text}"))
                        break
            for origin in inside:
                if origin.form == DEMONYM or not _FROM.search(
                    text[max(sentence.start(), origin.start - 12) : origin.start]
                ):
                    continue
                lead = text[max(sentence.start(), origin.start - 60) : origin.start]
                if not _WORKERS.search(" ".join(lead.split()[-5:])):
                    continue
                for place in (*inside, *(m for m in mentions if m.source == "title")):
                    if place.is_region or place.form not in {NAME, PLACE, CITY}:
                        continue
                    region = gazetteer().region_of.get(place.code)
                    if (region != origin.code) if origin.is_region else (place.code != origin.code):
                        out.append((source, f"{origin.text} … {place.text}"))
                        break
    return out


def _places(
    raw: RawItem, evidence: list[Evidence], language: str = ""
) -> tuple[list[Mention], tuple[str, ...], tuple[str, ...]]:
    gaz = gazetteer()
    codes: list[str] = []
    regions: list[str] = []
    mentions: list[Mention] = []
    if raw.countries:
        for value in raw.countries:
            code = gaz.code_for(value)
            source = "record"
            if code is None:  # a place outside the gazetteer: kept under its own name
                code, source = given_value(value), OUTSIDE_GAZETTEER
            if code and code not in codes:
                codes.append(code)
                evidence.append(Evidence("country", code, source, value))
    else:
        mentions, excluded = gaz.locate([("title", raw.title), ("summary", raw.summary)], language)
        for mention in mentions:
            if mention.is_region:
                if mention.code not in regions:
                    regions.append(mention.code)
                    evidence.append(Evidence("region", mention.code, mention.source, mention.text))
            elif mention.code not in codes:
                codes.append(mention.code)
                evidence.append(Evidence("country", mention.code, mention.source, mention.text))
        for skip in excluded:
            evidence.append(
                Evidence("excluded", skip.code, skip.source, f"{skip.text} ({skip.reason})")
            )
        # Places in parts that are never read, shown so a reader can see why they do not count.
        for source, text, why in (
            ("alt", raw.alt, "image alt text"),
            ("credit", raw.credit, "photo credit"),
            ("dateline", raw.dateline, "dateline, the place of publication"),
        ):
            if not text:
                continue
            seen, skipped = gaz.find(text)
            places = [(m.code, m.text) for m in seen] + [(e.code, e.text) for e in skipped]
            for code, words in places:
                if code and code not in codes and code not in regions:
                    evidence.append(Evidence("excluded", code, source, f"{words} ({why})"))
    for code in codes:
        region = gaz.region_of.get(code)
        if region and region not in regions:
            regions.append(region)
            evidence.append(Evidence("region", region, "country", code))
    ordered_regions = tuple(r for r in REGIONS if r in regions)
    return mentions, tuple(codes), ordered_regions
