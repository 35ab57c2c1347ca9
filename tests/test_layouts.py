"""Page layouts a reader meets on ILO pages, and the tags read from them: one test per mistake."""

from __future__ import annotations

import datetime as dt

import pytest

from newsearch.index.corpus import ReadResult, read_text
from newsearch.index.item import Item, RawItem
from newsearch.index.language import UNDETERMINED, detect
from newsearch.index.tagging import tag


def read(text: str) -> ReadResult:
    return read_text(text, "page.txt")


def skipped(result: ReadResult) -> dict[int, str]:
    return {p.line: p.message for p in result.problems}


def tagged(title: str, summary: str = "", **fields: str) -> Item:
    return tag(RawItem(title=title, source="test", line=1, summary=summary, **fields))  # type: ignore[arg-type]


def excluded(item: Item) -> dict[str, str]:
    return {e.value: e.text for e in item.evidence if e.field == "excluded"}


# ---------------------------------------------------------------------------------------------
# Kickers


def test_the_line_above_the_title_is_its_kicker_however_long() -> None:
    result = read(
        "News on labour migration\n\n"
        "Fair recruitment\n"
        "Nepali workers in Qatar to get their recruitment fees back\n"
        "Press release | 17 December 2019\n"
        "Employers will pay back fees that workers paid to agents.\n\n"
        "Migration in the Arab States: a series on reforms to the kafala system\n"
        "Why the end of the exit permit matters for domestic workers\n"
        "Comment | 20 January 2021\n"
        "The reform lets workers change employers.\n"
    )
    first, second = result.items
    assert (first.kicker, first.title, first.label) == (
        "Fair recruitment",
        "Nepali workers in Qatar to get their recruitment fees back",
        "Press release",
    )
    assert second.kicker == "Migration in the Arab States: a series on reforms to the kafala system"
    assert second.title == "Why the end of the exit permit matters for domestic workers"
    assert second.date == dt.date(2021, 1, 20) and second.label == "Comment"
    assert result.heading == "News on labour migration" and first.heading == result.heading
    assert result.problems == []


def test_a_kicker_is_shown_and_its_topic_counts_but_the_listing_heading_does_not() -> None:
    item = tagged(
        "Nepali workers to get their fees back",
        kicker="Fair recruitment",
        heading="News on forced labour",
    )
    assert item.kicker == "Fair recruitment" and item.listed_under == "News on forced labour"
    assert "labour migration" in item.topics  # from the kicker
    assert "forced labour" not in item.topics  # the listing's heading is not the item's topic
    assert item.to_dict()["listed_under"] == "News on forced labour"


# ---------------------------------------------------------------------------------------------
# Single-article pages


ARTICLE = """Skip to main content
中文
Español
Français
Home › News and media › Press releases

Labour migration
ILO welcomes an agreement to protect migrant fishers
The memorandum sets rules for the contracts and wages of fishers on foreign vessels.
Press release | Bangkok | 12 June 2019
Share

BANGKOK (ILO News) – The agreement gives migrant fishers written contracts in their language.

Fishers unload their catch at a port. © ILO/N. Thanh

More than 50,000 fishers work on the vessels, many recruited through brokers who charge fees.

Read more
We use cookies to give you the best experience. By continuing you agree to our use of cookies.
"""


def test_an_article_page_is_one_item_with_date_kind_and_place_and_a_body() -> None:
    result = read(ARTICLE)
    assert result.layout == "article"
    (item,) = result.items
    assert item.title == "ILO welcomes an agreement to protect migrant fishers"
    assert item.kicker == "Labour migration"
    assert item.summary.startswith("The memorandum sets rules")
    assert item.date == dt.date(2019, 6, 12) and item.label == "Press release"
    assert item.dateline == "Bangkok"  # the place of publication, never evidence
    assert "written contracts" in item.body and "More than 50,000" in item.body
    assert item.credit.endswith("© ILO/N. Thanh")  # the caption is kept apart
    assert item.date_line == "Press release | Bangkok | 12 June 2019"
    assert set(skipped(result)) == {1, 2, 3, 4, 5, 11, 19, 20}
    assert tag(item).kind == "press release"


def test_date_issued_lines_of_older_article_pages() -> None:
    result = read(
        "Press releases\n"
        "Global Report under the follow-up to the ILO Declaration\n"
        "A global alliance against forced labour\n"
        "At least 12.3 million people are trapped in forced labour, a new ILO report says.\n"
        "Date issued: 11 May 2005 | Reference: ILO/05/21\n"
        "GENEVA (ILO News) – The report says forced labour is present on every continent.\n"
        "Printable version\n"
    )
    (item,) = result.items
    assert item.title == "A global alliance against forced labour"
    assert item.kicker == "Global Report under the follow-up to the ILO Declaration"
    assert item.date == dt.date(2005, 5, 11) and item.label is None
    assert set(skipped(result)) == {1, 7}


@pytest.mark.parametrize(
    ("line", "date", "label", "place"),
    [
        ("Press release | Geneva | 12 June 2019", dt.date(2019, 6, 12), "Press release", "Geneva"),
        ("News | 3 May 2021", dt.date(2021, 5, 3), "News", ""),
        ("Feature · 9 March 2022", dt.date(2022, 3, 9), "Feature", ""),
        ("12 June 2019 | Statement", dt.date(2019, 6, 12), "Statement", ""),
        (
            "Comunicato stampa | Roma | 3 maggio 2021",
            dt.date(2021, 5, 3),
            "Comunicato stampa",
            "Roma",
        ),
        ("Notícia | 12 de junho de 2021", dt.date(2021, 6, 12), "Notícia", ""),
        ("Pressemitteilung | 7. Oktober 2021", dt.date(2021, 10, 7), "Pressemitteilung", ""),
    ],
)
def test_type_and_date_lines_are_never_titles(
    line: str, date: dt.date, label: str, place: str
) -> None:
    result = read(
        f"A title that the page gives its item\n{line}\nA summary sentence of the item.\n"
    )
    (item,) = result.items
    assert item.title == "A title that the page gives its item"
    assert (item.date, item.label, item.dateline) == (date, label, place)


def test_a_type_and_date_line_above_the_title_starts_the_item() -> None:
    result = read(
        "News on forced labour\n\n"
        "News | 11 September 2018\n"
        "Bonded labour survivors receive land titles\n"
        "Former kamaiya families will own their plots.\n\n"
        "Statement | 20 June 2018\n"
        "Korea ratifies the Forced Labour Protocol\n"
    )
    assert [(i.title, i.label, i.date) for i in result.items] == [
        ("Bonded labour survivors receive land titles", "News", dt.date(2018, 9, 11)),
        ("Korea ratifies the Forced Labour Protocol", "Statement", dt.date(2018, 6, 20)),
    ]


# ---------------------------------------------------------------------------------------------
# Bulleted lists and carousels


def test_bulleted_entries_are_items() -> None:
    result = read(
        "Latest news on child labour\n"
        "Previous\nNext\n\n"
        "• Cocoa communities set up child labour monitoring committees\n"
        "  News | 14 June 2021\n"
        "  Village committees will follow every child.\n\n"
        "– Bolivia lowers the risk of child labour in nut collection\n"
        "  9 March 2022\n\n"
        "* Statement on the World Day against Child Labour\n"
        "1 / 5\n"
    )
    assert result.layout == "bulleted"
    assert [i.title for i in result.items] == [
        "Cocoa communities set up child labour monitoring committees",
        "Bolivia lowers the risk of child labour in nut collection",
        "Statement on the World Day against Child Labour",
    ]
    assert result.items[0].label == "News" and result.items[1].date == dt.date(2022, 3, 9)
    assert set(skipped(result)) == {2, 3, 13}


# ---------------------------------------------------------------------------------------------
# Page furniture


@pytest.mark.parametrize(
    "line",
    [
        "Contact us",
        "Share",
        "Read more",
        "Home › Topics › Forced labour",
        "Home | About the ILO | Contact us | Site map",
        "Episode 13",
        "中文 Español Français Русский العربية",
        "Русский",
        "We use cookies to improve your experience. By browsing you accept them.",
        "Subscribe to our newsletter",
        "Sign up to receive ILO news by email.",
        "[Music]",
        "SPEAKER 2: Thank you for having me.",
        "00:03:41 We worked from dawn.",
        "Listen on Spotify",
        "Watch the video (3:45)",
        "Printable version",
        "Follow us",
        "LinkedIn",
        "International Labour Organization",
    ],
)
def test_page_furniture_is_never_an_item_and_is_reported(line: str) -> None:
    result = read(
        "Ghana launches a plan to end child labour in fisheries\n"
        "4 October 2019\n"
        "Children work on Lake Volta, mending nets.\n"
        f"{line}\n"
        "Peru adopts a plan against forced labour\n"
        "5 October 2019\n"
    )
    assert [i.title for i in result.items] == [
        "Ghana launches a plan to end child labour in fisheries",
        "Peru adopts a plan against forced labour",
    ]
    assert 4 in skipped(result), result.problems
    assert all(line not in i.summary + i.body for i in result.items)
    assert str(result.problems[0]).startswith("page.txt:4: ")


@pytest.mark.parametrize(
    "title",
    [
        "Watch out for fake recruiters in the Gulf",
        "ILO launches a newsletter for labour inspectors",
        "Share of women in forced labour rises",
        "Download speeds and the future of platform work",
    ],
)
def test_titles_worded_like_furniture_are_still_titles(title: str) -> None:
    result = read(f"{title}\n4 October 2019\nA summary sentence of the item.\n")
    assert [i.title for i in result.items] == [title]
    assert result.problems == []


def test_a_caption_ending_in_a_credit_is_never_a_title() -> None:
    result = read(
        "How inspectors find forced labour on cattle ranches\n"
        "Podcast | 18 October 2022\n"
        "Inspectors explain how they plan their visits.\n"
        "An inspector checks papers at a ranch in Pará. © ILO/F. Marques\n"
    )
    (item,) = result.items
    assert item.credit == "An inspector checks papers at a ranch in Pará. © ILO/F. Marques"
    assert "BRA" not in tag(item).country_codes  # a caption is never evidence


def test_a_series_name_above_an_episode_line_is_the_kicker() -> None:
    result = read(
        "Podcasts on forced labour\n\n"
        "The Future of Work Podcast\n"
        "Episode 13\n"
        "Survivors of brick kilns tell their story\n"
        "Podcast | 4 October 2022\n"
    )
    (item,) = result.items
    assert (item.kicker, item.title) == (
        "The Future of Work Podcast",
        "Survivors of brick kilns tell their story",
    )
    assert skipped(result) == {4: "page navigation text skipped: 'Episode 13'"}


# ---------------------------------------------------------------------------------------------
# Countries


@pytest.mark.parametrize(
    ("title", "codes"),
    [
        ("Thai-Cambodian border crossings reopen for workers", {"THA", "KHM"}),
        ("EU-Thailand dialogue turns to forced labour at sea", {"THA"}),
        ("Coopération franco-marocaine contre le travail forcé", {"FRA", "MAR"}),
        ("Bolivia lowers child labour in Brazil-nut collection", {"BOL"}),
        ("Families in the Plurinational State of bolivia keep children in school", {"BOL"}),
        ("Republic Of Korea ratifies the Protocol", {"KOR"}),
        ("Bonded labour survivors in Kailali district receive land", {"NPL"}),
        ("Sukabumi Regency trains officials to spot trafficking", {"IDN"}),
    ],
)
def test_compounds_official_names_in_any_case_and_districts_count(
    title: str, codes: set[str]
) -> None:
    assert set(tagged(title).country_codes) == codes


@pytest.mark.parametrize(
    ("title", "summary", "code", "reason"),
    [
        (
            "A study on workers' welfare",
            "The Lisbon Forum heard how the study will be run.",
            "PRT",
            "meeting",
        ),
        (
            "New inspection rules for mines",
            "A specialist who works for the ILO in Lima described them.",
            "PER",
            "ILO office",
        ),
        (
            "New inspection rules for mines",
            "An expert of the ilo based in Lima described them.",
            "PER",
            "ILO office",
        ),
        ("ILO and the Qatar Foundation launch a study", "", "QAT", "organisation"),
        (
            "A Brazilian photographer documents forced labour in Mozambique",
            "",
            "BRA",
            "nationality",
        ),
    ],
)
def test_venues_posts_organisations_and_a_persons_nationality_do_not_count(
    title: str, summary: str, code: str, reason: str
) -> None:
    item = tagged(title, summary)
    assert code not in item.country_codes
    assert reason in excluded(item)[code]


def test_groups_of_workers_still_count_by_nationality() -> None:
    assert set(tagged("Kenyan domestic workers in Saudi Arabia").country_codes) == {
        "KEN",
        "SAU",
    }


def test_names_in_the_items_language_count_and_not_in_others() -> None:
    assert tagged("Deutschland und die ILO fördern faire Anwerbung").country_codes == ("DEU",)
    assert tagged("МОТ: принудительный труд на полях Узбекистана").country_codes == ("UZB",)
    assert "ISL" not in tagged("Island communities and the fishing industry").country_codes


# ---------------------------------------------------------------------------------------------
# Topics


@pytest.mark.parametrize(
    ("title", "summary", "topic"),
    [
        ("Immigration officers trained", "", "labour migration"),
        ("Emigration rises in rural areas", "", "labour migration"),
        ("New curriculum for TVET teachers", "", "skills"),
        ("Recognising the qualifications of refugees", "", "skills"),
        ("Trade union rights in export zones", "", "social dialogue"),
        ("Commission of Inquiry closes its mission", "", "international labour standards"),
    ],
)
def test_vocabulary_gaps_are_filled(title: str, summary: str, topic: str) -> None:
    item = tagged(title, summary)
    assert topic in item.topics
    assert any(e.field == "topic" and e.value == topic for e in item.evidence)


def test_an_organisations_name_is_not_a_topic() -> None:
    item = tagged(
        "Committee for Decent Work in the International Organization for Migration meets",
        "The staff committee will meet twice a year.",
    )
    assert item.topics == ()
    assert "International Organization for Migration (organisation name)" in {
        e.text for e in item.evidence if e.field == "excluded"
    }
    assert "labour migration" in tagged("Migrant workers meet the Committee").topics


def test_weak_words_never_add_up_to_a_topic() -> None:
    assert (
        tagged(
            "Twelve seafarers rescued after their ship ran aground",
            "The crew were freed from the stranded vessel.",
        ).topics
        == ()
    )
    assert tagged("Inspection protocol for mines", "The protocol was explained.").topics == ()
    assert "forced labour" in tagged("Twelve workers freed from forced labour").topics


# ---------------------------------------------------------------------------------------------
# Languages


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("L’OIL e il Ministero del Lavoro rafforzano la lotta allo sfruttamento", "it"),
        ("Brasil reduz o trabalho infantil nas plantações de café", "pt"),
        ("Deutschland und die ILO fördern faire Anwerbung von Pflegekräften", "de"),
        ("МОТ: принудительный труд на хлопковых полях ликвидирован", "ru"),
        ("منظمة العمل الدولية تطلق مشروعا لحماية العمال المهاجرين", "ar"),
        ("国际劳工组织发布关于强迫劳动的全球估计", "zh"),
        ("Trabajo forzoso", "es"),
        ("Forced labour", "en"),
    ],
)
def test_languages_are_named_with_their_iso_code(text: str, code: str) -> None:
    found, evidence = detect(text)
    assert found == code and evidence


def test_undetermined_when_the_text_says_nothing() -> None:
    assert detect("2019 – 12/04")[0] == UNDETERMINED
    assert detect("8.7")[0] == UNDETERMINED
