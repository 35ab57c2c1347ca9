"""Tags a researcher can rely on: countries, regions, topics, kind and language, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsearch.index.item import Item, RawItem
from newsearch.index.language import detect
from newsearch.index.places import gazetteer
from newsearch.index.tagging import kind_of, tag
from newsearch.search.cli import main

VARIANTS = Path(__file__).resolve().parent / "data" / "variants"


def item(title: str, summary: str = "", **fields: str) -> Item:
    return tag(RawItem(title=title, source="test", line=1, summary=summary, **fields))  # type: ignore[arg-type]


def countries(title: str, summary: str = "", **fields: str) -> tuple[str, ...]:
    return item(title, summary, **fields).country_codes


def excluded(tagged: Item) -> dict[str, str]:
    """Excluded mentions: code -> the words and the reason, as the evidence records them."""
    return {e.value: e.text for e in tagged.evidence if e.field == "excluded"}


# ---------------------------------------------------------------------------------------------
# Countries: what counts


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        ("Peru adopts a plan", "", ("PER",)),
        ("Peruvian prosecutors unify criteria", "", ("PER",)),
        ("Indonesian migrant workers at sea", "", ("IDN",)),
        ("Officials trained in Balochistan", "", ("PAK",)),
        ("Fishers in Central Java", "", ("IDN",)),
        ("Trabajadoras domésticas venezolanas en Colombia", "", ("VEN", "COL")),
        ("Travailleurs migrants népalais", "", ("NPL",)),
        ("Uzbekistan’s cotton harvest", "", ("UZB",)),
        ("A new law", "The law protects workers in Thailand", ("THA",)),
        (
            "Garment factories are safer",
            "Since the collapse near Dhaka, 4,000 factories were inspected.",
            ("BGD",),
        ),
        ("UK companies publish statements", "", ("GBR",)),
        ("Brick kilns in Punjab", "The survey covered kilns around Lahore.", ("PAK",)),
    ],
)
def test_names_nationalities_provinces_and_cities_give_countries(
    title: str, summary: str, expected: tuple[str, ...]
) -> None:
    assert countries(title, summary) == expected


def test_each_country_keeps_the_words_that_gave_it() -> None:
    tagged = item("Balochistan Officials Empowered", "One of the project's aims in Pakistan is ...")
    evidence = [(e.value, e.source, e.text) for e in tagged.evidence if e.field == "country"]
    assert evidence == [("PAK", "title", "Balochistan")]
    assert tagged.countries == ("Pakistan",)


# ---------------------------------------------------------------------------------------------
# Countries: what never counts, and the reason recorded


@pytest.mark.parametrize(
    ("title", "summary", "code", "reason"),
    [
        ("Profits reach US$ 236 billion", "", "USA", "currency"),
        ("A new study", "Illegal profits rose by 37 per cent.", "", ""),
        ("Guy Ryder urges action", "", "", ""),
        ("Chad Johnson presents the findings", "", "TCD", "person's name"),
        (
            "Key stakeholders meet",
            "A high-level conference in Brussels discussed the way forward.",
            "",
            "",
        ),
        (
            "G20 ministers act",
            "Meeting in Mendoza, the G20 ministers committed to act.",
            "ARG",
            "meeting",
        ),
        ("Report presented", "It was presented at a conference in Lima, Peru.", "PER", "meeting"),
        (
            "Ratification",
            "The instrument was deposited in Geneva, Switzerland.",
            "CHE",
            "meeting venue",
        ),
        ("Address to a conference", "The Director of ILO-Brussels addressed it.", "", ""),
        (
            "Op-ed on brick kilns",
            "By the Director of the ILO Country Office in Islamabad.",
            "PAK",
            "ILO office",
        ),
        (
            "Carpet workshops",
            "The project, funded by the Government of Canada, helped 120 workshops.",
            "CAN",
            "donor",
        ),
        (
            "Plan",
            "It was prepared with funding from the Government of the Netherlands.",
            "NLD",
            "donor",
        ),
        (
            "Projet",
            "Le projet, financé par le gouvernement des Pays-Bas, a commencé.",
            "NLD",
            "donor",
        ),
        (
            "Proyecto",
            "Con el apoyo de un proyecto financiado por el Gobierno de España, analizaron.",
            "ESP",
            "donor",
        ),
        ("Tuna fishers in the Indian Ocean", "", "IND", "sea or ocean"),
        ("Crews", "They worked on vessels in the South China Sea.", "CHN", "sea or ocean"),
        ("A new procedure", "It is available in English, French and Spanish.", "FRA", "language"),
        ("Colombo Process members meet on recruitment", "", "LKA", "process"),
        ("Abu Dhabi Dialogue adopts a roadmap", "", "ARE", "process"),
    ],
)
def test_currency_names_venues_offices_donors_seas_and_languages_never_count(
    title: str, summary: str, code: str, reason: str
) -> None:
    tagged = item(title, summary)
    assert tagged.country_codes == ()
    if code:
        assert code in excluded(tagged)
        assert reason in excluded(tagged)[code]


def test_photo_credits_and_alt_text_are_never_evidence() -> None:
    tagged = item(
        "Senegal ratifies the Work in Fishing Convention",
        alt="Fishermen unloading their catch in Songkhla, Thailand",
        credit="© ILO/A. Khemka, Côte d’Ivoire 2018",
    )
    assert tagged.country_codes == ("SEN",)
    assert "image alt text" in excluded(tagged)["THA"]
    assert "photo credit" in excluded(tagged)["CIV"]


def test_a_dateline_is_the_place_of_publication_not_the_subject() -> None:
    tagged = item(
        "Recruitment fees cost migrant workers a third of earnings", dateline="Bangkok, Thailand"
    )
    assert tagged.country_codes == ()
    assert "dateline" in excluded(tagged)["THA"]
    opening = item(
        "A survey", "JAKARTA, Indonesia (ILO News) – A survey of workers in Malaysia found ..."
    )
    assert opening.country_codes == ("MYS",)


def test_a_place_shared_by_two_countries_needs_other_evidence() -> None:
    assert countries("Brick kilns in Punjab") == ()
    assert "IND/PAK" in excluded(item("Brick kilns in Punjab"))
    assert countries("Brick kilns in Punjab", "Workers in India's Punjab ...") == ("IND",)


def test_a_donor_clause_ends_with_its_phrase() -> None:
    assert countries(
        "Tunisie : un guichet unique",
        "Financé par l’Union européenne, le guichet aide les Tunisiens de retour d’Italie.",
    ) == ("TUN", "ITA")
    assert countries(
        "Balkans programme",
        "Funded by Japan, Norway and Sweden, the programme reaches Albania.",
    ) == ("ALB",)


def test_a_place_at_the_very_end_of_a_text_counts() -> None:
    assert countries("Workers rescued from textile workshops in Argentina") == ("ARG",)


# ---------------------------------------------------------------------------------------------
# Regions


def test_regions_come_from_countries_and_from_region_words() -> None:
    assert item("Asia-Pacific partners revitalize collaboration").regions == (
        "Asia and the Pacific",
    )
    assert item("Domestic workers in the Gulf").regions == ("Arab States",)
    assert item("Peru and Morocco").regions == ("Africa", "Americas")
    assert item("Interregional forum on South to South cooperation").regions == ()


def test_a_region_that_funds_is_not_a_region_the_item_is_about() -> None:
    tagged = item(
        "Tunisia and Morocco track migration",
        "The project, funded by the European Union, will help both countries.",
    )
    assert tagged.regions == ("Africa",)


# ---------------------------------------------------------------------------------------------
# Topics


@pytest.mark.parametrize(
    ("fields", "topic"),
    [
        ({"title": "Balochistan officials empowered against forced labor"}, "forced labour"),
        (
            {"title": "Kiln workers", "summary": "Families are held in bonded labour."},
            "forced labour",
        ),
        ({"title": "Prosecutors unify criteria on trafficking in persons"}, "human trafficking"),
        ({"title": "Fishermen unload their catch"}, "fisheries"),
        ({"title": "Migrant workers in Qatar recover wages"}, "labour migration"),
        ({"title": "Kenyan domestic workers in Saudi Arabia"}, "labour migration"),
        ({"title": "Trabajadores bolivianos rescatados en Argentina"}, "labour migration"),
        (
            {"title": "Senegal ratifies the Work in Fishing Convention, 2007 (No. 188)"},
            "international labour standards",
        ),
        (
            {"title": "Le Maroc fixe à 18 ans l’âge minimum pour le travail domestique"},
            "child labour",
        ),
        ({"title": "Travail des enfants dans la filière cacao"}, "supply chains"),
        ({"title": "A new survey", "kicker": "Fisheries"}, "fisheries"),
        (
            {"title": "Asia-Pacific partners meet", "label": "Child labour and forced labour"},
            "child labour",
        ),
    ],
)
def test_topics_from_words_synonyms_headings_and_labels(fields: dict[str, str], topic: str) -> None:
    title = fields.pop("title")
    tagged = item(title, **fields)
    assert topic in tagged.topics
    assert any(e.field == "topic" and e.value == topic and e.text for e in tagged.evidence)


@pytest.mark.parametrize(
    ("title", "summary", "topic"),
    [
        (
            "Annual profits from forced labour",
            "Profits rose in the private sector.",
            "business and human rights",
        ),
        ("Young survivors receive training", "", "skills"),
        (
            "Malaysia adopts a plan",
            "It covers migrant workers in plantations, factories and construction.",
            "agriculture",
        ),
        ("ILO and trade unions strengthen collaboration", "", "social dialogue"),
        ("Thai and Cambodian crews compare notes", "Fishers met inspectors.", "labour migration"),
    ],
)
def test_weak_words_alone_do_not_give_a_topic(title: str, summary: str, topic: str) -> None:
    assert topic not in item(title, summary).topics


def test_structured_records_keep_their_own_topics_and_countries() -> None:
    tagged = tag(
        RawItem(
            title="Anything",
            source="x.jsonl",
            line=1,
            topics=("Forced labour", "not a topic"),
            countries=("Indonesia", "PH", "tha"),
            language="fr",
        )
    )
    # a topic outside the vocabulary is kept as given, and its evidence says so
    assert tagged.topics == ("forced labour", "not a topic")
    sources = {e.value: e.source for e in tagged.evidence if e.field == "topic"}
    assert sources == {
        "forced labour": "record",
        "not a topic": "record (not in the topic vocabulary)",
    }
    assert tagged.country_codes == ("IDN", "PHL", "THA")
    assert tagged.language == "fr"


# ---------------------------------------------------------------------------------------------
# Kind and language


@pytest.mark.parametrize(
    ("label", "title", "kind"),
    [
        ("Press release", "x", "press release"),
        ("Communiqué de presse", "x", "press release"),
        ("Comunicado de prensa", "x", "press release"),
        ("Media Advisory", "x", "media advisory"),
        ("Statement", "x", "statement"),
        ("Déclaration", "x", "statement"),
        ("Joint statement", "x", "statement"),
        ("Opinion editorial", "x", "opinion editorial"),
        ("Feature", "x", "feature"),
        ("Artículo", "x", "feature"),
        ("Our impact, their voices", "x", "feature"),
        ("Forced labour", "x", "news"),
        ("Making innovation work for decent work", "x", "news"),
        (None, "ILO Statement to the UN Security Council on Modern Slavery", "statement"),
        (None, "Everyone needs to be aware of slavery", "news"),
    ],
)
def test_kind_from_the_label_line(label: str | None, title: str, kind: str) -> None:
    assert kind_of(label, title)[0] == kind


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Forced labour", "en"),
        ("Child labour", "en"),
        ("Media advisory", "en"),
        ("Trata de personas", "es"),
        ("Trabajo forzoso", "es"),
        ("Migración laboral", "es"),
        ("Comunicado de prensa", "es"),
        ("Travail forcé", "fr"),
        ("Travail des enfants", "fr"),
        ("Communiqué de presse", "fr"),
        ("Haïti : les enfants en domesticité", "fr"),
        ("Pescadores indonesios en buques de pesca de altura", "es"),
        ("Argentina joins the global movement against forced labour", "en"),
        ("Argentina se une al movimiento mundial", "es"),
        ("L’Argentine rejoint le mouvement mondial", "fr"),
    ],
)
def test_language_of_short_texts(text: str, language: str) -> None:
    assert detect(text)[0] == language


def test_language_evidence_names_the_deciding_words() -> None:
    tagged = item("Le Niger devient le premier pays à ratifier le Protocole")
    assert tagged.language == "fr"
    words = next(e.text for e in tagged.evidence if e.field == "language")
    assert "le" in words.split()


def test_gazetteer_resolves_what_users_type() -> None:
    gaz = gazetteer()
    assert gaz.code_for("Indonesia") == "IDN"
    assert gaz.code_for("id") == "IDN"
    assert gaz.code_for("idn") == "IDN"
    assert gaz.code_for("Côte d’Ivoire") == "CIV"
    assert gaz.code_for("Atlantis") is None


# ---------------------------------------------------------------------------------------------
# What a user sees: newsearch inspect


def test_inspect_shows_items_tags_with_evidence_and_skipped_lines() -> None:
    result = CliRunner().invoke(
        main, ["inspect", "--format", "json", str(VARIANTS / "cards-dashes.txt")]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert [(p["line"], p["message"]) for p in shown["skipped"]] == [
        (1, "page navigation text skipped: 'All news for topic'"),
        (3, "page navigation text skipped: 'Refine results'"),
    ]
    senegal = shown["items"][0]
    assert senegal["country_codes"] == ["SEN"] and senegal["kind"] == "news"
    evidence = {(e["field"], e["value"]): e for e in senegal["evidence"]}
    assert evidence[("country", "SEN")]["text"] == "Senegal"
    assert "image alt text" in evidence[("excluded", "THA")]["text"]
    assert ("topic", "international labour standards") in evidence


def test_inspect_text_output_lists_evidence_and_skipped_lines() -> None:
    result = CliRunner().invoke(main, ["inspect", "--format", "text", str(VARIANTS / "messy.txt")])
    assert result.exit_code == 0, result.output
    assert "evidence:" in result.output
    assert "skipped:" in result.output
    assert "messy.txt:38: unrecognised line skipped: '%%%%'" in result.output
