"""Language identification for English, French and Spanish news text, short texts included."""

from __future__ import annotations

import re
import unicodedata


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


def detect(text: str) -> tuple[str, str]:
    """The language of ``text`` ("en", "fr" or "es") and the words that decided it.

    Function words weigh most, then words of labour news, spelling (ñ, ç, elisions) and word
    endings. With no evidence at all, the answer is English.
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
