"""Domain exceptions raised by the core and translated into messages at the edges."""

from __future__ import annotations


class NewsearchError(Exception):
    """Base class: every error a user can act on. ``hint`` says what to do next."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class CorpusError(NewsearchError):
    """A corpus file could not be read at all (missing, binary, undecodable)."""

    hint = "check the file, or leave it out; the other files are indexed regardless"


class IndexMissingError(NewsearchError):
    """There is no index at the given location."""

    hint = "build one with `newsearch index PATH` (or `newsearch index --sample`)"


class IndexDamagedError(NewsearchError):
    """The index exists but cannot be opened or read."""

    hint = "rebuild it with `newsearch index --rebuild PATH`"


class IndexLockedError(NewsearchError):
    """Another process holds the index's write lock."""

    hint = "wait for the other `newsearch index` to finish, or pass --wait SECONDS"


class IndexWriteError(NewsearchError):
    """The index could not be written (permissions, full disk)."""

    hint = "check the index folder's permissions and free space, then run the command again"


class QueryError(NewsearchError):
    """A query or a filter is malformed; ``position`` points into the query text."""

    hint = "fix the query; see `newsearch query --help` for the syntax"

    def __init__(self, message: str, query: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.query = query
        self.position = position

    def pointer(self) -> str:
        """The query with a caret under the offending character, or ''."""
        if self.position is None or not self.query:
            return ""
        return f"  {self.query}\n  {' ' * self.position}^"


class ItemNotFoundError(NewsearchError):
    """No item has the given id."""

    hint = "ids are shown by `newsearch query ... --format json`"


class QueryBudgetError(QueryError):
    """A query needed more time, or expanded to more words, than one query may use."""

    hint = (
        "narrow the query: more letters before a * or ?, fewer fuzzy~ words, or a filter; "
        "the limits are set with NEWSEARCH_QUERY_SECONDS and NEWSEARCH_EXPANSION_LIMIT"
    )
