"""The query language's tokens: words, phrases, fields, operators and ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsearch.index.errors import QueryError
from newsearch.index.fields import field_named, query_fields

# the fields a query may name (``country:IDN``): text fields first, the item id last
FIELDS = tuple(
    sorted(query_fields(), key=lambda name: (name == "id", field_named(name).kind != "text"))
)


@dataclass(frozen=True)
class Tok:
    kind: str  # word | phrase | lparen | rparen | or | and | not | minus | plus | range
    text: str
    start: int
    field: str | None = None
    slop: int | None = None  # fuzzy distance for words, slop for phrases


_WORD_END = set(' \t\n()"')


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i = 0
    n = len(text)
    # the field a group's words belong to: title:(Peru OR Pakistan)
    scopes: list[str | None] = []
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(Tok("lparen", c, i))
            scopes.append(scopes[-1] if scopes else None)
            i += 1
            continue
        if c == ")":
            toks.append(Tok("rparen", c, i))
            if scopes:
                scopes.pop()
            i += 1
            continue
        empty = re.match(r"([A-Za-z_]+):(?=\s|$|\))", text[i:])
        if empty and empty.group(1).lower() in FIELDS:
            name = empty.group(1)
            example = _EXAMPLES.get(name.lower(), "word")
            raise QueryError(
                f"{name}: needs a value, e.g. {name}:{example} (put text with a colon in quotes)",
                text,
                i + empty.end() - 1,
            )
        if (
            c in "-+"
            and i + 1 < n
            and not text[i + 1].isspace()
            and (
                not toks or toks[-1].kind in {"lparen", "or", "and", "not"} or text[i - 1].isspace()
            )
        ):
            toks.append(Tok("minus" if c == "-" else "plus", c, i))
            i += 1
            continue
        start = i
        fieldname = None
        # field:value
        match = re.match(r"([A-Za-z_]+):(?=\S)", text[i:])
        if match:
            name = match.group(1).lower()
            if name not in FIELDS:
                raise QueryError(
                    f"unknown field {match.group(1)!r}; fields are: {', '.join(FIELDS)} "
                    "(put text with a colon in quotes)",
                    text,
                    start,
                )
            fieldname = name
            i += match.end()
            if i < n and text[i] == "(":
                toks.append(Tok("lparen", "(", i, fieldname))
                scopes.append(fieldname)
                i += 1
                continue
            if i < n and text[i] == "[":
                close = text.find("]", i)
                if close < 0:
                    raise QueryError("range without a closing ']'", text, i)
                toks.append(Tok("range", text[i + 1 : close], start, fieldname))
                i = close + 1
                continue
        if i < n and text[i] in '"“”':
            close = _closing_quote(text, i)
            if close < 0:
                raise QueryError("phrase without a closing quote", text, i)
            phrase = text[i + 1 : close]
            i = close + 1
            slop = None
            if i < n and text[i] == "~":
                i, slop = _tilde(text, i)
            toks.append(Tok("phrase", phrase, start, fieldname or _scope(scopes), slop))
            continue
        j = i
        while j < n and text[j] not in _WORD_END:
            j += 1
        word = text[i:j]
        i = j
        if not word:
            raise QueryError(f"{fieldname}: needs a value", text, start)
        if fieldname is None and word in {"OR", "||"}:
            toks.append(Tok("or", word, start))
            continue
        if fieldname is None and word in {"AND", "&&"}:
            toks.append(Tok("and", word, start))
            continue
        if fieldname is None and word == "NOT":
            toks.append(Tok("not", word, start))
            continue
        slop = None
        tilde = word.rfind("~")
        if tilde > 0:
            _, slop = _tilde(word, tilde)
            word = word[:tilde]
        elif tilde == 0:
            raise QueryError(
                "'~' must follow a word (fuzzy~1) or a phrase (\"a b\"~2)", text, start
            )
        if fieldname is None and word.endswith(":"):
            word = word[:-1]  # "Note: ..." is a word, not a field
            if not word:
                continue
        toks.append(Tok("word", word, start, fieldname or _scope(scopes), slop))
    return toks


def _scope(scopes: list[str | None]) -> str | None:
    return scopes[-1] if scopes else None


_EXAMPLES = {
    "country": "peru",
    "region": "americas",
    "topic": "fisheries",
    "year": "2016",
    "date": "2016..2017",
    "language": "fr",
    "kind": "statement",
    "title": "fishers",
    "summary": "fishers",
    "body": "fishers",
    "id": "ID",
}


def _closing_quote(text: str, start: int) -> int:
    for j in range(start + 1, len(text)):
        if text[j] in '"“”':
            return j
    return -1


def _tilde(text: str, at: int) -> tuple[int, int]:
    match = re.match(r"~(\d{0,2})(?=$|[\s()])", text[at:])
    if not match:
        raise QueryError("after '~' give a small number (fuzzy~1, \"a b\"~3)", text, at)
    return at + match.end(), int(match.group(1) or 1)
