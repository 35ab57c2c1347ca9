"""Kinds of item (press release, feature, statement, ...) and the words pages use for them."""

from __future__ import annotations

# The words (folded) that name a kind of item, in the languages of ILO pages, and the kind.
KINDS: dict[str, str] = {
    "news": "news",
    "news item": "news",
    "actualité": "news",
    "actualités": "news",
    "noticia": "news",
    "noticias": "news",
    "notizia": "news",
    "notizie": "news",
    "notícia": "news",
    "notícias": "news",
    "nachricht": "news",
    "nachrichten": "news",
    "meldung": "news",
    "новости": "news",
    "новость": "news",
    "أخبار": "news",
    "خبر": "news",
    "新闻": "news",
    "press release": "press release",
    "news release": "press release",
    "communiqué de presse": "press release",
    "communiqué": "press release",
    "comunicado de prensa": "press release",
    "comunicado": "press release",
    "nota de prensa": "press release",
    "comunicato stampa": "press release",
    "comunicado de imprensa": "press release",
    "nota à imprensa": "press release",
    "pressemitteilung": "press release",
    "пресс-релиз": "press release",
    "بيان صحفي": "press release",
    "新闻稿": "press release",
    "media advisory": "media advisory",
    "note aux médias": "media advisory",
    "avis aux médias": "media advisory",
    "aviso a los medios": "media advisory",
    "statement": "statement",
    "déclaration": "statement",
    "declaración": "statement",
    "dichiarazione": "statement",
    "declaração": "statement",
    "erklärung": "statement",
    "заявление": "statement",
    "opinion editorial": "opinion editorial",
    "op-ed": "opinion editorial",
    "opinion": "opinion editorial",
    "editorial": "opinion editorial",
    "tribune": "opinion editorial",
    "artículo de opinión": "opinion editorial",
    "columna de opinión": "opinion editorial",
    "commentary": "opinion editorial",
    "comment": "opinion editorial",
    "commento": "opinion editorial",
    "kommentar": "opinion editorial",
    "feature": "feature",
    "feature story": "feature",
    "article": "feature",
    "artículo": "feature",
    "articolo": "feature",
    "artigo": "feature",
    "artikel": "feature",
    "story": "feature",
    "impact story": "feature",
    "our impact, their voices": "feature",
    "reportage": "feature",
    "reportaje": "feature",
    "speech": "speech",
    "discours": "speech",
    "discurso": "speech",
    "discorso": "speech",
    "rede": "speech",
    "interview": "interview",
    "video interview": "interview",
    "entretien": "interview",
    "entrevista": "interview",
    "intervista": "interview",
    "video": "video",
    "vidéo": "video",
    "vídeo": "video",
    "podcast": "podcast",
    "blog": "blog",
    "blog post": "blog",
}
# Words that label an item without saying what kind it is.
OTHER_LABELS = frozenset({"publication", "event", "report", "opinion piece"})


def kind_named(text: str) -> str | None:
    """The kind a label names outright ("Press release" -> "press release"), or None."""
    return KINDS.get(text.strip().casefold().rstrip(":"))


def is_kind_label(text: str) -> bool:
    """True when a line is only a word for a kind of item: a label, never a title or kicker."""
    folded = text.strip().casefold().rstrip(":")
    return folded in KINDS or folded in OTHER_LABELS
