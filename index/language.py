"""Language identification: a trained detector, checked by the words of English, French, Spanish."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

UNDETERMINED = "und"  # ISO 639-2 for "undetermined": the text does not say
# Languages ILO pages are written in; the detector chooses among these only (ISO 639-1).
CANDIDATES = [
    "en",
    "fr",
    "es",
    "it",
    "pt",
    "de",
    "nl",
    "ru",
    "ar",
    "zh",
    "ja",
    "ko",
    "tr",
    "pl",
    "uk",
    "id",
    "ms",
    "vi",
    "th",
    "hi",
    "bn",
    "ur",
    "fa",
    "sw",
    "am",
    "ne",
    "si",
    "km",
    "lo",
    "mn",
    "ka",
    "hy",
    "az",
    "kk",
    "ky",
    "el",
    "ro",
    "bg",
    "sr",
    "hr",
    "cs",
    "sk",
    "hu",
    "sv",
    "da",
    "no",
    "fi",
    "he",
    "tl",
    "ta",
]
SURE = 0.5  # the detector's probability above which its answer stands alone
LIKELY = 0.3  # below this, with no telling words either, the language is undetermined


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words, frequent in one language and rare in the others.
_FUNCTION = {
    "en": _words(
        "the and of to in for on with is are was were by from that this its their has have had "
        "will would new at as an be been it they we our who which how what why after over into "
        "says said more than against about not but or can could should must up out amid"
    ),
    "fr": _words(
        "le la les des du et pour dans sur une est sont avec au aux par ce cette ces qui que "
        "nouveau nouvelle selon leur leurs été pas plus contre entre vers chez sous être ont "
        "lors dont où aussi mais ou il elle ils elles nous vous son sa ses"
    ),
    "es": _words(
        "el los las del y para con por una es son al en su sus que este esta estos estas nuevo "
        "nueva según fue han ha más contra entre hacia sobre sin desde cuando donde también "
        "pero o se lo le les ya muy como debe antes después hasta cada otro otros todo todos "
        "puede hay"
    ),
}
# Words shared by two of the languages: counted for both, at half weight.
_SHARED = {
    "la": ("fr", "es"),
    "de": ("fr", "es"),
    "en": ("fr", "es"),
    "une": ("fr",),
    "a": ("en", "es"),
    "un": ("fr", "es"),
    "sur": ("fr",),
}
# Words of labour news in each language; a short title is often only these.
_LEXICON = {
    "en": _words(
        "labour labor work workers worker working child children forced fishers fishing "
        "fisheries fishermen trafficking slavery modern decent rights human employment report "
        "global national migrant migrants migration domestic supply chain chains statement "
        "advisory editorial opinion press release news launch launches joins survivors training "
        "safety health agriculture standards convention protocol government ministry day world "
        "year women girls young people wages law wage youth enterprises sustainable estimates "
        "cooperatives economy equality gender fair recruitment jobs skills"
    ),
    "fr": _words(
        "travail travailleurs travailleuses enfants forcé forcée pêche pêcheurs esclavage "
        "traite droits emploi rapport mondiale mondial national nationale migrants migrantes "
        "migration main-d'œuvre domestique domestiques chaîne chaînes déclaration communiqué "
        "presse médias actualités projet lancement journée gouvernement ministère femmes jeunes "
        "salaires loi protocole convention formation santé sécurité salaire sociale économie "
        "informelle entreprises durables estimations coopératives égalité genres recrutement "
        "équitable normes emplois compétences"
    ),
    "es": _words(
        "trabajo trabajadores trabajadoras infantil forzoso forzado pesca pescadores esclavitud "
        "trata derechos empleo informe mundial nacional migrantes migración laboral doméstico "
        "domésticas cadena cadenas declaración comunicado prensa noticias proyecto jornada "
        "gobierno ministerio día mujeres jóvenes salarios ley protocolo convenio formación "
        "salud seguridad personas niños niñas salario empresas sostenibles cooperativas "
        "economía igualdad género protección estimaciones normas equitativa contratación "
        "empleos"
    ),
}
# A word spelled the same in two lexicons says nothing.
_COMMON = (
    (_LEXICON["en"] & _LEXICON["fr"])
    | (_LEXICON["en"] & _LEXICON["es"])
    | (_LEXICON["fr"] & _LEXICON["es"])
)
_ENDINGS = {
    "en": re.compile(r"(?:ing|ness|ship|ed|ies)$"),
    "fr": re.compile(
        r"(?:eux|eaux|aux|ée|ées|ité|ités|ère|ères|eur|eurs|euse|euses|elle|elles|ique|iques|ales)$"
    ),
    "es": re.compile(
        r"(?:ción|ciones|sión|siones|dad|dades|mente|ía|ías|ado|ados|ada|adas|oso|osa|os|as)$"
    ),
}
_LETTERS = {
    "fr": re.compile(r"[àâçèêëîïôœùû]|^(?:l|d|qu|n|j|s|c)['’]|^é"),
    "es": re.compile(r"[ñ¿¡áíóú]"),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_ACRONYMS = {"ilo": "en", "oit": ("fr", "es")}


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@cache
def _identifier() -> Any:
    """py3langid's model (shipped inside the package: nothing is downloaded), loaded once."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier


def detect(text: str) -> tuple[str, str]:
    """The language of ``text`` as an ISO 639-1 code (``und`` when unsure) and the evidence.

    py3langid (a character n-gram model) decides when it is sure; a short title it is unsure
    of is settled by the function words and labour-news words of English, French and Spanish
    (:func:`detect_words`); with neither, the language is undetermined.
    """
    if not _LETTER.search(text):
        return UNDETERMINED, ""
    code, probability = _identifier().classify(text)
    words_code, words = detect_words(text)
    if probability >= SURE:
        agree = f"; words: {words}" if words and words_code == code else ""
        return code, f"py3langid {probability:.2f}{agree}"
    if words:
        return words_code, f"{words} (py3langid unsure: {code} {probability:.2f})"
    if probability >= LIKELY:
        return code, f"py3langid {probability:.2f}"
    return UNDETERMINED, f"py3langid unsure: {code} {probability:.2f}"


_LETTER = re.compile(r"[^\W\d_]")


def detect_words(text: str) -> tuple[str, str]:
    """English, French or Spanish from telling words, and those words ("" when none).

    Function words weigh most, then words of labour news, spelling (ñ, ç, elisions) and word
    endings. With no evidence at all, the answer is English with no words.
    """
    scores = {"en": 0.0, "fr": 0.0, "es": 0.0}
    evidence: dict[str, list[str]] = {code: [] for code in scores}

    def count(code: str, weight: float, word: str) -> None:
        scores[code] += weight
        if word not in evidence[code] and len(evidence[code]) < 6:
            evidence[code].append(word)

    for raw in _WORD.findall(text):
        word = raw.lower().replace("’", "'")
        if raw.isupper() and len(raw) > 1:
            acronym = _ACRONYMS.get(word)
            if isinstance(acronym, str):
                count(acronym, 0.5, raw)
            elif acronym:
                for code in acronym:
                    count(code, 0.5, raw)
            continue
        if word in _SHARED:
            for code in _SHARED[word]:
                count(code, 0.5, word)
            continue
        matched = False
        for code, words in _FUNCTION.items():
            if word in words:
                count(code, 1.0, word)
                matched = True
        if matched:
            continue
        for code, words in _LEXICON.items():
            if word in _COMMON:
                break
            if word in words or word.removesuffix("s") in words:
                count(code, 1.0, word)
                matched = True
        if matched:
            continue
        for code, letters in _LETTERS.items():
            if letters.search(word):
                count(code, 0.6, word)
                matched = True
        if matched or len(word) < 5:
            continue
        for code, ending in _ENDINGS.items():
            if ending.search(word) or (code != "en" and ending.search(_plain(word))):
                count(code, 0.3, word)
    best = max(scores, key=lambda code: (scores[code], code == "en"))
    if scores[best] == 0:
        return "en", ""
    return best, " ".join(evidence[best])
