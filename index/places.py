"""Countries and ILO regions: the gazetteer, and finding the places an item is about."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REGIONS = ("Africa", "Americas", "Arab States", "Asia and the Pacific", "Europe and Central Asia")
DATA = Path(__file__).with_name("data") / "places.json"

# A mention inside one of these clauses names a donor, not what the item is about.
_DONOR = re.compile(
    r"\b(?:fund(?:ed|ing)|financ(?:ed|ing)|sponsor(?:ed|ship)|donor|donat(?:ed|ion)|grant|"
    r"with (?:the )?(?:financial |generous )?support (?:of|from)|supported by|contribution from|"
    r"financé|financiado|con el apoyo de|avec le soutien de|thanks to)\b[^.;:!?]*",
    re.I,
)
_OFFICE = re.compile(r"\bILO[-–]\s?$|\bILO (?:Office (?:for|in) (?:the )?)?$")


@dataclass(frozen=True)
class Mention:
    """A place named in a text: the country code (or region), the words, and where they stand."""

    code: str  # ISO 3166-1 alpha-3, or a region name when ``is_region``
    text: str
    start: int
    is_region: bool = False


@dataclass(frozen=True)
class Exclusion:
    """A mention that was found but does not count, and why."""

    code: str
    text: str
    reason: str


class Gazetteer:
    """Names, official names, nationality words, provinces and region words, matched in text."""

    def __init__(self, data: dict[str, Any]) -> None:
        import pycountry

        self.region_of: dict[str, str] = dict(data["regions"])
        self.names: dict[str, str] = {}  # alpha-3 -> English short name
        forms: dict[str, str] = {}
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
        for key in ("aliases", "demonyms", "subnational", "fr_names", "es_names"):
            forms.update(data.get(key, {}))
        self.folded_forms: dict[str, str] = {}
        for key in ("fr_demonyms", "es_demonyms"):
            self.folded_forms.update({k.casefold(): v for k, v in data.get(key, {}).items()})
        self.region_words: dict[str, str] = dict(data.get("region_words", {}))
        self.venues: frozenset[str] = frozenset(data.get("venues", []))
        self.forms = forms
        self._pattern = _alternation(list(forms) + list(self.region_words), flags=0)
        self._lower_pattern = _alternation(list(self.folded_forms), flags=re.I)

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
        import pycountry

        if len(text) == 2:
            found = pycountry.countries.get(alpha_2=upper)
            return found.alpha_3 if found else None
        folded = text.casefold()
        for form, code in self.forms.items():
            if form.casefold() == folded:
                return code
        for code, name in self.names.items():
            if name.casefold() == folded:
                return code
        try:
            return str(pycountry.countries.lookup(text).alpha_3)
        except LookupError:
            return None

    def find(self, text: str) -> tuple[list[Mention], list[Exclusion]]:
        """Every country and region named in ``text`` that counts, and those that do not."""
        donors = [(m.start(), m.end()) for m in _DONOR.finditer(text)]
        mentions: list[Mention] = []
        excluded: list[Exclusion] = []
        matches = [
            (m.start(), m.group(), self.forms.get(m.group()), self.region_words.get(m.group()))
            for m in self._pattern.finditer(text)
        ]
        matches += [
            (m.start(), m.group(), self.folded_forms[m.group().casefold()], None)
            for m in self._lower_pattern.finditer(text)
        ]
        for start, words, code, region in sorted(matches):
            if region:
                mentions.append(Mention(region, words, start, is_region=True))
                continue
            if code is None:
                continue
            before = text[max(0, start - 40) : start]
            if _OFFICE.search(before):
                excluded.append(Exclusion(code, words, "ILO office name"))
            elif any(a <= start < b for a, b in donors):
                excluded.append(Exclusion(code, words, "donor or funder"))
            elif (
                re.search(r"(?:^|\W)(" + "|".join(map(re.escape, self.venues)) + r"),\s*$", before)
                if self.venues
                else False
            ):
                excluded.append(Exclusion(code, words, "country of a meeting venue"))
            elif (start > 0 and text[start - 1] in "@/#") or text[start + len(words) :][:1] in "@":
                excluded.append(Exclusion(code, words, "part of an address or handle"))
            else:
                mentions.append(Mention(code, words, start))
        return mentions, excluded


def _alternation(forms: list[str], flags: int) -> re.Pattern[str]:
    ordered = sorted({f for f in forms if f}, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(f) for f in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-]|['’]\w)", flags)


@cache
def country_name(code: str) -> str:
    """The English short name of an alpha-3 code ("IDN" -> "Indonesia")."""
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@cache
def gazetteer() -> Gazetteer:
    """The built-in gazetteer, loaded once."""
    with DATA.open(encoding="utf-8") as handle:
        return Gazetteer(json.load(handle))
