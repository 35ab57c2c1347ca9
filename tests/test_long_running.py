"""A process that runs for long (``newsearch serve``, a script, a test session) and opens index
after index, or sees one index imported again and again, keeps a bounded amount of state."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from newsearch.index.analysis import STEM_TABLE, TABLES_KEPT, stem_tables
from newsearch.index.places import country_name
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters


def write_records(folder: Path, titles: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "records.jsonl"
    path.write_text(
        "\n".join(json.dumps({"title": t, "date": "2021-03-04"}) for t in titles) + "\n",
        encoding="utf-8",
    )
    return path


def search(engine: Engine, text: str) -> int:
    return engine.search(SearchRequest(text, Filters.build(), "relevance", 10, 1)).total


def test_opening_many_indexes_keeps_a_bounded_number_of_stem_tables(tmp_path: Path) -> None:
    source = write_records(tmp_path / "in", ["Forced labour in fishing", "Child labour in mines"])
    base = tmp_path / "base"
    assert IndexStore(base).build([source]).ok
    size = (base / STEM_TABLE).stat().st_size
    for number in range(3 * TABLES_KEPT):
        copy = tmp_path / f"copy{number}"
        shutil.copytree(base, copy)
        with Engine(copy) as engine:
            # a word stemmed for the first time in this process is looked up in the tables
            assert search(engine, "fishing") == 1
            assert search(engine, f"unseenword{number}") == 0
        shutil.rmtree(copy)
    tables = stem_tables()
    assert len(tables) <= TABLES_KEPT
    assert sum(table.loaded for table in tables) <= TABLES_KEPT * size
    assert tables[0].path == copy / STEM_TABLE  # the last opened is consulted first


def test_a_closed_engine_lets_go_of_its_index_and_opens_it_again_when_asked(
    tmp_path: Path,
) -> None:
    source = write_records(tmp_path / "in", ["Forced labour in fishing"])
    index = tmp_path / "index"
    assert IndexStore(index).build([source]).ok
    engine = Engine(index)
    assert search(engine, "fishing") == 1
    engine.close()
    shutil.rmtree(index)  # nothing of it is held open: it can go
    assert IndexStore(index).build([source]).ok
    assert search(engine, "fishing") == 1
    engine.close()


def test_a_new_import_is_seen_in_the_stem_table_of_an_open_engine(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert IndexStore(index).build([write_records(tmp_path / "a", ["Forced labour"])]).ok
    with Engine(index) as engine:
        assert search(engine, "labour") == 1
        table = stem_tables()[0]
        assert table.get("en", "kayakers") is None
        added = write_records(tmp_path / "b", ["Kayakers at sea"])
        assert IndexStore(index).build([added]).ok
        assert search(engine, "kayakers") == 1  # picks up the commit, and the table with it
        assert stem_tables()[0].get("en", "kayakers") == "kayak"


def test_names_of_places_that_records_give_are_remembered_in_bounded_number() -> None:
    for number in range(6000):
        assert country_name(f"Own place {number}") == f"Own place {number}"
    info = country_name.cache_info()
    assert info.maxsize is not None and info.currsize <= info.maxsize
    assert country_name("IDN") == "Indonesia"
