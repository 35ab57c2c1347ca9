"""Countries and ILO regions: the gazetteer, and finding the places an item is about."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

# Languages whose country names come from pycountry's translations (ISO 639-1 -> locale).
LOCAL_NAMES = {"de": "de", "it": "it", "pt": "pt", "ru": "ru", "ar": "ar", "zh": "zh_CN"}
REGIONS = ("Africa", "Americas", "Arab States", "Asia and the Pacific", "Europe and Central Asia")
DATA = Path(__file__).with_name("data") / "places.json"

# Kinds of name the gazetteer knows; OTHER is a name that never gives a place (a venue city).
NAME, DEMONYM, PLACE, CITY, AMBIGUOUS, REGION, OTHER = (
    "name",
    "demonym",
    "place",
    "city",
    "ambiguous",
    "region",
    "other",
)

# What opens a clause naming who pays for a project; the clause runs to the end of its phrase.
_DONOR = re.compile(
    r"\b(?:(?:co-?)?(?:funded|financed|sponsored|bankrolled|paid for)\s+(?:\w+\s+)?by|"
    r"(?:funding|funds|financing|grants?|donations?|contributions?|money)\s+(?:\w+\s+)?from|"
    r"supported (?:financially )?by|donors?,?\s+(?:such as|including|like|namely)|"
    r"with (?:the )?(?:financial |generous |kind )?(?:support|assistance|funding) (?:of|from)|"
    r"thanks to (?:the )?(?:financial |generous )?(?:support|funding|contributions?) (?:of|from)|"
    r"financ[ée]e?s? par|grâce (?:au|à un) financement d[eu]|avec le (?:soutien|concours|appui) "
    r"(?:financier )?d[eu]|avec l['’]appui (?:financier )?d[eu]|"
    r"financiad[oa]s? por|con (?:el )?(?:apoyo|financiamiento|financiación|aporte) "
    r"(?:financiero )?de|gracias al? (?:apoyo|financiamiento|financiación) de)\b",
    re.I,
)
# ILO office names: "ILO-Brussels", "the ILO Country Office for Indonesia", "Bureau de l'OIT à ..."
_OFFICE = re.compile(
    r"\b(?:ILO|OIT)[-–](?=[A-ZÀ-Þ])|"
    r"\b(?:ILO|OIT)\b(?:['’]s)?(?:\s+[A-Z][\w-]*|\s+and){0,8}?\s+"
    r"(?:Office|Director|Representative|Coordinator|Bureau|Oficina|Directeur|Directrice|Directora)"
    r"(?:\s+(?:régional|regional|de pays|de país|sous-régional|subregional))?"
    r"\s+(?:for|in|to|at|pour|à|en|au|aux|para)\s+|"
    r"\b(?:Bureau|Oficina|Office)(?:\s+(?:régional|regional|de pays|de país|sous-régional))?\s+"
    r"(?:de\s+l['’]OIT|de\s+la\s+OIT)\s+(?:pour|à|en|au|aux|para|en)\s+"
)
# A name that goes on over capitalised words, joined by "and", "of", "the", hyphens.
_NAME_RUN = re.compile(
    r"(?:(?:the|l['’]|la|le|les|el)\s*)?[A-ZÀ-Þ][\w’'.-]*"
    r"(?:(?:\s+(?:and|et|y|of|de|du|des|the|for)\s+|\s+|-)[A-ZÀ-Þ][\w’'.-]*)*"
)
# One more donor in a list after a comma: a name, then another comma or the end of the phrase.
_DONOR_MORE = re.compile(
    r"^,\s*(?:(?:and|et|y)\s+)?(?:" + _NAME_RUN.pattern + r")(?=\s*(?:[,.;:!?]|$))"
)
# Words that say a place is where a meeting was held ("met in", "a conference in").
_MEETING = re.compile(
    r"\b(?:meet(?:s|ing|ings)?|met|(?:was|were|is|are|be|being) held|hosted|conferences?|"
    r"summits?|forums?|ceremon(?:y|ies)|round[- ]tables?|gathered|gathering|convened|congress|"
    r"symposium|speaking|spoke|addressing|réuni(?:e|s|es)?|réunion|conférence|sommet|"
    r"s['’]exprimant|reuni(?:ó|eron|dos|das|ón)|conferencia|cumbre|celebrad[oa]s?|foro)\b"
    r"[^.;:!?]{0,50}?\b(?:in|at|à|en)\s+(?:the\s+)?$",
    re.I,
)
# Verbs that name where something was made public: a venue for a city, not for a province.
_PRESENTED = re.compile(
    r"\b(?:launched|presented|released|unveiled|published|signed|lancé(?:e|s|es)?|présenté(?:e|s|es)?|"
    r"publié(?:e|s|es)?|signé(?:e|s|es)?|lanzad[oa]s?|presentad[oa]s?|publicad[oa]s?|firmad[oa]s?)"
    r"\b[^.;:!?]{0,30}?\b(?:in|at|à|en)\s+$",
    re.I,
)
# A summary that opens with a dateline: "GENEVA (ILO News) –", "JAKARTA, Indonesia –".
_DATELINE = re.compile(
    r"^\s*(?:[A-ZÀ-Þ][A-ZÀ-Þ .'’-]{3,40}(?:,\s*[A-ZÀ-Þ][\w .'’-]{1,40}?)?\s*(?:\([^)]{2,30}\))?|"
    r"[A-ZÀ-Þ][\w .'’-]{1,40}?(?:,\s*[A-ZÀ-Þ][\w .'’-]{1,40}?)?\s*\((?:ILO|OIT)[^)]{0,30}\))"
    r"\s*[-–—:]\s+"
)
# "Japan has funded ...": a donor named before the verb.
_DONOR_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:[Gg]overnment\s+)?(?:has\s+|have\s+|is\s+|will\s+)?"
    r"(?:fund(?:s|ed)|financ(?:es|ed)|donat(?:es|ed)|"
    r"provid(?:es|ed)\s+(?:\w+\s+)?(?:funding|financial support))\b",
)
# A process, declaration or dialogue named after a city: "Colombo Process", "Abu Dhabi Dialogue".
_NAMED_AFTER = re.compile(
    r"^\s+(?:Process|Declaration|Dialogue|Agenda|Call to Action|Principles|Plan of Action|"
    r"Action Plan|Framework|Consensus|Commitments?|Accord|Roadmap|Road Map)\b"
)
# A meeting named after the place it is held in: "the Lisbon Forum", "the Bali Conference".
_MEETING_AFTER = re.compile(
    r"^\s+(?:Forum|Conference|Summit|Congress|Symposium|Meeting|Talks|Workshop|Round ?table|"
    r"Consultation|Expo|Festival)\b"
)
# An organisation or company named after a country: "the Qatar Foundation", "Thai Union".
_ORGANISATION_AFTER = re.compile(
    r"^(?:\s+[A-Z][\w&'’.-]*){0,4}?\s+(?:Foundation|Airways|Airlines|Institute|University|"
    r"Association|Federation|Confederation|Council|Chamber|Company|Corporation|Corp\.?|Bank|"
    r"Ltd\.?|Limited|Group|Trust|Society|Red Cross|Red Crescent|Petroleum|Telecom|Holdings|"
    r"Inc\.?|Union|Unions|Congress of Trade Unions|Employers|Times|Post|Herald|Broadcasting)\b"
)
# One person's nationality: "a Brazilian photographer", "the Nepali economist".
_PERSON_AFTER = re.compile(
    r"^(?:[-\s]+(?:born|based|trained|young|award-winning|renowned|well-known|former|freelance|"
    r"documentary))*\s+(?:photographer|photojournalist|journalist|reporter|artist|writer|author|"
    r"filmmaker|film-maker|director|singer|musician|actor|actress|poet|novelist|economist|expert|"
    r"researcher|scholar|academic|professor|student|lawyer|doctor|activist|athlete|footballer|"
    r"designer|architect|chef|entrepreneur|diplomat|ambassador|consultant|volunteer|blogger|"
    r"influencer|photographe|journaliste|artiste|écrivain|fotógrafo|fotógrafa|periodista|"
    r"artista|escritor|escritora)\b",
    re.I,
)
# The city of an ILO office or of an official's post: "works for the ILO in Lima".
_ILO_POST = re.compile(
    r"\b(?:ILO|OIT|OIL)\b(?:['’]s)?[^.;:!?]{0,40}?\b(?:in|at|en|à|a|based in)\s+(?:the\s+)?$",
    re.I,
)
# Words that may stand in a hyphenated compound with a country: "EU-Thailand", "franco-marocaine".
_COMPOUND_PARTS = {
    "eu": "",
    "un": "",
    "asean": "",
    "au": "",
    "gcc": "",
    "franco": "FRA",
    "sino": "CHN",
    "russo": "RUS",
    "germano": "DEU",
    "italo": "ITA",
    "luso": "PRT",
    "nippo": "JPN",
    "belgo": "BEL",
    "turco": "TUR",
    "greco": "GRC",
}
_COMPOUND = re.compile(r"(?<![\w-])[^\W\d_]+(?:-[^\W\d_]+)+(?![\w-])")
_SEA_AFTER = re.compile(r"^\s+(?:Ocean|Sea)\b")
_SEA_BEFORE = re.compile(
    r"\b(?:océan|oceano|océano|mer|mar|Sea|Ocean)\s+(?:of\s+|de\s+|du\s+)?$", re.I
)
_LANGUAGE_AFTER = re.compile(
    r"^(?:\s*-?\s*(?:speaking|speakers?|languages?|versions?|translations?|editions?|subtitles?|"
    r"text|parlant|hablantes?|idioma|langue))\b",
    re.I,
)
_LIST_END = re.compile(r"^(?:\s*(?:[,.;:)!?]|$)|\s+(?:and|or|et|ou|y|o)\b)")
_PLACE_NOUNS = {
    "Valley",
    "River",
    "Basin",
    "Lake",
    "Sea",
    "Delta",
    "Highlands",
    "Republic",
    "State",
    "Government",
    "Ministry",
    "Labour",
    "Labor",
    "National",
    "Office",
    "Country",
    "Post",
    "Times",
}


@dataclass(frozen=True)
class Mention:
    """A place named in a text: the country code (or region), the words, and where they stand."""

    code: str  # ISO 3166-1 alpha-3, or a region name when ``is_region``
    text: str
    start: int
    is_region: bool = False
    source: str = ""  # the field it was found in: "title", "summary", ...
    form: str = NAME  # name | demonym | place | city | ambiguous | region


@dataclass(frozen=True)
class Exclusion:
    """A mention that was found but does not count, and why."""

    code: str
    text: str
    reason: str
    source: str = ""


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    words: str
    code: str
    form: str
    candidates: tuple[str, ...] = ()


class Gazetteer:
    """Names, official names, nationality words, provinces, cities and region words, in text."""

    def __init__(self, data: dict[str, Any]) -> None:
        import pycountry

        self.region_of: dict[str, str] = dict(data["regions"])
        self.names: dict[str, str] = dict(data.get("extra_countries", {}))  # alpha-3 -> name
        forms: dict[str, str] = {}
        kinds: dict[str, str] = {}
        for country in pycountry.countries:
            code = country.alpha_3
            self.names[code] = getattr(country, "common_name", None) or country.name
            for form in (
                country.name,
                getattr(country, "official_name", None),
                getattr(country, "common_name", None),
            ):
                if form and "," not in form and "(" not in form:
                    forms[form] = code
                    kinds[form] = NAME
        for key, kind in (
            ("aliases", NAME),
            ("fr_names", NAME),
            ("es_names", NAME),
            ("demonyms", DEMONYM),
            ("subnational", PLACE),
            ("cities", CITY),
        ):
            for form, code in data.get(key, {}).items():
                forms[form] = code
                kinds[form] = kind
        self.ambiguous: dict[str, tuple[str, ...]] = {
            form: tuple(codes) for form, codes in data.get("ambiguous", {}).items()
        }
        self.folded_forms: dict[str, str] = {}
        for key in ("fr_demonyms", "es_demonyms"):
            self.folded_forms.update({k.casefold(): v for k, v in data.get(key, {}).items()})
        self.region_words: dict[str, str] = dict(data.get("region_words", {}))
        self.venues: frozenset[str] = frozenset(data.get("venues", []))
        self.given_names: frozenset[str] = frozenset(data.get("given_names", []))
        self.languages: frozenset[str] = frozenset(w.casefold() for w in data.get("languages", []))
        self.not_places: frozenset[str] = frozenset(data.get("not_places", []))
        self.forms = forms
        self.kinds = kinds
        self._pattern = _alternation(
            [*forms, *self.region_words, *self.ambiguous, *self.not_places, *self.venues], flags=0
        )
        # Official names of two words or more are recognised in any case ("Republic Of Korea").
        for form, code in forms.items():
            if kinds.get(form) == NAME and len(form.split()) >= 2:
                self.folded_forms.setdefault(form.casefold(), code)
        self._lower_pattern = _alternation(list(self.folded_forms), flags=re.I)
        self._venue_before = (
            re.compile(r"(?:^|\W)(?:" + "|".join(map(re.escape, sorted(self.venues))) + r"),\s*$")
            if self.venues
            else None
        )
        self._language_before = re.compile(
            r"(?:\b(?:in|into|en)\s+|(?:"
            + "|".join(re.escape(w) for w in sorted(self.languages))
            + r")(?:\s*,\s*|\s+(?:and|or|et|ou|y|o)\s+))$",
            re.I,
        )

    @cached_property
    def _local(self) -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
        """Country names in other languages (from pycountry's translations), matched only in
        items of that language, so a German "Island" never tags Iceland in English text."""
        import gettext

        import pycountry

        out: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}
        for language, locale in LOCAL_NAMES.items():
            try:
                translation = gettext.translation(
                    "iso3166-1", pycountry.LOCALES_DIR, languages=[locale]
                )
            except OSError:
                continue
            names: dict[str, str] = {}
            for country in pycountry.countries:
                for english in (country.name, getattr(country, "common_name", None)):
                    if english:
                        local = translation.gettext(english)
                        if (local != english or language in {"de", "it", "pt"}) and not (
                            "," in local or "(" in local
                        ):
                            names.setdefault(local, country.alpha_3)
            keys = sorted(names, key=len, reverse=True)
            body = "|".join(re.escape(k) for k in keys)
            if language == "zh":
                pattern = re.compile(f"(?:{body})")
            elif language == "ru":
                stems = {re.sub("[аяеиоуыьй]$", "", k): k for k in keys}
                names.update({s: names[k] for s, k in stems.items()})
                alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
                pattern = re.compile(rf"(?<![\w-])(?:{alternatives})[а-яё]{{0,3}}(?![\w-])")
            elif language == "ar":
                pattern = re.compile(rf"(?<!\w)[وبلف]?(?:{body})(?!\w)")
            else:
                pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
            out[language] = (pattern, names)
        return out

    def _local_hits(self, text: str, language: str) -> list[_Hit]:
        found = self._local.get(language)
        if found is None:
            return []
        pattern, names = found
        hits = []
        for match in pattern.finditer(text):
            words = match.group()
            code = names.get(words)
            if code is None:
                code = next(
                    (c for n, c in sorted(names.items(), key=lambda x: -len(x[0])) if n in words),
                    None,
                )
            if code:
                hits.append(_Hit(match.start(), match.end(), words, code, NAME))
        return hits

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def code_for(self, value: str) -> str | None:
        """Resolve a user's country (name, alpha-2 or alpha-3 code, any case) to alpha-3."""
        text = value.strip()
        if not text:
            return None
        upper = text.upper()
        if upper in self.names:
            return upper
        if self.kinds.get(text) == NAME:  # "UK", "USA": a name before any code
            return self.forms[text]
        import pycountry

        folded = text.casefold()
        if len(text) == 2:
            found = pycountry.countries.get(alpha_2=upper)
            if found:
                return str(found.alpha_3)
            return next((c for f, c in self.forms.items() if f.casefold() == folded), None)
        for form, code in self.forms.items():
            if form.casefold() == folded:
                return code
        plain = _plain(text)  # "Cote d'Ivoire", "Turkiye": without accents or odd quotes
        for form, code in self.forms.items():
            if self.kinds[form] == NAME and _plain(form) == plain:
                return code
        for code, name in self.names.items():
            if name.casefold() == folded:
                return code
        if folded in self.folded_forms:
            return self.folded_forms[folded]
        try:
            return str(pycountry.countries.lookup(text).alpha_3)
        except LookupError:
            return None

    # -- finding places -------------------------------------------------------------------

    def find(self, text: str, language: str = "") -> tuple[list[Mention], list[Exclusion]]:
        """Every country and region named in ``text`` that counts, and those that do not."""
        return self.locate([("", text)], language)

    def locate(
        self, parts: Sequence[tuple[str, str]], language: str = ""
    ) -> tuple[list[Mention], list[Exclusion]]:
        """The places named in an item's parts (source, text), read together.

        A name that stands for places in several countries counts only when the item names
        exactly one of those countries in another way.
        """
        mentions: list[Mention] = []
        excluded: list[Exclusion] = []
        pending: list[tuple[str, _Hit]] = []
        for source, text in parts:
            for hit, reason in self._scan(text, dateline=source != "title", language=language):
                if reason:
                    excluded.append(Exclusion(hit.code, hit.words, reason, source))
                elif hit.form == AMBIGUOUS:
                    pending.append((source, hit))
                else:
                    mentions.append(
                        Mention(
                            hit.code,
                            hit.words,
                            hit.start,
                            is_region=hit.form == REGION,
                            source=source,
                            form=hit.form,
                        )
                    )
        known = {m.code for m in mentions if not m.is_region}
        for source, hit in pending:
            matches = [code for code in hit.candidates if code in known]
            if len(matches) == 1:
                mentions.append(Mention(matches[0], hit.words, hit.start, False, source, PLACE))
            else:
                excluded.append(
                    Exclusion(
                        "/".join(hit.candidates),
                        hit.words,
                        "place name shared by several countries, not settled by the item",
                        source,
                    )
                )
        return mentions, excluded

    def _hits(self, text: str, language: str = "") -> list[_Hit]:
        hits: list[_Hit] = []
        for match in self._pattern.finditer(text):
            words = match.group()
            if words in self.region_words:
                hits.append(
                    _Hit(match.start(), match.end(), words, self.region_words[words], REGION)
                )
            elif words in self.ambiguous:
                codes = self.ambiguous[words]
                hits.append(_Hit(match.start(), match.end(), words, "", AMBIGUOUS, codes))
            elif words in self.not_places or words in self.venues:
                hits.append(_Hit(match.start(), match.end(), words, "", OTHER))
            else:
                hits.append(
                    _Hit(
                        match.start(),
                        match.end(),
                        words,
                        self.forms[words],
                        self.kinds.get(words, NAME),
                    )
                )
        taken = [(h.start, h.end) for h in hits]
        for match in self._lower_pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            words = match.group()
            hits.append(
                _Hit(
                    match.start(),
                    match.end(),
                    words,
                    self.folded_forms[words.casefold()],
                    DEMONYM,
                )
            )
        hits.extend(self._compound_hits(text, [(h.start, h.end) for h in hits]))
        if language in LOCAL_NAMES:
            spans = [(h.start, h.end) for h in hits]
            hits.extend(
                h
                for h in self._local_hits(text, language)
                if not any(a < h.end and h.start < b for a, b in spans)
            )
        return sorted(hits, key=lambda h: h.start)

    def _compound_hits(self, text: str, taken: list[tuple[int, int]]) -> list[_Hit]:
        """Countries inside hyphenated compounds whose every part is a place or nationality:
        "Thai-Cambodian border", "EU-Thailand dialogue", "franco-marocaine" (not "Brazil-nut")."""
        out: list[_Hit] = []
        for match in _COMPOUND.finditer(text):
            parts: list[tuple[int, str, str, str]] = []  # start, words, code, form
            position = match.start()
            for part in match.group().split("-"):
                code, form = self._part(part)
                if code is None:
                    break
                parts.append((position, part, code, form))
                position += len(part) + 1
            else:
                for start, words, code, form in parts:
                    end = start + len(words)
                    if code and not any(a < end and start < b for a, b in taken):
                        out.append(_Hit(start, end, words, code, form))
        return out

    def _part(self, part: str) -> tuple[str | None, str]:
        """The country (or "" for a union such as the EU) one part of a compound names."""
        folded = part.casefold()
        if folded in _COMPOUND_PARTS:
            return _COMPOUND_PARTS[folded], DEMONYM
        if part in self.forms and self.kinds.get(part) in {NAME, DEMONYM}:
            return self.forms[part], self.kinds.get(part, NAME)
        capital = part[:1].upper() + part[1:]
        if capital in self.forms and self.kinds.get(capital) == DEMONYM:
            return self.forms[capital], DEMONYM
        if folded in self.folded_forms:
            return self.folded_forms[folded], DEMONYM
        return None, ""

    def _scan(self, text: str, dateline: bool = True, language: str = "") -> list[tuple[_Hit, str]]:
        """Each place-like name in ``text``, with the reason it does not count ('' if it does)."""
        donors = _donor_spans(text)
        offices = _office_spans(text)
        venues = self._meeting_spans(text)
        opening = _DATELINE.match(text) if dateline else None
        out: list[tuple[_Hit, str]] = []
        for hit in self._hits(text, language):
            if hit.form == OTHER:
                continue  # a venue city or a name that only looks like a country
            before = text[max(0, hit.start - 60) : hit.start]
            after = text[hit.end : hit.end + 40]
            reason = ""
            if any(a <= hit.start < b for a, b in offices):
                reason = "ILO office name"
            elif any(a <= hit.start < b for a, b in donors) or (
                hit.form in {NAME, DEMONYM} and _DONOR_AFTER.match(after)
            ):
                reason = "donor or funder"
            elif opening and hit.end <= opening.end():
                reason = "dateline (place of publication)"
            elif hit.form != REGION and (_SEA_AFTER.match(after) or _SEA_BEFORE.search(before)):
                reason = "part of the name of a sea or ocean"
            elif hit.form == REGION:
                reason = ""
            elif hit.form in {PLACE, CITY, AMBIGUOUS} and _NAMED_AFTER.match(after):
                reason = "name of a process or declaration, not a place"
            elif hit.form in {PLACE, CITY, AMBIGUOUS} and _MEETING_AFTER.match(after):
                reason = "where a meeting was held (a meeting named after its venue)"
            elif hit.form in {NAME, DEMONYM, PLACE} and _ORGANISATION_AFTER.match(after):
                reason = "name of an organisation or company, not the subject"
            elif hit.form == DEMONYM and _PERSON_AFTER.match(after):
                reason = "one person's nationality, not the subject"
            elif hit.form == CITY and _ILO_POST.search(before):
                reason = "city of an ILO office or an official's post"
            elif after.startswith("$") or (hit.words.isupper() and after[:1] in {"$", "€", "£"}):
                reason = "currency, not a country"
            elif self._is_language(hit, before, after):
                reason = "name of a language"
            elif self._is_given_name(hit, before, after):
                reason = "part of a person's name"
            elif any(
                a <= hit.start < b
                and (hit.form in {PLACE, CITY, AMBIGUOUS} if not second else hit.end == b)
                for a, b, second in venues
            ) or (hit.form == CITY and _PRESENTED.search(before)):
                reason = "where a meeting was held"
            elif self._venue_before is not None and self._venue_before.search(before):
                reason = "country of a meeting venue"
            elif (hit.start > 0 and text[hit.start - 1] in "@/#") or after[:1] == "@":
                reason = "part of an address or handle"
            out.append((hit, reason))
        return out

    def _is_language(self, hit: _Hit, before: str, after: str) -> bool:
        if hit.form != DEMONYM or hit.words.casefold() not in self.languages:
            return False
        if _LANGUAGE_AFTER.match(after):
            return True
        return bool(self._language_before.search(before)) and bool(_LIST_END.match(after))

    def _is_given_name(self, hit: _Hit, before: str, after: str) -> bool:
        if hit.words not in self.given_names:
            return False
        following = re.match(r"^\s+([A-Z][a-z]{2,})\b", after)
        if following is None or following.group(1) in _PLACE_NOUNS:
            return False
        return following.group(1) not in self.forms and following.group(1) not in self.region_words

    def _meeting_spans(self, text: str) -> list[tuple[int, int, bool]]:
        """Where a meeting was held: the place after "met in", and a country after "City, "."""
        spans: list[tuple[int, int, bool]] = []
        for match in _NAME_RUN.finditer(text):
            if not _MEETING.search(text[max(0, match.start() - 80) : match.start()]):
                continue
            spans.append((match.start(), match.end(), False))
            more = re.match(
                r",\s*(?:the\s+)?([A-ZÀ-Þ][^,.;:!?()]{0,40}?)(?=\s*(?:[,.;:!?()]|$))",
                text[match.end() :],
            )
            if more:
                start = match.end() + more.start(1)
                spans.append((start, match.end() + more.end(1), True))
        return spans


def _donor_spans(text: str) -> list[tuple[int, int]]:
    """The clauses that name who funds: from the trigger to the end of the phrase."""
    spans = []
    for match in _DONOR.finditer(text):
        end = match.end()
        stop = re.search(r"[,.;:!?]|\s[-–—]\s|\bwhich\b|\bwho\b|\bto\s+(?!the\b)\w+", text[end:])
        end = end + stop.start() if stop else len(text)
        while True:
            more = _DONOR_MORE.match(text[end:])
            if not more:
                break
            end += more.end()
        spans.append((match.start(), end))
    return spans


def _office_spans(text: str) -> list[tuple[int, int]]:
    """ILO office names with the place they are named after."""
    spans = []
    for match in _OFFICE.finditer(text):
        run = _NAME_RUN.match(text, match.end())
        spans.append((match.start(), run.end() if run else match.end()))
    return spans


def _alternation(forms: list[str], flags: int) -> re.Pattern[str]:
    """One pattern for many names, built as a character trie: fast, and longest names first."""
    names = {f.casefold() if flags & re.I else f for f in forms if f}
    if not names:
        return re.compile(r"(?!x)x")
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}
    # Not inside a longer word or hyphenated name; a possessive "'s" may follow.
    return re.compile(rf"(?<![\w-])(?:{_trie_pattern(trie)})(?![\w-]|['’](?!s\b)\w)", flags)


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


@lru_cache(maxsize=4096)  # bounded: records may give any number of their own places
def country_name(code: str) -> str:
    """The English short name of an alpha-3 code ("IDN" -> "Indonesia"); a value that is not
    a code (a place a record gave outside the gazetteer) is its own name."""
    import pycountry

    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is None:
        return gazetteer().names.get(code, code)
    return str(getattr(country, "common_name", None) or country.name)


def _plain(text: str) -> str:
    """A name without accents, apostrophes, dots or case, for comparing spellings."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s'’.-]+", " ", kept).strip().casefold()


@cache
def gazetteer() -> Gazetteer:
    """The built-in gazetteer, loaded once."""
    with DATA.open(encoding="utf-8") as handle:
        return Gazetteer(json.load(handle))
