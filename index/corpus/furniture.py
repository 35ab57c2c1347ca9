"""Page furniture: navigation, notices, players, breadcrumbs and credits a dump reader skips."""

from __future__ import annotations

import re

CHROME = {
    "refine results",
    "load more",
    "show more",
    "read more",
    "see more",
    "see all",
    "view all",
    "share",
    "share this page",
    "share this",
    "print",
    "back to top",
    "next",
    "previous",
    "next page",
    "previous page",
    "subscribe",
    "search",
    "filter",
    "filters",
    "sort by",
    "menu",
    "home",
    "skip to main content",
    "cookies",
    "accept cookies",
    "more news",
    "all news",
    "all news for topic",
    "all news for this topic",
    "lire la suite",
    "voir plus",
    "ver más",
    "leer más",
    "partager",
    "compartir",
    "condividi",
    "teilen",
    "contact us",
    "contact",
    "contactez-nous",
    "contáctenos",
    "site map",
    "sitemap",
    "printable version",
    "print this page",
    "send this page to a friend",
    "email this page",
    "top of page",
    "transcript",
    "transcription",
    "transcripción",
    "see all news",
    "view all news",
    "related news",
    "related content",
    "follow us",
    "suivez-nous",
    "síguenos",
    "facebook",
    "twitter",
    "x",
    "linkedin",
    "instagram",
    "youtube",
    "flickr",
    "terms of use",
    "privacy policy",
    "accessibility",
    "disclaimer",
    "copyright",
    "fraud alert",
    "leggi di più",
    "leia mais",
    "weiterlesen",
    "mehr lesen",
    "press releases",
    "news and media",
    "newsroom",
    "news room",
    "media centre",
    "media center",
    "multimedia",
    "podcasts",
    "videos",
    "communiqués de presse",
    "comunicados de prensa",
    "international labour organization",
    "international labor organization",
    "organisation internationale du travail",
    "organización internacional del trabajo",
    "organizzazione internazionale del lavoro",
    "organização internacional do trabalho",
    "internationale arbeitsorganisation",
    "ilo news",
}
# Page furniture worded in many ways: episodes, transcripts, players, notices, breadcrumbs.
_FURNITURE = re.compile(
    r"^(?:(?:season\s+\d+\s*[,|·-]?\s*)?(?:episode|épisode|episodio|folge)\s+\d+|"
    r"\[[^\]]{1,40}\]|"  # [Music], [Applause]
    r"\(?\d{1,2}:\d{2}(?::\d{2})?\)?(?:\s.*)?|"  # a time code, alone or opening a transcript line
    r"(?:speaker|interviewer|interviewee|host|presenter|narrator|moderator|voice[- ]over)"
    r"(?:\s*\d+)?\s*:.*|"
    r"(?:listen|watch|play|download)\b(?=.*\b(?:video|videos|podcast|episode|audio|"
    r"interview|report|pdf|spotify|apple|youtube|soundcloud|here|now|online)\b)(?:\s+\S+){0,7}|"
    r"\d+\s*/\s*\d+|\d+\s+(?:of|de|sur)\s+\d+|"
    r"(?:media\s+)?contacts?\s*:.*|"
    r"(?:follow|share|partager|compartir)\s+(?:us|this|on)\b.*)$",
    re.I,
)
_COOKIE = re.compile(r"\bcookies?\b", re.I)
_NOTICE = re.compile(
    r"\b(?:use|uses|accept|agree|policy|browse|browsing|experience|consent|settings)\b", re.I
)
_SUBSCRIBE = re.compile(
    r"^(?:subscribe|sign up|abonnez-vous|inscrivez-vous|suscríbase|suscríbete|iscriviti|"
    r"abonnieren)\b|\bnewsletters?\b.*\b(?:subscribe|sign up|receive|e-?mail|inbox)\b|"
    r"\b(?:subscribe|sign up|receive|e-?mail)\b.*\bnewsletters?\b",
    re.I,
)
_CRUMB = re.compile(r"\s*(?:›|»|>|→|/|\|)\s*")
_LANGUAGE_NAMES = frozenset(
    "english français francais español espanol italiano português portugues deutsch 中文 "
    "русский العربية 日本語 한국어 türkçe tiếng việt ไทย हिन्दी bahasa indonesia melayu "
    "Українська polski nederlands".casefold().split()
)
# A caption ending in a photo credit: "Workers at a kiln in Punjab. © ILO/A. Khan"
CAPTION_CREDIT = re.compile(r"(?:©|\(c\)|photo\s*:|credit\s*:)\s*[^\s©][^©]{0,50}\)?\s*$", re.I)
_CHROME_RE = re.compile(
    r"^(page \d+ of \d+|showing \d+\s*[-–]\s*\d+ of \d+.*|\d+ results?|results? \d+.*|"
    r"(tweet|facebook|linkedin|email|whatsapp)(\s*[|/·]\s*\w+)*|[«»‹›<>]+|\d+(\s+\d+)+)$",
    re.I,
)
SEPARATOR = re.compile(r"^\s*(?:[-–—_=*•·~]\s*){1,}$")
CREDIT = re.compile(
    r"^\s*(?:©|\(c\)\s|copyright\b|photo\s*(?:credit)?\s*[:：]|photo by\b|photos?\s*:|"
    r"foto\s*:|crédit(?:s)?(?: photo)?\s*:|credits?\s*:|image\s*:|source\s*:\s*ilo)",
    re.I,
)
TERMINAL = re.compile(r"[.!?…:;»”\")。！？]\s*$")


def is_furniture(text: str) -> bool:
    """Page furniture: navigation, breadcrumbs, language switchers, players, notices."""
    folded = text.casefold()
    if folded.rstrip(" .:›»>!") in CHROME or _CHROME_RE.match(text) or _FURNITURE.match(text):
        return True
    words = text.split()
    if _COOKIE.search(text) and _NOTICE.search(text) and len(words) <= 60:
        return True
    if _SUBSCRIBE.search(text) and len(words) <= 20:
        return True
    if all(w.strip("|·/,") in _LANGUAGE_NAMES or not w.strip("|·/,") for w in folded.split()):
        return True  # a language switcher: "中文 Español Français Русский العربية"
    if folded in _LANGUAGE_NAMES or folded.replace(" ", "") in {"bahasaindonesia", "tiếngviệt"}:
        return True
    parts = [p for p in _CRUMB.split(text) if p]
    separators = len(re.findall(r"›|»|\s>\s|→|\s\|\s|\s/\s", text))
    if separators >= 2 or (
        separators and parts and parts[0].casefold() in {"home", "accueil", "inicio"}
    ):
        return len(parts) >= 2 and all(
            len(p.split()) <= 6 and not TERMINAL.search(p) for p in parts
        )
    return False
