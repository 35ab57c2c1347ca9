"""Kinds of item: the words ILO listings label items with, and the kind each one names."""

from __future__ import annotations

KINDS = {  # a label (English, French, Spanish) -> the kind of item it names
    "press release": "press release",
    "news release": "press release",
    "communiqué de presse": "press release",
    "communiqué": "press release",
    "comunicado de prensa": "press release",
    "comunicado": "press release",
    "nota de prensa": "press release",
    "media advisory": "media advisory",
    "note aux médias": "media advisory",
    "avis aux médias": "media advisory",
    "aviso a los medios": "media advisory",
    "statement": "statement",
    "déclaration": "statement",
    "declaración": "statement",
    "opinion editorial": "opinion editorial",
    "op-ed": "opinion editorial",
    "opinion": "opinion editorial",
    "editorial": "opinion editorial",
    "tribune": "opinion editorial",
    "artículo de opinión": "opinion editorial",
    "columna de opinión": "opinion editorial",
    "commentary": "opinion editorial",
    "comment": "opinion editorial",
    "feature": "feature",
    "feature story": "feature",
    "article": "feature",
    "artículo": "feature",
    "story": "feature",
    "impact story": "feature",
    "our impact, their voices": "feature",
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
# Labels that name no kind of their own: an item under them is news.
GENERAL_LABELS = frozenset(
    {
        "actualité",
        "actualités",
        "event",
        "news",
        "noticia",
        "noticias",
        "publication",
        "report",
    }
)
# Every word a listing may put on a line of its own as an item's label.
LABELS = frozenset(KINDS) | GENERAL_LABELS
