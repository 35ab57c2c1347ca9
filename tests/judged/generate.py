"""Write the constructed items of the judged collection and their graded judgments.

Every item is composed from facts chosen first (what it is about: concepts, sector, country,
convention, COVID-19, SDG target 8.7, language), then written out in words that vary the way
ILO news varies. Each query states its information need as conditions on those facts; an item's
grade follows from its facts alone (2: every condition holds, 1: a partial need holds, else 0).
Run once; the output files are committed and never regenerated to suit a ranking.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(20261129)

CONCEPTS: dict[str, dict[str, list[str]]] = {
    "forced_labour": {
        "en": ["forced labour", "forced labor", "compulsory labour", "modern slavery"],
        "fr": ["travail forcé", "esclavage moderne", "travail obligatoire"],
        "es": ["trabajo forzoso", "esclavitud moderna", "trabajo obligatorio"],
    },
    "child_labour": {
        "en": ["child labour", "child labor", "working children", "children in hazardous work"],
        "fr": ["travail des enfants", "enfants astreints au travail"],
        "es": ["trabajo infantil", "niños y niñas trabajadores"],
    },
    "trafficking": {
        "en": ["human trafficking", "trafficking in persons", "people trafficking"],
        "fr": ["traite des êtres humains", "traite des personnes"],
        "es": ["trata de personas", "trata de seres humanos"],
    },
    "domestic_workers": {
        "en": ["domestic workers", "household workers", "domestic work"],
        "fr": ["travailleurs domestiques", "travailleuses domestiques", "travail domestique"],
        "es": ["trabajadoras domésticas", "trabajadores del hogar", "trabajo doméstico"],
    },
    "migrant_workers": {
        "en": ["migrant workers", "labour migrants", "workers who migrated abroad"],
        "fr": ["travailleurs migrants", "migrants", "main-d'œuvre migrante"],
        "es": ["trabajadores migrantes", "personas migrantes", "migración laboral"],
    },
    "debt_bondage": {
        "en": ["debt bondage", "bonded labour", "workers trapped by debts"],
        "fr": ["servitude pour dettes", "travail en servitude"],
        "es": ["servidumbre por deudas", "trabajo en servidumbre"],
    },
    "recruitment_fees": {
        "en": ["recruitment fees", "fair recruitment", "recruitment costs charged to workers"],
        "fr": ["frais de recrutement", "recrutement équitable"],
        "es": ["comisiones de contratación", "contratación equitativa"],
    },
    "osh": {
        "en": ["occupational safety and health", "workplace safety", "safety at work"],
        "fr": ["sécurité et santé au travail", "la sécurité au travail"],
        "es": ["seguridad y salud en el trabajo", "la seguridad laboral"],
    },
    "freedom_association": {
        "en": ["freedom of association", "trade union rights", "collective bargaining"],
        "fr": ["liberté syndicale", "négociation collective", "droits syndicaux"],
        "es": ["libertad sindical", "negociación colectiva", "derechos sindicales"],
    },
    "violence_harassment": {
        "en": ["violence and harassment at work", "workplace harassment"],
        "fr": ["violence et harcèlement au travail", "harcèlement au travail"],
        "es": ["violencia y acoso en el trabajo", "acoso laboral"],
    },
    "discrimination": {
        "en": ["discrimination at work", "equal pay for women"],
        "fr": ["discrimination au travail", "égalité de rémunération"],
        "es": ["discriminación en el empleo", "igualdad salarial"],
    },
    "social_protection": {
        "en": ["social protection", "social security coverage"],
        "fr": ["protection sociale", "couverture de sécurité sociale"],
        "es": ["protección social", "cobertura de seguridad social"],
    },
}

SECTORS: dict[str, dict[str, list[str]]] = {
    "cocoa": {
        "en": ["cocoa farms", "the cocoa sector", "cocoa-growing communities"],
        "fr": ["les plantations de cacao", "la filière cacao"],
        "es": ["las plantaciones de cacao", "el sector del cacao"],
    },
    "cotton": {
        "en": ["the cotton harvest", "cotton fields"],
        "fr": ["la récolte du coton", "les champs de coton"],
        "es": ["la cosecha de algodón", "los campos de algodón"],
    },
    "garment": {
        "en": ["garment factories", "the ready-made garment industry", "textile factories"],
        "fr": ["les usines de confection", "l'industrie textile"],
        "es": ["las fábricas de confección", "la industria textil", "las maquilas"],
    },
    "fishing": {
        "en": ["fishing vessels", "the fishing industry", "fishers at sea"],
        "fr": ["les navires de pêche", "le secteur de la pêche", "les pêcheurs"],
        "es": ["los buques pesqueros", "el sector pesquero", "los pescadores"],
    },
    "construction": {
        "en": ["construction sites", "the construction sector"],
        "fr": ["les chantiers de construction", "le secteur du bâtiment"],
        "es": ["las obras de construcción", "el sector de la construcción"],
    },
    "palm_oil": {
        "en": ["palm oil plantations", "oil palm estates"],
        "fr": ["les plantations de palmiers à huile", "la filière huile de palme"],
        "es": ["las plantaciones de palma aceitera", "el sector del aceite de palma"],
    },
    "brick_kilns": {
        "en": ["brick kilns", "brick-making"],
        "fr": ["les briqueteries", "les fours à briques"],
        "es": ["las ladrilleras", "los hornos de ladrillos"],
    },
    "mining": {
        "en": ["artisanal gold mines", "small-scale mining"],
        "fr": ["les mines d'or artisanales", "l'orpaillage"],
        "es": ["la minería artesanal", "las minas de oro"],
    },
    "agriculture": {
        "en": ["commercial agriculture", "farm work", "the harvest season"],
        "fr": ["l'agriculture", "les exploitations agricoles"],
        "es": ["la agricultura", "las fincas agrícolas"],
    },
}

# id: (en, fr, es, regions the judgments recognise)
COUNTRIES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "CIV": ("Côte d'Ivoire", "Côte d'Ivoire", "Côte d'Ivoire", ("west_africa", "africa")),
    "GHA": ("Ghana", "Ghana", "Ghana", ("west_africa", "africa")),
    "BFA": ("Burkina Faso", "Burkina Faso", "Burkina Faso", ("west_africa", "sahel", "africa")),
    "MLI": ("Mali", "Mali", "Malí", ("west_africa", "sahel", "africa")),
    "NER": ("Niger", "Niger", "Níger", ("west_africa", "sahel", "africa")),
    "NGA": ("Nigeria", "Nigéria", "Nigeria", ("west_africa", "africa")),
    "ETH": ("Ethiopia", "Éthiopie", "Etiopía", ("horn_of_africa", "africa")),
    "KEN": ("Kenya", "Kenya", "Kenia", ("africa",)),
    "QAT": ("Qatar", "Qatar", "Qatar", ("gulf", "middle_east")),
    "SAU": ("Saudi Arabia", "Arabie saoudite", "Arabia Saudita", ("gulf", "middle_east")),
    "ARE": (
        "the United Arab Emirates",
        "les Émirats arabes unis",
        "los Emiratos Árabes Unidos",
        ("gulf", "middle_east"),
    ),
    "KWT": ("Kuwait", "Koweït", "Kuwait", ("gulf", "middle_east")),
    "LBN": ("Lebanon", "Liban", "Líbano", ("middle_east",)),
    "JOR": ("Jordan", "Jordanie", "Jordania", ("middle_east",)),
    "IND": ("India", "Inde", "India", ("south_asia",)),
    "PAK": ("Pakistan", "Pakistan", "Pakistán", ("south_asia",)),
    "BGD": ("Bangladesh", "Bangladesh", "Bangladés", ("south_asia",)),
    "NPL": ("Nepal", "Népal", "Nepal", ("south_asia",)),
    "THA": ("Thailand", "Thaïlande", "Tailandia", ("mekong", "southeast_asia")),
    "MMR": ("Myanmar", "Myanmar", "Myanmar", ("mekong", "southeast_asia")),
    "KHM": ("Cambodia", "Cambodge", "Camboya", ("mekong", "southeast_asia")),
    "VNM": ("Viet Nam", "Viet Nam", "Viet Nam", ("mekong", "southeast_asia")),
    "IDN": ("Indonesia", "Indonésie", "Indonesia", ("southeast_asia",)),
    "MYS": ("Malaysia", "Malaisie", "Malasia", ("southeast_asia",)),
    "PHL": ("the Philippines", "les Philippines", "Filipinas", ("southeast_asia",)),
    "PER": ("Peru", "Pérou", "Perú", ("latin_america",)),
    "BRA": ("Brazil", "Brésil", "Brasil", ("latin_america",)),
    "BOL": ("Bolivia", "Bolivie", "Bolivia", ("latin_america",)),
    "PRY": ("Paraguay", "Paraguay", "Paraguay", ("latin_america",)),
    "MEX": ("Mexico", "Mexique", "México", ("latin_america",)),
    "GTM": ("Guatemala", "Guatemala", "Guatemala", ("latin_america",)),
    "COL": ("Colombia", "Colombie", "Colombia", ("latin_america",)),
    "ARG": ("Argentina", "Argentine", "Argentina", ("latin_america",)),
    "HTI": ("Haiti", "Haïti", "Haití", ("latin_america",)),
    "UZB": ("Uzbekistan", "Ouzbékistan", "Uzbekistán", ("central_asia",)),
}

# Which sectors each concept plausibly appears in (None: no sector named).
CONCEPT_SECTORS: dict[str, list[str | None]] = {
    "forced_labour": [
        "fishing",
        "palm_oil",
        "cotton",
        "construction",
        "brick_kilns",
        "mining",
        "agriculture",
        "garment",
        None,
    ],
    "child_labour": [
        "cocoa",
        "cotton",
        "mining",
        "agriculture",
        "brick_kilns",
        "fishing",
        "garment",
        None,
    ],
    "trafficking": ["fishing", "construction", "garment", "agriculture", None, None],
    "domestic_workers": [None],
    "migrant_workers": ["construction", "fishing", "agriculture", "palm_oil", "garment", None],
    "debt_bondage": ["brick_kilns", "agriculture", "fishing", "garment"],
    "recruitment_fees": ["construction", "garment", "fishing", "palm_oil", None],
    "osh": ["garment", "construction", "mining", "fishing"],
    "freedom_association": ["garment", "palm_oil", "agriculture", "construction"],
    "violence_harassment": ["garment", None],
    "discrimination": ["garment", None],
    "social_protection": [None, "agriculture", "garment", "fishing"],
}
DOMESTIC_COUNTRIES = [
    "QAT",
    "SAU",
    "ARE",
    "KWT",
    "LBN",
    "JOR",
    "IND",
    "NPL",
    "PHL",
    "IDN",
    "PER",
    "MEX",
    "COL",
    "BRA",
    "PRY",
    "ETH",
    "KEN",
]
# Which countries each sector plausibly appears with (keeps the items realistic).
SECTOR_COUNTRIES = {
    "cocoa": ["CIV", "GHA", "NGA", "PER", "BRA"],
    "cotton": ["UZB", "BFA", "MLI", "PAK", "IND"],
    "garment": ["BGD", "KHM", "MMR", "VNM", "IND", "PAK", "GTM", "HTI", "ETH", "JOR"],
    "fishing": ["THA", "IDN", "PHL", "MMR", "VNM", "PER", "GHA"],
    "construction": ["QAT", "SAU", "ARE", "KWT", "MYS", "LBN"],
    "palm_oil": ["IDN", "MYS", "COL", "GTM", "GHA"],
    "brick_kilns": ["PAK", "IND", "NPL", "BGD", "KHM", "PER"],
    "mining": ["BFA", "MLI", "NER", "GHA", "PER", "BOL", "COL"],
    "agriculture": ["BRA", "PRY", "MEX", "GTM", "BOL", "KEN", "ETH", "IND", "NGA"],
}

# convention id: number, related concept, names per language (several written forms)
CONVENTIONS: dict[str, tuple[int, str, dict[str, list[str]]]] = {
    "C029": (
        29,
        "forced_labour",
        {
            "en": ["the Forced Labour Convention, 1930 (No. 29)", "Convention No. 29", "C029"],
            "fr": ["la convention (n° 29) sur le travail forcé, 1930", "la convention no 29"],
            "es": ["el Convenio sobre el trabajo forzoso, 1930 (núm. 29)", "el Convenio núm. 29"],
        },
    ),
    "P029": (
        29,
        "forced_labour",
        {
            "en": [
                "the Protocol of 2014 to the Forced Labour Convention",
                "the Forced Labour Protocol",
                "P029",
                "P29",
            ],
            "fr": [
                "le protocole de 2014 relatif à la convention sur le travail forcé",
                "le protocole sur le travail forcé",
            ],
            "es": [
                "el Protocolo de 2014 relativo al Convenio sobre el trabajo forzoso",
                "el Protocolo sobre el trabajo forzoso",
            ],
        },
    ),
    "C105": (
        105,
        "forced_labour",
        {
            "en": [
                "the Abolition of Forced Labour Convention, 1957 (No. 105)",
                "Convention No. 105",
            ],
            "fr": ["la convention (n° 105) sur l'abolition du travail forcé"],
            "es": ["el Convenio sobre la abolición del trabajo forzoso (núm. 105)"],
        },
    ),
    "C138": (
        138,
        "child_labour",
        {
            "en": ["the Minimum Age Convention, 1973 (No. 138)", "Convention No. 138", "C138"],
            "fr": ["la convention (n° 138) sur l'âge minimum"],
            "es": ["el Convenio sobre la edad mínima (núm. 138)", "el Convenio 138"],
        },
    ),
    "C182": (
        182,
        "child_labour",
        {
            "en": [
                "the Worst Forms of Child Labour Convention, 1999 (No. 182)",
                "Convention No. 182",
                "C.182",
                "C182",
            ],
            "fr": [
                "la convention (n° 182) sur les pires formes de travail des enfants",
                "la convention 182",
            ],
            "es": [
                "el Convenio sobre las peores formas de trabajo infantil (núm. 182)",
                "el Convenio núm. 182",
            ],
        },
    ),
    "C189": (
        189,
        "domestic_workers",
        {
            "en": ["the Domestic Workers Convention, 2011 (No. 189)", "Convention 189", "C189"],
            "fr": [
                "la convention (n° 189) sur les travailleuses et travailleurs domestiques",
                "la convention no 189",
            ],
            "es": [
                "el Convenio sobre las trabajadoras y los trabajadores domésticos (núm. 189)",
                "el Convenio 189",
            ],
        },
    ),
    "C190": (
        190,
        "violence_harassment",
        {
            "en": [
                "the Violence and Harassment Convention, 2019 (No. 190)",
                "Convention No. 190",
                "C190",
            ],
            "fr": ["la convention (n° 190) sur la violence et le harcèlement", "la convention 190"],
            "es": ["el Convenio sobre la violencia y el acoso (núm. 190)", "el Convenio 190"],
        },
    ),
    "C087": (
        87,
        "freedom_association",
        {
            "en": [
                "the Freedom of Association and Protection of the Right to Organise Convention "
                "(No. 87)",
                "Convention No. 87",
                "C087",
            ],
            "fr": ["la convention (n° 87) sur la liberté syndicale"],
            "es": ["el Convenio sobre la libertad sindical (núm. 87)"],
        },
    ),
    "C098": (
        98,
        "freedom_association",
        {
            "en": ["the Right to Organise and Collective Bargaining Convention (No. 98)", "C98"],
            "fr": [
                "la convention (n° 98) sur le droit d'organisation et de négociation collective"
            ],
            "es": [
                "el Convenio sobre el derecho de sindicación y de negociación colectiva (núm. 98)"
            ],
        },
    ),
    "C111": (
        111,
        "discrimination",
        {
            "en": ["the Discrimination (Employment and Occupation) Convention (No. 111)", "C111"],
            "fr": ["la convention (n° 111) concernant la discrimination"],
            "es": ["el Convenio sobre la discriminación (empleo y ocupación) (núm. 111)"],
        },
    ),
    "C155": (
        155,
        "osh",
        {
            "en": ["the Occupational Safety and Health Convention (No. 155)", "C155"],
            "fr": ["la convention (n° 155) sur la sécurité et la santé des travailleurs"],
            "es": ["el Convenio sobre seguridad y salud de los trabajadores (núm. 155)"],
        },
    ),
    "C187": (
        187,
        "osh",
        {
            "en": [
                "the Promotional Framework for Occupational Safety and Health Convention (No. 187)",
                "C187",
            ],
            "fr": ["la convention (n° 187) sur le cadre promotionnel pour la sécurité et la santé"],
            "es": ["el Convenio sobre el marco promocional para la seguridad y salud (núm. 187)"],
        },
    ),
    "C188": (
        188,
        "forced_labour",
        {
            "en": ["the Work in Fishing Convention, 2007 (No. 188)", "C188", "Convention 188"],
            "fr": ["la convention (n° 188) sur le travail dans la pêche"],
            "es": ["el Convenio sobre el trabajo en la pesca (núm. 188)", "el C188"],
        },
    ),
    "C097": (
        97,
        "migrant_workers",
        {
            "en": ["the Migration for Employment Convention (No. 97)", "C097"],
            "fr": ["la convention (n° 97) sur les travailleurs migrants"],
            "es": ["el Convenio sobre los trabajadores migrantes (núm. 97)"],
        },
    ),
    "C143": (
        143,
        "migrant_workers",
        {
            "en": ["the Migrant Workers (Supplementary Provisions) Convention (No. 143)", "C143"],
            "fr": [
                "la convention (n° 143) sur les travailleurs migrants (dispositions "
                "complémentaires)"
            ],
            "es": [
                "el Convenio sobre los trabajadores migrantes (disposiciones complementarias) "
                "(núm. 143)"
            ],
        },
    ),
    "C181": (
        181,
        "recruitment_fees",
        {
            "en": ["the Private Employment Agencies Convention (No. 181)", "C181"],
            "fr": ["la convention (n° 181) sur les agences d'emploi privées"],
            "es": ["el Convenio sobre las agencias de empleo privadas (núm. 181)"],
        },
    ),
}

COVID = {
    "en": ["the COVID-19 pandemic", "COVID-19", "the Covid-19 crisis"],
    "fr": ["la pandémie de COVID-19", "la crise de la Covid-19"],
    "es": ["la pandemia de COVID-19", "la crisis de la COVID-19"],
}
SDG = {
    "en": ["SDG target 8.7", "Target 8.7 of the Sustainable Development Goals", "Alliance 8.7"],
    "fr": ["la cible 8.7 des ODD", "l'Alliance 8.7"],
    "es": ["la meta 8.7 de los ODS", "la Alianza 8.7"],
}

TITLES = {
    "en": [
        "{Country}: new project tackles {concept} in {sector}",
        "ILO study finds {concept} persists in {sector} in {country}",
        "Labour inspectors in {country} trained to detect {concept}",
        "{Country} steps up action against {concept}",
        "Workers' and employers' organizations in {country} commit to end {concept}",
        "Survey sheds light on {concept} in {sector}",
        "New guidelines on {concept} for {sector} in {country}",
        "Survivors of {concept} in {country} tell their stories",
    ],
    "fr": [
        "{Country} : un nouveau projet contre {concept} dans {sector}",
        "Une étude de l'OIT sur {concept} dans {sector} en {country}",
        "Des inspecteurs du travail formés à détecter {concept} en {country}",
        "{Country} renforce la lutte contre {concept}",
        "Les partenaires sociaux de {country} s'engagent contre {concept}",
        "Une enquête sur {concept} dans {sector}",
    ],
    "es": [
        "{Country}: nuevo proyecto contra {concept} en {sector}",
        "Un estudio de la OIT revela que persiste {concept} en {sector} de {country}",
        "Inspectores del trabajo de {country} se capacitan para detectar {concept}",
        "{Country} intensifica la lucha contra {concept}",
        "Los interlocutores sociales de {country} se comprometen a erradicar {concept}",
        "Encuesta sobre {concept} en {sector}",
    ],
}
RATIFY = {
    "en": ["{Country} ratifies {conv}", "{Country} becomes latest country to ratify {conv}"],
    "fr": ["{Country} ratifie {conv}", "{Country} dépose l'instrument de ratification de {conv}"],
    "es": ["{Country} ratifica {conv}", "{Country} registra la ratificación de {conv}"],
}
SUMMARY = {
    "en": [
        "The initiative, backed by the ILO, will reach thousands of workers in {sector} and "
        "address {concept2} through prevention, protection and access to remedy.",
        "Researchers interviewed workers in {sector}; many described {concept2}, unpaid wages "
        "and confiscated documents.",
        "Government officials, employers and trade unions met in {capital} to agree on "
        "joint action on {concept2}.",
        "The findings point to low wages, long hours and {concept2}, and call for stronger "
        "labour inspection.",
    ],
    "fr": [
        "L'initiative, soutenue par l'OIT, touchera des milliers de travailleurs dans {sector} "
        "et portera sur : {concept2}, par la prévention et la protection.",
        "Les chercheurs ont interrogé des travailleurs dans {sector} ; beaucoup ont décrit : "
        "{concept2}, des salaires impayés et des papiers confisqués.",
        "Le gouvernement, les employeurs et les syndicats se sont réunis pour convenir de "
        "mesures sur ce sujet : {concept2}.",
    ],
    "es": [
        "La iniciativa, apoyada por la OIT, llegará a miles de trabajadores en {sector} y "
        "abordará el problema ({concept2}) mediante la prevención y la protección.",
        "Los investigadores entrevistaron a trabajadores en {sector}; muchos describieron "
        "{concept2}, salarios impagos y documentos retenidos.",
        "El gobierno, los empleadores y los sindicatos se reunieron para acordar medidas "
        "sobre este tema: {concept2}.",
    ],
}
CONV_SENTENCE = {
    "en": " The country is bound by {conv}.",
    "fr": " Le pays est lié par {conv}.",
    "es": " El país está obligado por {conv}.",
}
RATIFY_SUMMARY = {
    "en": "With this ratification, {country} commits to act on {concept2}. The instrument "
    "enters into force twelve months after registration with the ILO.",
    "fr": "Par cette ratification, {country} s'engage à agir en matière de {concept2}. "
    "L'instrument entrera en vigueur douze mois après son enregistrement par le BIT.",
    "es": "Con esta ratificación, {country} se compromete a actuar en materia de {concept2}. "
    "El instrumento entrará en vigor doce meses después de su registro por la OIT.",
}
COVID_SENTENCE = {
    "en": " Incomes fell sharply during {covid}.",
    "fr": " Les revenus ont chuté pendant {covid}.",
    "es": " Los ingresos cayeron durante {covid}.",
}
SDG_SENTENCE = {
    "en": " The work contributes to {sdg}.",
    "fr": " Ce travail contribue à {sdg}.",
    "es": " Este trabajo contribuye a {sdg}.",
}
# Items that share words with the topics but are about something else (distractors).
DISTRACTORS = {
    "en": [
        (
            "{Country} cocoa prices reach a record high",
            "Farmers in {country} sold beans at record prices as global demand rose.",
        ),
        (
            "Garment exports from {country} grow for a third year",
            "Factories reported new orders from European buyers.",
        ),
        (
            "Fishing quotas agreed for the coming season in {country}",
            "The agreement sets catch limits to protect fish stocks.",
        ),
        (
            "{Country} hosts regional conference on youth employment",
            "Ministers discussed skills training and apprenticeships for young people.",
        ),
        (
            "Construction of new ILO office in {country} completed",
            "The building will host staff working on employment programmes.",
        ),
        (
            "{Country} launches national minimum wage review",
            "A tripartite commission will examine wage levels across sectors.",
        ),
    ],
    "fr": [
        (
            "{Country} : les prix du cacao atteignent un record",
            "Les producteurs ont vendu leurs fèves à des prix records.",
        ),
        (
            "Les exportations textiles de {country} progressent",
            "Les usines signalent de nouvelles commandes.",
        ),
        (
            "{Country} accueille une conférence sur l'emploi des jeunes",
            "Les ministres ont discuté de formation professionnelle et d'apprentissage.",
        ),
    ],
    "es": [
        (
            "{Country}: el precio del cacao alcanza un máximo",
            "Los productores vendieron el grano a precios récord.",
        ),
        (
            "Crecen las exportaciones de confecciones de {country}",
            "Las fábricas informan de nuevos pedidos.",
        ),
        (
            "{Country} acoge una conferencia sobre empleo juvenil",
            "Los ministros debatieron sobre formación profesional y aprendizaje.",
        ),
    ],
}
CAPITALS = {"en": "the capital", "fr": "la capitale", "es": "la capital"}


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def country_name(code: str, language: str) -> str:
    en, fr, es, _ = COUNTRIES[code]
    return {"en": en, "fr": fr, "es": es}[language]


def make_items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    titles: set[str] = set()
    languages = ["en"] * 5 + ["fr"] * 3 + ["es"] * 3

    def add(item: dict[str, object]) -> None:
        title = str(item["title"])
        if title in titles:
            return
        titles.add(title)
        number = len(items) + 1
        year = 2015 + number % 10
        item["date"] = f"{year}-{1 + number % 12:02d}-{1 + number % 27:02d}"
        item["url"] = f"https://www.ilo.org/resource/news/judged-{number:04d}"
        items.append(item)

    concept_ids = list(CONCEPTS)
    attempts = 0
    while len(items) < 300 and attempts < 5000:
        attempts += 1
        language = rng.choice(languages)
        concept = rng.choice(concept_ids[:7] * 3 + concept_ids[7:])
        sector = rng.choice(CONCEPT_SECTORS[concept])
        if sector:
            country = rng.choice(SECTOR_COUNTRIES[sector])
        elif concept == "domestic_workers":
            country = rng.choice(DOMESTIC_COUNTRIES)
        else:
            country = rng.choice(list(COUNTRIES))
        forms = CONCEPTS[concept][language]
        form1 = rng.choice(forms)
        form2 = rng.choice(forms)
        sector_text = (
            rng.choice(SECTORS[sector][language])
            if sector
            else {"en": "several sectors", "fr": "plusieurs secteurs", "es": "varios sectores"}[
                language
            ]
        )
        name = country_name(country, language)
        title = rng.choice(TITLES[language]).format(
            Country=cap(name), country=name, concept=form1, sector=sector_text
        )
        summary = rng.choice(SUMMARY[language]).format(
            sector=sector_text, concept2=form2, capital=CAPITALS[language]
        )
        facts: dict[str, object] = {
            "concepts": [concept],
            "sector": sector,
            "country": country,
            "convention": None,
            "covid": False,
            "sdg87": False,
        }
        if rng.random() < 0.3:
            related = [c for c, (_, about, _) in CONVENTIONS.items() if about == concept]
            if related:
                conv = rng.choice(related)
                summary += CONV_SENTENCE[language].format(
                    conv=rng.choice(CONVENTIONS[conv][2][language])
                )
                facts["convention"] = conv
        if rng.random() < 0.12:
            summary += COVID_SENTENCE[language].format(covid=rng.choice(COVID[language]))
            facts["covid"] = True
        if rng.random() < 0.12 and concept in {"forced_labour", "child_labour", "trafficking"}:
            summary += SDG_SENTENCE[language].format(sdg=rng.choice(SDG[language]))
            facts["sdg87"] = True
        if rng.random() < 0.3:  # a second concept named in the item
            other = rng.choice([c for c in concept_ids if c != concept])
            extra = rng.choice(CONCEPTS[other][language])
            summary += {
                "en": f" The report also documents {extra}.",
                "fr": f" Le rapport documente aussi : {extra}.",
                "es": f" El informe también documenta: {extra}.",
            }[language]
            facts["concepts"] = [concept, other]
        add({"title": title, "summary": summary, "language": language, "facts": facts})
    # ratifications
    for conv, (_, about, names) in CONVENTIONS.items():
        for _ in range(2):
            language = rng.choice(languages)
            country = rng.choice(list(COUNTRIES))
            name = country_name(country, language)
            title = rng.choice(RATIFY[language]).format(
                Country=cap(name), conv=rng.choice(names[language])
            )
            summary = RATIFY_SUMMARY[language].format(
                country=name, concept2=rng.choice(CONCEPTS[about][language])
            )
            add(
                {
                    "title": title,
                    "summary": summary,
                    "language": language,
                    "facts": {
                        "concepts": [about],
                        "sector": None,
                        "country": country,
                        "convention": conv,
                        "covid": False,
                        "sdg87": False,
                    },
                }
            )
    # distractors
    for language, pairs in DISTRACTORS.items():
        for title_t, summary_t in pairs:
            for _ in range(3):
                country = rng.choice(list(COUNTRIES))
                name = country_name(country, language)
                title = title_t.format(Country=cap(name), country=name)
                sector = (
                    "cocoa"
                    if "cacao" in title.lower() or "cocoa" in title.lower()
                    else "garment"
                    if "arment" in title or "textile" in title or "confecc" in title
                    else "fishing"
                    if "Fishing" in title
                    else None
                )
                add(
                    {
                        "title": title,
                        "summary": summary_t.format(country=name),
                        "language": language,
                        "facts": {
                            "concepts": [],
                            "sector": sector,
                            "country": country,
                            "convention": None,
                            "covid": False,
                            "sdg87": False,
                        },
                    }
                )
    return items


def regions_of(country: str | None) -> tuple[str, ...]:
    return COUNTRIES[country][3] if country in COUNTRIES else ()


def holds(condition: str, facts: dict[str, object]) -> bool:
    kind, _, value = condition.partition(":")
    if kind == "concept":
        return value in facts["concepts"]  # type: ignore[operator]
    if kind == "sector":
        return facts["sector"] == value
    if kind == "country":
        return facts["country"] == value
    if kind == "region":
        return value in regions_of(facts["country"])  # type: ignore[arg-type]
    if kind == "convention":
        return facts["convention"] == value
    if kind == "covid":
        return bool(facts["covid"])
    if kind == "sdg87":
        return bool(facts["sdg87"])
    raise ValueError(condition)


def grade(query: dict[str, object], facts: dict[str, object]) -> int:
    need = query["need"]
    if all(holds(c, facts) for c in need):  # type: ignore[attr-defined]
        return 2
    for partial in query.get("partial", []):  # type: ignore[attr-defined]
        if all(holds(c, facts) for c in partial):
            return 1
    return 0


def main() -> None:
    items = make_items()
    builtin = [json.loads(line) for line in (HERE / "builtin-facts.jsonl").open()]
    queries = [json.loads(line) for line in (HERE / "queries.jsonl").open()]
    with (HERE / "items.jsonl").open("w", encoding="utf-8") as out:
        for item in items:
            record = {k: v for k, v in item.items() if k != "facts"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (HERE / "facts.jsonl").open("w", encoding="utf-8") as out:
        for item in items:
            out.write(
                json.dumps(
                    {"title": item["title"], **item["facts"]},  # type: ignore[dict-item]
                    ensure_ascii=False,
                )
                + "\n"
            )
    judged: dict[str, dict[str, int]] = {}
    for query in queries:
        grades: dict[str, int] = {}
        for item in [*items, *builtin]:
            facts = item.get("facts", item)
            value = grade(query, facts)  # type: ignore[arg-type]
            if value:
                grades[str(item["title"])] = value
        judged[str(query["id"])] = grades
    with (HERE / "qrels.json").open("w", encoding="utf-8") as out:
        json.dump(judged, out, ensure_ascii=False, indent=1, sort_keys=True)
        out.write("\n")
    print(f"{len(items)} items, {len(queries)} queries")


if __name__ == "__main__":
    main()
